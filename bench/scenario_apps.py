"""Benchmark scenario apps, written once against the PyWebIO API.

This module is imported by app_runner.py *after* the implementation has been
chosen: for ``--impl webio`` the runner first installs webio_desktop's alias,
so the ``pywebio`` imports below resolve to webio_desktop modules.

Every app prints ``BENCHLOG <event> <epoch seconds>`` lines on stderr so the
harness can place server-side moments on the page's clock if it wants to.
"""
import sys
import time

from pywebio.input import input  # noqa: A004  (same name as the API)
from pywebio.output import put_text

MAX_ECHO_LOOPS = 100_000


def _log(event):
    print(f"BENCHLOG {event} {time.time():.6f}", file=sys.stderr, flush=True)


def make_ready_app(n=0):
    """Scenario 1: one output, the marker."""
    def app():
        _log("app_start")
        put_text('BENCH-READY')
        _log("app_done")
    return app


def make_outputs_app(n):
    """Scenario 2: n text outputs, then the marker."""
    def app():
        _log("app_start")
        for i in range(n):
            put_text(f'output line {i}')
        put_text('BENCH-DONE')
        _log("app_done")
    return app


def make_echo_app(n=0):
    """Scenario 3 and 5: echo every submitted line (bounded loop)."""
    def app():
        _log("app_start")
        for _ in range(n):
            put_text('pre-filled line')
        for _ in range(MAX_ECHO_LOOPS):
            v = input()
            put_text(v)
    return app


def make_echo_async_app(n=0):
    """Scenario 6, coroutine sessions: the echo loop as an ``async def`` app."""
    async def app():
        for _ in range(MAX_ECHO_LOOPS):
            v = await input()
            put_text(v)
    return app


def make_lines_app(n):
    """bench/hardening.py slow: n lines (floor.line) as fast as the server takes them; a
    ``BENCHLOG lines K`` every 100 lines tells the harness how far the app got."""
    from floor import line

    def app():
        _log("app_start")
        for i in range(n):
            put_text(line(i))
            if i % 100 == 99:
                _log(f"lines {i + 1}")
        _log("app_done")
    return app


# --- bench/testing_toolkit.py: the apps of the toolkit's figures, driven in a browser ----------

def _counter():
    """A '+1' button and 'Count: N' in a scope."""
    from pywebio.output import put_buttons, put_scope, use_scope

    count = [0]

    def add(_):
        count[0] += 1
        with use_scope('value', clear=True):
            put_text(f'Count: {count[0]}')

    put_scope('value', [put_text('Count: 0')])
    put_buttons(['+1'], onclick=add)


def make_counter_app(n=0):
    """The counter as a thread app."""
    def app():
        _counter()
    return app


def make_counter_async_app(n=0):
    """The counter as a coroutine app."""
    async def app():
        _counter()
    return app


def make_bmi_app(n=0):
    """The README's BMI app (testing_toolkit.bmi)."""
    from pywebio.input import FLOAT

    def app():
        height = input('Your height (cm)', type=FLOAT)
        weight = input('Your weight (kg)', type=FLOAT)
        put_text(f'BMI: {weight / (height / 100) ** 2:.1f}')
    return app


# --- Scenario 7: rendering big outputs -------------------------------------
# Each app shows the marker BENCH-DONE once its big output is on the page, so the
# generic "navigation -> marker painted" measurement applies unchanged.

def make_table_app(n):
    from pywebio.output import put_table

    def app():
        _log("app_start")
        put_table([[f'r{i}c{j}' for j in range(4)] for i in range(n)],
                  header=['a', 'b', 'c', 'd'])
        put_text('BENCH-DONE')
        _log("app_done")
    return app


def make_markdown_app(n_kib):
    from pywebio.output import put_markdown

    def app():
        _log("app_start")
        parts, size, i = [], 0, 0
        while size < n_kib * 1024:
            block = (f"## Section {i}\n\nSome *emphasis*, **bold** and `code` "
                     f"in paragraph {i}.\n\n- item a{i}\n- item b{i}\n\n"
                     f"```\nprint({i})\n```\n\n| x | y |\n|---|---|\n| {i} | {i * 2} |\n\n")
            parts.append(block)
            size += len(block)
            i += 1
        put_markdown(''.join(parts))
        put_text('BENCH-DONE')
        _log("app_done")
    return app


def make_datatable_app(n):
    """put_datatable with n rows; the marker is a cell of the first row, so it is painted
    when the grid has drawn its rows (a put_text after it would not wait for the grid)."""
    from pywebio.output import put_datatable

    def app():
        _log("app_start")
        records = [{'id': i, 'name': 'BENCH-DONE' if i == 0 else f'name {i}',
                    'city': f'city {i % 97}', 'score': (i * 7919) % 1000,
                    'detail': {'a': i % 3, 'b': f'b{i % 11}'}} for i in range(n)]
        put_datatable(records, height=500)
        _log("app_done")
    return app


APPS = {
    'ready': make_ready_app,
    'outputs': make_outputs_app,
    'echo': make_echo_app,
    'echo_async': make_echo_async_app,
    'lines': make_lines_app,
    'counter': make_counter_app,
    'counter_async': make_counter_async_app,
    'bmi': make_bmi_app,
    'table': make_table_app,
    'markdown': make_markdown_app,
    'datatable': make_datatable_app,
}
