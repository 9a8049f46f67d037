"""put_datatable and datatable_update/insert/remove, end to end in Chromium
(as PyWebIO 1.8.4 documents `pywebio.output`)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conftest import Results
from webio_desktop.output import (datatable_insert, datatable_remove, datatable_update,
                                  put_datatable)

RECORDS = [
    {"name": "banana", "qty": 10, "info": {"color": "yellow", "origin": "EC"}},
    {"name": "apple", "qty": 3, "info": {"color": "red", "origin": "NZ"}},
    {"name": "cherry", "qty": 250, "info": {"color": "dark red", "origin": "TR"}},
]


def grid(page):
    return page.locator(".webio-datatable")


def expect_column(page, col: int, texts: list[str]) -> None:
    """Column ``col`` (1-based) of the rendered rows shows ``texts`` (waits for it)."""
    cells = page.locator(f".webio-datatable tbody tr[data-index] td:nth-child({col})")
    expect(cells).to_have_text(texts)


def test_columns_sorting_selection_and_actions(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_datatable(RECORDS, onselect=lambda ids: r.put(("select", ids)),
                      actions=[("Show", lambda ids: r.put(("show", ids))), None,
                               ("Delete", lambda ids: r.put(("delete", ids)))],
                      column_args={"origin": {"headerName": "Country"}}, height=300)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    expect(grid(page)).to_be_visible()
    # Nested records: a group header row and one column per path, labels from column_args.
    headers = page.locator(".webio-datatable thead tr").last.locator("th").all_inner_texts()
    assert [h.strip() for h in headers] == ["Name", "Qty", "Color", "Country"]  # as PyWebIO
    expect(page.locator(".webio-dt-group", has_text="Info")).to_have_attribute("colspan", "2")
    expect_column(page, 3, ["yellow", "red", "dark red"])

    # Header clicks: ascending (numbers by value), descending, as given.
    page.get_by_role("button", name="qty").click()
    expect_column(page, 2, ["3", "10", "250"])
    page.get_by_role("button", name="qty").click()
    expect_column(page, 2, ["250", "10", "3"])
    page.get_by_role("button", name="qty").click()
    expect_column(page, 1, ["banana", "apple", "cherry"])
    page.get_by_role("button", name="name").click()
    expect_column(page, 1, ["apple", "banana", "cherry"])

    actions = page.locator(".webio-dt-actions")
    expect(actions).to_be_hidden()  # nothing selected yet
    page.get_by_role("gridcell", name="cherry").click()
    assert r.get() == ("select", 2)  # the row id is its index in records
    expect(page.locator(".webio-dt-cellbar")).to_have_text("Name: cherry")
    expect(actions).to_be_visible()
    expect(page.locator("tr.is-selected")).to_have_count(1)
    page.get_by_role("gridcell", name="apple").click()  # single selection: replaces
    assert r.get() == ("select", 1)
    expect(page.locator("tr.is-selected")).to_have_count(1)
    actions.get_by_role("button", name="Delete").click()
    assert r.get() == ("delete", 1)
    actions.get_by_role("button", name="Show").click()
    assert r.get() == ("show", 1)
    expect(actions.locator(".webio-dt-sep")).to_have_count(1)
    assert page.js_errors == []


def test_multiple_select_and_id_field(serve, page):
    r = Results("app done")

    @r.app
    def app():
        put_datatable(RECORDS, multiple_select=True, id_field=("info", "origin"),
                      onselect=lambda ids: r.put(("select", ids)),
                      actions=[("Go", lambda ids: r.put(("go", ids)))])

    page.goto(serve(app).url)
    assert r.get() == "app done"
    page.get_by_role("gridcell", name="banana").click()
    assert r.get() == ("select", ["EC"])
    page.get_by_role("gridcell", name="cherry").click()
    assert r.get() == ("select", ["EC", "TR"])
    page.get_by_role("gridcell", name="banana").click()  # clicking a selected row unselects it
    assert r.get() == ("select", ["TR"])
    page.get_by_role("button", name="Go").click()
    assert r.get() == ("go", ["TR"])
    assert page.js_errors == []


def test_update_insert_remove(serve, page):
    r = Results()

    @r.app
    def app():
        put_datatable(RECORDS, instance_id="fruits")
        r.put("shown")
        while True:
            op = r_ops.get()
            op()
            r.put("done")

    import queue
    r_ops: queue.Queue = queue.Queue()

    def run(op):
        r_ops.put(op)
        assert r.get() == "done"

    page.goto(serve(app).url)
    assert r.get() == "shown"
    expect(grid(page).locator("tr[data-index]")).to_have_count(3)

    run(lambda: datatable_update("fruits", {"name": "kiwi", "qty": 7,
                                            "info": {"color": "green", "origin": "IT"}}, row_id=1))
    expect(page.get_by_role("gridcell", name="kiwi")).to_be_visible()
    expect_column(page, 1, ["banana", "kiwi", "cherry"])

    run(lambda: datatable_update("fruits", "blue", row_id=0, field=("info", "color")))
    expect(page.get_by_role("gridcell", name="blue")).to_be_visible()

    run(lambda: datatable_insert("fruits", [{"name": "fig", "qty": 1}], row_id=2))
    expect_column(page, 1, ["banana", "kiwi", "fig", "cherry"])
    run(lambda: datatable_insert("fruits", {"name": "lime", "qty": 2}))
    expect_column(page, 1, ["banana", "kiwi", "fig", "cherry", "lime"])

    # New rows got ids 3 and 4 (after the largest): removing them by id works.
    run(lambda: datatable_remove("fruits", [3, 4]))
    expect_column(page, 1, ["banana", "kiwi", "cherry"])
    run(lambda: datatable_remove("fruits", 0))
    expect_column(page, 1, ["kiwi", "cherry"])

    run(lambda: datatable_update("fruits", [{"name": "only", "qty": 0}]))
    expect_column(page, 1, ["only"])
    with pytest.raises(ValueError, match="row_id"):
        datatable_update("fruits", 1, field="qty")
    assert page.js_errors == []


def test_five_thousand_rows_stay_windowed_and_scroll_to_the_end(serve, page):
    r = Results("app done")
    n = 5000

    @r.app
    def app():
        put_datatable([{"i": i, "label": f"row {i}", "even": i % 2 == 0} for i in range(n)],
                      height=400)

    page.goto(serve(app).url)
    assert r.get() == "app done"
    expect(page.get_by_role("gridcell", name="row 0", exact=True)).to_be_visible()
    # Only a window of rows is in the DOM, not 5,000.
    rendered = grid(page).locator("tr[data-index]").count()
    assert 0 < rendered < 100, rendered
    scroller = page.locator(".webio-dt-scroll")
    scroller.evaluate("s => { s.scrollTop = s.scrollHeight; }")
    expect(page.get_by_role("gridcell", name=f"row {n - 1}", exact=True)).to_be_visible()
    assert grid(page).locator("tr[data-index]").count() < 100
    # Sorting all 5,000 rows (descending) brings the last row to the top.
    scroller.evaluate("s => { s.scrollTop = 0; }")
    page.get_by_role("button", name="I", exact=True).click()
    page.get_by_role("button", name="I", exact=True).click()
    expect(grid(page).locator("tr[data-index]").first.locator("td").first).to_have_text(str(n - 1))
    assert page.js_errors == []


def test_bad_arguments_are_clear_errors(serve, page):
    r = Results()

    @r.app
    def app():
        for call in (lambda: put_datatable([]),
                     lambda: put_datatable(RECORDS, theme="nope"),
                     lambda: put_datatable(RECORDS, instance_id="a b")):
            try:
                call()
            except ValueError as exc:
                r.put(str(exc))
        put_datatable([], column_order=["a", "b"])
        r.put("ok")

    page.goto(serve(app).url)
    assert "column_order" in r.get()
    assert "theme" in r.get()
    assert "instance_id" in r.get()
    assert r.get() == "ok"
    expect(page.locator(".webio-datatable th")).to_have_count(2)
