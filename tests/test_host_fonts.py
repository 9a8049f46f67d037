"""A desktop window's page on Linux names only the fonts Linux has (desktop/shim.py), with the
same faces as the full stack, and an app's own font still wins."""
from __future__ import annotations

import pytest

from webio_desktop import config
from webio_desktop.desktop.shim import linux_fonts, shim_head
from webio_desktop.server.page import render_page


def body_font(page, extra_head: str, css_style: str | None = None) -> dict[str, str]:
    def app() -> None:
        """A page."""

    if css_style is not None:
        app = config(css_style=css_style)(app)
    html = render_page(app, "/_webio/static/", {}, extra_head)
    page.set_content(html.replace('<script type="module">', '<script type="text/plain">'))
    return page.evaluate("""() => {
        const code = document.createElement('code');
        document.body.append(code);
        return { body: getComputedStyle(document.body).fontFamily,
                 mono: getComputedStyle(code).fontFamily };
    }""")


def test_only_linux_windows_get_the_short_stacks():
    fonts = linux_fonts()
    assert shim_head("linux").startswith(fonts)
    assert fonts not in shim_head("win32") and fonts not in shim_head("darwin")


def test_the_short_stacks_replace_the_long_ones(page):
    full = body_font(page, "")
    assert full["body"].startswith("system-ui") and "Segoe UI" in full["body"]
    assert "Menlo" in full["mono"]
    linux = body_font(page, shim_head("linux"))
    assert linux == {"body": "system-ui, sans-serif", "mono": '"DejaVu Sans Mono", monospace'}


def test_an_apps_own_font_still_wins(page):
    fonts = body_font(page, shim_head("linux"), css_style=":root { --webio-font: Georgia, serif; }")
    assert fonts["body"] == "Georgia, serif"


def test_the_desktops_font_is_named_when_the_engine_knows_it(page):
    fonts = body_font(page, shim_head("linux", ui_font="Noto Sans"))
    assert fonts == {"body": '"Noto Sans", sans-serif', "mono": '"DejaVu Sans Mono", monospace'}
    assert shim_head("win32", ui_font="Cantarell") == shim_head("win32")


@pytest.mark.parametrize("name", ['Evil"; } body { color: red', "a</style><script>x()</script>",
                                  "back\\slash", "new\nline", ""])
def test_a_font_name_that_could_break_out_is_not_used(name):
    assert shim_head("linux", ui_font=name) == shim_head("linux")
