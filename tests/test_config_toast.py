"""config() (per app and global) and toast() options, end to end in Chromium
(as PyWebIO 1.8.4 documents `pywebio.output`, page config)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import Results
from webio_desktop import config
from webio_desktop.output import put_text, toast
from webio_desktop import page_config as page_module


@pytest.fixture
def clean_global_config():
    saved = dict(page_module._global_config)
    yield
    page_module._global_config.clear()
    page_module._global_config.update(saved)


def test_config_decorator_every_parameter(serve, page, tmp_path):
    (tmp_path / "extra.js").write_text("window.__js_file_ran = (window.__js_file_ran || 0) + 1;")
    (tmp_path / "extra.css").write_text(".from-css-file { text-decoration: underline; }")

    @config(title="Configured", description="What it does", theme="dark",
            js_code="window.__js_code_ran = document.title;",
            js_file="/static/extra.js", css_style=".from-css-style { color: rgb(1, 2, 3); }",
            css_file=["/static/extra.css"], manifest=False)
    def app():
        put_text("styled by config").style("")
        put_text("file styled")

    server = serve(app, static_dir=str(tmp_path))
    page.goto(server.url)
    expect(page).to_have_title("Configured")
    expect(page.locator('meta[name="description"]')).to_have_attribute("content", "What it does")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.wait_for_function("window.__js_file_ran === 1")
    page.wait_for_function("window.__js_code_ran === 'Configured'")  # after load: title is set
    page.evaluate("""() => {
        for (const [text, cls] of [['styled by config', 'from-css-style'],
                                   ['file styled', 'from-css-file']])
            [...document.querySelectorAll('p')].find(p => p.textContent === text).classList.add(cls);
    }""")
    expect(page.get_by_text("styled by config")).to_have_css("color", "rgb(1, 2, 3)")
    expect(page.get_by_text("file styled")).to_have_css("text-decoration-line", "underline")
    # The dark theme really is dark: the page background is darker than mid-grey.
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    red, green, blue = (int(c) for c in background[background.index("(") + 1:-1].split(",")[:3])
    assert red + green + blue < 3 * 128, background
    assert page.js_errors == []


@pytest.mark.parametrize("theme, shown", [("default", "auto"), ("light", "light"),
                                          ("sketchy", "light"), ("minty", "light"),
                                          ("yeti", "light"), ("auto", "auto"), (None, "auto")])
def test_theme_names_map_onto_ours(serve, page, theme, shown):
    app = config(theme=theme)(lambda: put_text("themed"))
    page.goto(serve(app).url)
    expect(page.locator("html")).to_have_attribute("data-theme", shown)


def test_unknown_theme_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown theme 'purple'.*dark"):
        config(theme="purple")


def test_pywebio_theme_variable_wins(serve, page, monkeypatch):
    monkeypatch.setenv("PYWEBIO_THEME", "dark")
    app = config(theme="light")(lambda: put_text("x"))
    page.goto(serve(app).url)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")


def test_global_config_and_docstring_fallback(serve, page, clean_global_config):
    config(title="Global title", css_style="body { --probe: 7; }")

    def documented():
        """Doc title

        Doc description."""
        put_text("x")

    def plain():
        put_text("y")

    server = serve({"documented": documented, "plain": plain})
    page.goto(server.url + "?app=documented")
    expect(page).to_have_title("Doc title")
    expect(page.locator('meta[name="description"]')).to_have_attribute("content",
                                                                       "Doc description.")
    page.goto(server.url + "?app=plain")
    expect(page).to_have_title("Global title")
    assert page.evaluate("getComputedStyle(document.body).getPropertyValue('--probe')").strip() == "7"


def test_toast_positions_colors_and_sticky(serve, page):
    r = Results("app done")

    @r.app
    def app():
        toast("left error", position="left", color="error", duration=0)
        toast("right hex", position="right", color="#00ff00", duration=0)
        toast("centre warn", color="warn", duration=0, onclick=lambda: r.put("clicked"))
        toast("centre success", color="success", duration=0)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    accent = "el => getComputedStyle(el.closest('.webio-toast')).getPropertyValue('--webio-toast-color').trim()"
    for text, region, color in [("left error", "left", "#e53935"), ("right hex", "right", "#00ff00"),
                                ("centre warn", "center", "#ef6c00"),
                                ("centre success", "center", "#2e7d32")]:
        toast_text = page.locator(f"#webio-toasts-{region}").get_by_text(text)
        expect(toast_text).to_be_visible()
        assert toast_text.evaluate(accent) == color
    left = page.get_by_text("left error").bounding_box()
    right = page.get_by_text("right hex").bounding_box()
    centre = page.get_by_text("centre warn").bounding_box()
    assert left["x"] < centre["x"] < right["x"]
    # duration=0 stays (with a close button) until closed or clicked
    page.get_by_text("centre warn").click()
    assert r.get() == "clicked"
    expect(page.get_by_text("centre warn")).to_have_count(0)
    page.locator("#webio-toasts-left").get_by_role("button", name="Dismiss notification").click()
    expect(page.get_by_text("left error")).to_have_count(0)
    expect(page.get_by_text("right hex")).to_be_visible()
    assert page.js_errors == []
