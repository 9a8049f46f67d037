"""Thread-based sessions: the app runs in its own thread and blocks while it waits."""
from __future__ import annotations

import functools
import logging
import queue
import threading
from collections import deque
from typing import Any, Callable

from .. import protocol
from .core import Callback, FlowFactory, FlowRun, Session, TaskContext, enter_task

logger = logging.getLogger("webio_desktop.session")

_STOP = object()

# Callbacks of one thread session run on at most this many threads at once (more events wait
# in order for a free one); at most CALLBACK_QUEUE events wait, more are dropped with a warning.
CALLBACK_THREADS = 16
CALLBACK_QUEUE = 10_000


class CallbackPool:
    """Runs a session's callbacks on at most ``size`` threads, started on demand and ended when
    nothing waits: a burst of clicks on a blocking callback no longer makes a thread per click.
    Jobs start in the order they came."""

    def __init__(self, spawn: Callable[[Callable[[], None]], Any], size: int,
                 queue_size: int) -> None:
        self._spawn = spawn
        self._size = size
        self._queue_size = queue_size
        self._jobs: deque[Callable[[], None]] = deque()
        self._lock = threading.Lock()
        self._workers = 0
        self.closed = False

    def submit(self, job: Callable[[], None]) -> bool:
        """Queue ``job``; False when the queue is full (the job is dropped)."""
        with self._lock:
            if self.closed or len(self._jobs) >= self._queue_size:
                return False
            self._jobs.append(job)
            if self._workers >= self._size:
                return True
            self._workers += 1
        self._spawn(self._work)
        return True

    def _work(self) -> None:
        while True:
            with self._lock:
                if self.closed or not self._jobs:
                    self._workers -= 1
                    return
                job = self._jobs.popleft()
            job()

    def close(self) -> None:
        """Drop what waits; running callbacks finish (they see the session closed)."""
        with self._lock:
            self.closed = True
            self._jobs.clear()


class ThreadSession(Session):
    """One thread runs the app; callbacks run on a small pool of threads (CallbackPool), or in
    order on one serial worker (``serial_mode``)."""

    kind = "thread"
    tasks_may_block = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._user_threads: list[threading.Thread] = []
        self._serial_queue: queue.SimpleQueue | None = None
        self._pool = CallbackPool(
            lambda work: self._spawn(work, name=f"webio-callback-{self.id}"),
            CALLBACK_THREADS, CALLBACK_QUEUE)

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
            with self.user_code():
                run()

        thread.run = run_in_task  # type: ignore[method-assign]

    def _run_app(self) -> None:
        with self.user_code():
            self.app()
        self.finish()

    def finish(self) -> None:
        """After the app returns: the core's ``after_app`` waits, each blocking this thread."""
        for wait in self.after_app():
            wait()

    def wait_tasks(self) -> None:
        for thread in list(self._user_threads):
            if thread.ident is not None:
                thread.join()

    def wait_closed(self) -> None:
        self._closed.wait()

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
        self.wait_closed()

    # -- callbacks ------------------------------------------------------------------------------
    def dispatch_callback(self, callback: Callback, data: Any) -> None:
        if not callback.serial:
            job = functools.partial(self._run_callback, callback, data, True)
            if not self._pool.submit(job):
                self.warn("%d callbacks are waiting already: dropped a click on %s",
                          CALLBACK_QUEUE, protocol.clip(getattr(callback.func, "__name__", "?")))
            return
        if self._serial_queue is None:
            self._serial_queue = queue.SimpleQueue()
            self._spawn(self._serial_worker, self._serial_queue, name=f"webio-serial-{self.id}")
        self._serial_queue.put((callback, data))

    def _run_callback(self, callback: Callback, data: Any, own_task: bool = False) -> None:
        if own_task:  # a pool thread runs many callbacks: each is a task of its own
            enter_task(TaskContext(self, self.new_id("t")))
        with self.user_code():
            callback.func(data)

    def _serial_worker(self, jobs: queue.SimpleQueue) -> None:
        while (job := jobs.get()) is not _STOP:
            self._run_callback(*job)

    # -- close ----------------------------------------------------------------------------------
    def after_close(self) -> None:
        self._pool.close()
        if self._serial_queue is not None:
            self._serial_queue.put(_STOP)
        # Deferred calls may block: never run them on the transport's event loop.
        threading.Thread(target=self.run_deferred, name=f"webio-close-{self.id}",
                         daemon=True).start()
