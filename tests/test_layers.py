"""The package's imports go one way (docs/architecture.md, "Layers"), and no module imports
itself back through others. Every import counts, also those inside functions; only imports
under ``if TYPE_CHECKING:`` (type hints, never run) are left out. No browser."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "webio_desktop"

# Lowest first: a module may import its own layer and those below it, never one above.
LAYERS = ["bottom", "sessions", "api", "server", "platform", "desktop"]


def layer_of(module: str) -> str:
    """The layer of a module of the package (``webio_desktop.x.y``)."""
    parts = module.split(".")[1:]
    first = parts[0] if parts else ""
    if first in ("protocol", "exceptions", "appkind", "render", "template", "compat",
                 "_pyinstaller", "lazy_names"):
        return "bottom"
    if first == "sessions":
        return "sessions"
    if first in ("input", "output", "pin", "session", "utils", "page_config", "bokeh_hook"):
        return "api"
    if first == "server":
        return "server"
    if first == "platform":
        return "platform"
    if first in ("desktop", "testing", "", "__main__"):  # the package itself offers everything
        return "desktop"
    raise AssertionError(f"{module}: no layer assigned; add it to layer_of() in {__file__}")


def module_files() -> dict[str, Path]:
    files = {}
    for path in PACKAGE.rglob("*.py"):
        if "templates" in path.parts:  # files the build fills in, not modules
            continue
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        files[".".join(parts)] = path
    return files


def _type_checking_only(tree: ast.Module) -> set[int]:
    """ids of import nodes under ``if TYPE_CHECKING:``."""
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) \
                and node.test.id == "TYPE_CHECKING":
            skipped.update(id(inner) for inner in ast.walk(node))
    return skipped


def imports(files: dict[str, Path]) -> dict[str, list[tuple[str, int]]]:
    """module -> [(imported module of the package, line)]."""
    graph: dict[str, list[tuple[str, int]]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        skipped = _type_checking_only(tree)
        found = []
        for node in ast.walk(tree):
            if id(node) in skipped:
                continue
            if isinstance(node, ast.Import):
                found += [(alias.name, node.lineno) for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[:len(package) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:  # ``from . import x`` may name a module
                    sub = f"{target}.{alias.name}"
                    found.append((sub if sub in files else target, node.lineno))
        graph[module] = [(name, line) for name, line in found
                         if name.split(".")[0] == "webio_desktop" and name in files]
    return graph


FILES = module_files()
GRAPH = imports(FILES)


def test_the_import_parser_sees_function_level_and_relative_imports():
    # Known imports of both kinds, so an empty graph can not pass the checks below.
    threaded = [name for name, _ in GRAPH["webio_desktop.sessions.threaded"]]
    assert "webio_desktop.sessions.core" in threaded  # ``from .core import ...``
    cli = [name for name, _ in GRAPH["webio_desktop.desktop.cli"]]
    assert "webio_desktop.desktop.build" in cli  # inside main()


def wrong_imports(graph: dict[str, list[tuple[str, int]]]) -> list[str]:
    """Every import of a higher layer by a lower one, as ``module:line: ...``."""
    wrong = []
    for module, found in sorted(graph.items()):
        own = LAYERS.index(layer_of(module))
        for name, line in found:
            if LAYERS.index(layer_of(name)) > own:
                wrong.append(f"{module}:{line} ({layer_of(module)}) imports {name} "
                             f"({layer_of(name)})")
    return wrong


def test_lower_layers_never_import_higher_ones():
    wrong = wrong_imports(GRAPH)
    assert not wrong, "imports against the layer order:\n" + "\n".join(wrong)


def test_the_layer_check_names_an_upward_import():
    graph = {"webio_desktop.sessions.core": [("webio_desktop.server.apps", 7)],
             "webio_desktop.server.apps": [("webio_desktop.sessions.core", 3)]}
    assert wrong_imports(graph) == ["webio_desktop.sessions.core:7 (sessions) imports "
                                    "webio_desktop.server.apps (server)"]


def find_cycle(graph: dict[str, list[tuple[str, int]]]) -> list[str] | None:
    """One import cycle (its modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for name, _line in graph.get(module, []):
            if name == module or name == "webio_desktop":
                continue  # every submodule's package runs first; that is not a cycle
            if state.get(name) == 1:
                return path[path.index(name):] + [name]
            if name not in state and (cycle := visit(name)):
                return cycle
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (cycle := visit(module)):
            return cycle
    return None


def test_no_import_cycles():
    cycle = find_cycle(GRAPH)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("graph, expected", [
    ({"a": [("b", 1)], "b": [("c", 1)], "c": [("a", 1)]}, ["a", "b", "c", "a"]),
    ({"a": [("b", 1)], "b": [("c", 1)], "c": []}, None),
])
def test_the_cycle_finder_finds_cycles(graph, expected):
    assert find_cycle(graph) == expected
