"""Argument checks are explicit raises, so they hold under ``python -O`` (which strips asserts)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from webio_desktop import input as wi, output as wo, pin as wp, session as ws
from webio_desktop.exceptions import ArgumentError

# Checks that fail before the call needs a session, so they run in a bare interpreter.
CHECKS = {
    "input type": "wi.input(type='bogus')",
    "actions buttons": "wi.actions(buttons=None)",
    "put_link url/app": "wo.put_link('x')",
    "put_loading shape": "wo.put_loading(shape='square')",
    "put_row items": "wo.put_row([1, 2])",
    "put_tabs keys": "wo.put_tabs([{'title': 't'}])",
    "popup size": "wo.popup('t', size='huge')",
    "set_env keys": "ws.set_env(no_such_setting=1)",
    "pin_wait_change names": "wp.pin_wait_change()",
    "pin_on_change onchange": "wp.pin_on_change('p')",
}

SCRIPT = textwrap.dedent("""
    import sys
    from webio_desktop import input as wi, output as wo, pin as wp, session as ws
    from webio_desktop.exceptions import ArgumentError
    assert False, "never seen under -O"
    print("optimized", sys.flags.optimize)
    for name, call in {checks!r}.items():
        try:
            eval(call)
        except AssertionError as exc:  # what PyWebIO apps catch
            print(name, "|", type(exc).__name__, "|", exc)
        else:
            print(name, "| passed")
""")


def test_checks_hold_under_python_O():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    out = subprocess.run([sys.executable, "-O", "-c", SCRIPT.format(checks=CHECKS)], env=env,
                         capture_output=True, text=True, timeout=30, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "optimized 1"  # asserts really were stripped
    results = dict(line.split(" | ", 1) for line in lines[1:])
    assert results.keys() == CHECKS.keys()
    for name, result in results.items():
        assert result.startswith("ArgumentError | "), (name, result)


@pytest.mark.parametrize("call", CHECKS.values(), ids=list(CHECKS))
def test_bad_argument_is_a_clear_value_and_assertion_error(call):
    with pytest.raises(ArgumentError) as info:
        eval(call, {"wi": wi, "wo": wo, "wp": wp, "ws": ws})
    assert isinstance(info.value, ValueError) and isinstance(info.value, AssertionError)
    assert str(info.value)  # says what was wrong


def test_session_local_reserved_names_are_an_argument_error(serve):
    """(Needs a session, so checked here rather than in the -O subprocess: the same ``require``.)"""
    from conftest import Results
    from webio_desktop.session import local

    r = Results("done")

    @r.app
    def app():
        try:
            local._hidden = 1
        except ArgumentError as exc:
            r.put(isinstance(exc, AssertionError))
        local.shown = 2
        r.put(local.shown)

    from websockets.sync.client import connect

    server = serve(app)
    with connect(server.url.replace("http", "ws")):
        assert r.get() is True
        assert r.get() == 2
        assert r.get() == "done"
