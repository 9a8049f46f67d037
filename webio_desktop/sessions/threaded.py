"""Thread-based sessions: the app runs in its own thread and blocks while it waits."""
from __future__ import annotations

import functools
import logging
import queue
import threading
from typing import Any

from ..exceptions import SessionException
from .core import Callback, FlowFactory, FlowRun, Session, TaskContext, enter_task

logger = logging.getLogger("webio_desktop.session")

_STOP = object()


class ThreadSession(Session):
    """One thread runs the app; callbacks run in threads of their own (or one serial worker)."""

    kind = "thread"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user_threads: list[threading.Thread] = []
        self._serial_queue: queue.SimpleQueue | None = None

    # -- tasks ----------------------------------------------------------------------------------
    def start(self) -> None:
        self._spawn(self._run_app, name=f"webio-app-{self.id}")

    def _spawn(self, target: Any, *args: Any, name: str) -> threading.Thread:
        """Start a daemon thread bound to a new task of this session."""
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        self._bind(thread)
        thread.start()
        return thread

    def register_thread(self, thread: threading.Thread) -> None:
        """Let ``thread`` use the API as a task of this session (call before ``start()``).

        The session stays open until every registered thread has finished.
        """
        self._bind(thread)
        self._user_threads.append(thread)

    def _bind(self, thread: threading.Thread) -> None:
        task = TaskContext(self, self.new_id("t"))
        run = thread.run

        @functools.wraps(run)
        def run_in_task() -> None:
            enter_task(task)
            try:
                run()
            except SessionException:
                pass  # the page went away: the task just ends
            except Exception as exc:
                self.report_error(exc)

        thread.run = run_in_task  # type: ignore[method-assign]

    def _run_app(self) -> None:
        try:
            self.app()
        except SessionException:
            pass
        except Exception as exc:
            self.report_error(exc)
        self._finish()

    def _finish(self) -> None:
        """After the app returns: wait for its threads, hold if callbacks may still fire, end."""
        for thread in list(self._user_threads):
            if thread.ident is not None:
                thread.join()
        if self.has_callbacks:
            self._closed.wait()
        self.close()

    # -- waiting --------------------------------------------------------------------------------
    def run_flow(self, make_flow: FlowFactory) -> Any:
        run = FlowRun(self, make_flow, queue.SimpleQueue())
        try:
            run.start()
            while not run.done:
                run.feed(run.channel.get())
            return run.result
        finally:
            run.finish()

    def deliver(self, channel: queue.SimpleQueue, event: dict | None) -> None:
        channel.put(event)

    def hold(self) -> None:
        self._closed.wait()

    # -- callbacks ------------------------------------------------------------------------------
    def dispatch_callback(self, callback: Callback, data: Any) -> None:
        if not callback.serial:
            self._spawn(self._run_callback, callback, data, name=f"webio-callback-{self.id}")
            return
        if self._serial_queue is None:
            self._serial_queue = queue.SimpleQueue()
            self._spawn(self._serial_worker, self._serial_queue, name=f"webio-serial-{self.id}")
        self._serial_queue.put((callback, data))

    def _run_callback(self, callback: Callback, data: Any) -> None:
        try:
            callback.func(data)
        except SessionException:
            pass
        except Exception as exc:
            self.report_error(exc)

    def _serial_worker(self, jobs: queue.SimpleQueue) -> None:
        while (job := jobs.get()) is not _STOP:
            self._run_callback(*job)

    # -- close ----------------------------------------------------------------------------------
    def after_close(self) -> None:
        if self._serial_queue is not None:
            self._serial_queue.put(_STOP)
        # Deferred calls may block: never run them on the transport's event loop.
        threading.Thread(target=self.run_deferred, name=f"webio-close-{self.id}",
                         daemon=True).start()
