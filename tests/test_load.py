"""The load battery, short: 100 thread and 300 coroutine sessions at once on one server
process, each answering its input 3 times over the WebSocket protocol (bench/load_battery.py
runs 1,000 and 5,000 and prints the figures). No timing assertions: no error, every answer
correct (each client waits for its own text to come back), no traceback in the server log, and
the session threads gone after the sessions closed."""
from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import load_battery  # noqa: E402


@pytest.mark.parametrize("kind, sessions", [("thread", 100), ("coroutine", 300)])
def test_many_concurrent_sessions_answer_correctly(kind, sessions):
    result = load_battery.run_kind(kind, sessions, rounds=3, timeout=180)
    print(load_battery.summary(result))
    assert result["sessions_open"] == sessions, result.get("first_error")
    assert "open_errors" not in result and "echo_errors" not in result, result
    assert result["echo"]["n"] == 3 * sessions  # every answer came back, each its own text
    assert result["server_tracebacks"] == 0, result.get("server_log_tail")
    if kind == "thread":
        assert result["threads_loaded"] >= result["threads_baseline"] + sessions
        assert result["threads_after_close"] <= result["threads_baseline"] + 2
