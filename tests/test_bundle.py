"""The front end joined into one inline script (server/bundle.py)."""
from pathlib import Path

import pytest

from webio_desktop.server.bundle import BundleError, inline_front_end, join_modules
from webio_desktop.utils import STATIC_PATH


def test_every_front_end_module_is_in_the_bundle_once():
    css, script = inline_front_end(STATIC_PATH)
    names = sorted(p.stem for p in Path(STATIC_PATH).glob("*.js"))
    headers = sorted(line[13:-3] for line in script.splitlines() if line.startswith("// == module "))
    assert headers == names
    assert script.splitlines()[-1].endswith("})();") and "// == module webio.js" in script
    assert "</" not in script and "</" not in css  # can not end <script>/<style> early
    assert ".webio-form" in css


def test_joined_modules_keep_imports_renames_and_order(page):
    sources = {
        "entry": "import { twice, name as label } from './lib.js';\n"
                 "import { base } from './base.js';\n"
                 "window.result = `${label} ${twice(base)}`;\n",
        "lib": "import { base } from './base.js';\n"
               "export const name = 'lib';\n"
               "export function twice(x) { return 2 * x + base - base; }\n"
               "const hidden = 1;\n",
        "base": "export let base = 21;\n",
    }
    script = join_modules(sources, entry="entry")
    assert script.index("module base.js") < script.index("module lib.js") < script.index("module entry.js")
    page.set_content(f'<script type="module">{script}</script>')
    page.wait_for_function("window.result !== undefined")
    assert page.evaluate("window.result") == "lib 42"


@pytest.mark.parametrize("line", ["export default function f() {}", "import * as dom from './dom.js';",
                                  "export { a };", "const m = await import('./x.js');"])
def test_unknown_module_syntax_is_a_clear_error(line):
    with pytest.raises(BundleError, match=r"entry\.js:2: unsupported module syntax"):
        join_modules({"entry": "const a = 1;\n" + line + "\n"}, entry="entry")


def test_a_missing_module_and_a_cycle_are_clear_errors():
    with pytest.raises(BundleError, match=r"unknown module \./gone\.js"):
        join_modules({"entry": "import { x } from './gone.js';\n"}, entry="entry")
    with pytest.raises(BundleError, match="import cycle"):
        join_modules({"entry": "import { b } from './b.js';\n",
                      "b": "import { a } from './entry.js';\nexport const b = 1;\n"}, entry="entry")
