"""``engines.base.beside_loop``: the launcher's imports run on a helper thread while the main
thread keeps turning the GUI loop (so the engine's processes, started early, finish their
start-up handshake), on a stand-in loop: a queue of events."""
from __future__ import annotations

import queue
import threading

import pytest

from webio_desktop.desktop.engines.base import beside_loop


class StandInLoop:
    """``turn`` waits for the next event and answers it; ``post`` is thread-safe."""

    def __init__(self) -> None:
        self.events: queue.Queue = queue.Queue()
        self.turned_on: set[str] = set()
        self.answers: dict[str, threading.Event] = {}

    def post(self, name: str) -> threading.Event:
        answer = self.answers.setdefault(name, threading.Event())
        self.events.put(name)
        return answer

    def turn(self) -> None:
        self.turned_on.add(threading.current_thread().name)
        self.answers[self.events.get(timeout=10)].set()


def test_work_runs_on_another_thread_while_this_one_turns_the_loop():
    loop = StandInLoop()
    ran_on = []

    def work() -> None:
        ran_on.append(threading.current_thread().name)
        for i in range(3):  # an engine process's start-up handshake: it waits for answers
            assert loop.post(f"engine message {i}").wait(10), "the loop did not turn"

    beside_loop(work, turn=loop.turn, wake=lambda: loop.post("wake"))
    assert ran_on and ran_on[0] != threading.current_thread().name
    assert loop.turned_on == {threading.current_thread().name}


def test_an_error_in_the_work_is_raised_here_once_the_loop_stops():
    loop = StandInLoop()

    def work() -> None:
        raise ImportError("no module named 'missing'")

    with pytest.raises(ImportError, match="missing"):
        beside_loop(work, turn=loop.turn, wake=lambda: loop.post("wake"))
