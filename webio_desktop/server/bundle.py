"""The front end as one inline script, so a page paints its first output with no further request.

Measured here in headless Chromium (a new browser context per load, like a first start): every
sub-resource a page fetches before its scripts run costs 50-100 ms before DOMContentLoaded,
even over loopback, whether it is one file or seven. The page therefore carries our CSS and
JavaScript inline. The ES modules in ``static/`` stay the source (and are still served as files,
for a ``cdn`` URL base and for developers); this module joins them into one script.

Joining needs no JavaScript tooling because our modules keep to two forms, checked here:
``import { a, b as c } from './x.js';`` at the top of a module and ``export`` before a top-level
``function``, ``async function``, ``const``, ``let`` or ``class``. Each module becomes a function
scope whose exports are returned as an object; an import becomes a destructuring of that object.
Anything else (``export default``, ``import *``, dynamic ``import()``) is a clear error, raised
when the first page is rendered, so a new module can not silently break every page.
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([\w-]+)\.js';[ \t]*$", re.M)
EXPORT = re.compile(r"^export (?=(?:async function|function|const|let|class)\b)", re.M)
EXPORTED_NAME = re.compile(r"^export (?:async function|function|const|let|class)\s+(\w+)", re.M)
UNSUPPORTED = re.compile(r"^\s*(?:import\b(?! \{)|export\b(?! (?:async function|function|const|let|class)\b))"
                         r"|\bimport\s*\(", re.M)


class BundleError(ValueError):
    """A front-end module uses a form of import or export the joiner does not know."""


def _module_var(name: str) -> str:
    return "m_" + re.sub(r"\W", "_", name)


def _imports(source: str) -> list[tuple[str, str]]:
    """(names, module) pairs, e.g. ('el, uid', 'dom')."""
    return [(m.group(1), m.group(2)) for m in IMPORT.finditer(source)]


def _ordered(sources: dict[str, str], entry: str) -> list[str]:
    """Modules in dependency order (each after everything it imports), entry last."""
    order: list[str] = []
    visiting: set[str] = set()

    def visit(name: str) -> None:
        if name in order:
            return
        if name in visiting:
            raise BundleError(f"import cycle through {name}.js")
        if name not in sources:
            raise BundleError(f"unknown module ./{name}.js")
        visiting.add(name)
        for _, dependency in _imports(sources[name]):
            visit(dependency)
        visiting.discard(name)
        order.append(name)

    visit(entry)
    return order


def _destructure(names: str) -> str:
    """'a, b as c' -> 'a, b: c' (import renames become destructuring renames)."""
    parts = [p.strip() for p in names.split(",") if p.strip()]
    return ", ".join(p.replace(" as ", ": ") for p in parts)


def join_modules(sources: dict[str, str], entry: str = "webio") -> str:
    """One script from ES modules ``{name: source}`` (names without '.js')."""
    chunks = []
    for name in _ordered(sources, entry):
        source = sources[name]
        stripped = IMPORT.sub("", source)
        bad = UNSUPPORTED.search(stripped)
        if bad:
            line = source[:source.find(bad.group(0).strip())].count("\n") + 1
            raise BundleError(f"{name}.js:{line}: unsupported module syntax "
                              f"{bad.group(0).strip()!r} (see webio_desktop/server/bundle.py)")
        imports = [f"const {{ {_destructure(names)} }} = {_module_var(dep)};"
                   for names, dep in _imports(source)]
        exported = EXPORTED_NAME.findall(source)
        body = EXPORT.sub("", stripped)
        chunks.append(f"// == module {name}.js\nconst {_module_var(name)} = (() => {{\n"
                      + "\n".join(imports) + f"\n{body}\nreturn {{ {', '.join(exported)} }};\n}})();")
    return "\n".join(chunks)


@functools.lru_cache(maxsize=4)
def inline_front_end(static_path: str) -> tuple[str, str]:
    """(css, script) for a page's <style> and <script type="module">, read once per process.

    ``</`` is escaped so neither text can end its element early.
    """
    folder = Path(static_path)
    sources = {p.stem: p.read_text(encoding="utf-8") for p in folder.glob("*.js")}
    script = join_modules(sources).replace("</", "<\\/")
    css = (folder / "webio.css").read_text(encoding="utf-8").replace("</", "<\\/")
    return css, script
