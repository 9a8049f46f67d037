"""Third-party chart libraries through put_html: their scripts run in the page, in order, offline
(as PyWebIO 1.8.4's chart demos and its test/11.charts.py do). Needs the ``charts`` extra."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import Results, wait_until
from webio_desktop.output import put_html, put_text

plotly = pytest.importorskip("plotly", reason="the charts extra is not installed")
bokeh = pytest.importorskip("bokeh", reason="the charts extra is not installed")
pyecharts = pytest.importorskip("pyecharts", reason="the charts extra is not installed")


@pytest.fixture
def offline(page):
    """Fail (and record) every request that would leave 127.0.0.1."""
    outside: list[str] = []

    def guard(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", guard)
    return outside


def test_plotly_figure_draws_offline(serve, page, offline):
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=["a", "b", "c"], y=[3, 1, 2]))
    html = fig.to_html(include_plotlyjs=True, full_html=False)
    r = Results("app done")

    @r.app
    def app():
        put_html(html)
        put_text("after the chart")

    page.goto(serve(app).url)
    assert r.get() == "app done"
    # plotly.js ran: it built its SVG, with one bar per value.
    expect(page.locator(".plotly svg.main-svg").first).to_be_visible(timeout=30_000)
    expect(page.locator(".plotly .bars path")).to_have_count(3)
    expect(page.get_by_text("after the chart")).to_be_visible()
    assert offline == []
    assert page.js_errors == []


def test_bokeh_components_and_file_html_draw_offline(serve, page, offline):
    from bokeh.embed import components, file_html
    from bokeh.plotting import figure
    from bokeh.resources import INLINE

    def make(title):
        plot = figure(title=title, width=300, height=200)
        plot.line([1, 2, 3], [4, 6, 5])
        return plot

    script, div = components(make("by components"))
    r = Results("app done")

    @r.app
    def app():
        put_html(INLINE.render_js() + script + div)
        put_html(file_html(make("by file_html"), INLINE, "doc"))

    page.goto(serve(app).url)
    assert r.get() == "app done"
    # BokehJS ran: each document root got its shadow DOM with a drawing canvas.
    page.wait_for_function("""() => {
        // canvases anywhere below the output area, shadow roots included
        const canvases = (root) => [...root.querySelectorAll('*')].flatMap(
            (n) => [...(n.tagName === 'CANVAS' ? [n] : []), ...(n.shadowRoot ? canvases(n.shadowRoot) : [])]);
        const figures = document.querySelectorAll('#pywebio-scope-ROOT .bk-Figure');
        return window.Bokeh && Bokeh.documents.length === 2 && figures.length === 2
            && [...figures].every((f) => canvases(f.shadowRoot ?? f).some((c) => c.width > 0));
    }""", timeout=30_000)
    assert offline == []
    assert page.js_errors == []


def test_bokeh_output_notebook_pywebio_then_show_draws_offline(serve, page, offline):
    """PyWebIO's way: output_notebook(notebook_type='pywebio'), then show(figure)."""
    from bokeh.io import output_notebook, show
    from bokeh.plotting import figure

    r = Results("app done")

    @r.app
    def app():
        output_notebook(notebook_type="pywebio")
        plot = figure(title="shown", width=300, height=200)
        plot.scatter([1, 2, 3], [4, 6, 5])
        show(plot)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    page.wait_for_function("""() => {
        const canvases = (root) => [...root.querySelectorAll('*')].flatMap(
            (n) => [...(n.tagName === 'CANVAS' ? [n] : []), ...(n.shadowRoot ? canvases(n.shadowRoot) : [])]);
        const figures = document.querySelectorAll('#pywebio-scope-ROOT .bk-Figure');
        return window.Bokeh && figures.length === 1
            && canvases(figures[0].shadowRoot ?? figures[0]).some((c) => c.width > 0);
    }""", timeout=30_000)
    assert offline == []
    assert page.js_errors == []


def test_bokeh_server_apps_are_refused_clearly_and_bokeh_is_never_imported_for_nothing():
    import subprocess
    import sys

    import bokeh.io.notebook as notebook

    from webio_desktop.bokeh_hook import NOTEBOOK_TYPE

    state = type("State", (), {"notebook_type": NOTEBOOK_TYPE})()
    with pytest.raises(NotImplementedError, match="Bokeh server app"):
        notebook.run_notebook_hook(NOTEBOOK_TYPE, "app", lambda doc: None, state, "")
    # Importing webio_desktop costs no bokeh import (about half a second); bokeh's own import
    # registers the hook.
    check = ("import sys, webio_desktop; assert 'bokeh' not in sys.modules; "
             "import bokeh.io.notebook as n; assert 'pywebio' in n._HOOKS")
    subprocess.run([sys.executable, "-c", check], check=True, timeout=60)


def test_pyecharts_container_renders_and_scripts_run_in_order(serve, page, offline):
    """pyecharts loads echarts.min.js from a CDN (no copy ships with it). Pointed at this server
    (``CurrentConfig.ONLINE_HOST``) the page asks our host, in order, and then runs the inline
    chart script: it stops at ``echarts`` being undefined, as echarts is not on this machine."""
    from pyecharts.charts import Bar
    from pyecharts.globals import CurrentConfig

    server = serve(lambda: None)
    saved = CurrentConfig.ONLINE_HOST
    CurrentConfig.ONLINE_HOST = server.url.rstrip("/") + "/static/"
    try:
        chart = Bar().add_xaxis(["a", "b"]).add_yaxis("s", [1, 2])
        html = chart.render_embed()
    finally:
        CurrentConfig.ONLINE_HOST = saved
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    r = Results("app done")

    @r.app
    def app():
        put_html(html)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    container = page.locator(f'[id="{chart.chart_id}"]')
    expect(container).to_have_count(1)
    assert container.evaluate("e => e.style.width") == "900px"
    wait_until(lambda: any("echarts" in e for e in page.js_errors),
               what="the inline chart script to run")
    assert any(u.endswith("/static/echarts.min.js") for u in requested), requested
    assert any("echarts is not defined" in e for e in page.js_errors), page.js_errors
    assert offline == []
