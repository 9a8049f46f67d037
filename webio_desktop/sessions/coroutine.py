"""Coroutine-based sessions: ``async def`` apps run as asyncio tasks on the server's loop.

Waiting calls return ordinary coroutines, so they work with ``await`` and with asyncio's own
tools (``gather``, ``wait_for``, ``shield``, ``create_task``).
"""
from __future__ import annotations

import asyncio
import contextvars
import inspect
import logging
from typing import Any, Awaitable, Coroutine

from ..exceptions import SessionException
from .core import Callback, FlowFactory, FlowRun, Session, TaskContext, enter_task

logger = logging.getLogger("webio_desktop.session")


class TaskHandler:
    """A handle on a coroutine started with ``run_async``."""

    def __init__(self, task: asyncio.Task) -> None:
        self._task = task

    def close(self) -> None:
        """Stop the coroutine."""
        self._task.get_loop().call_soon_threadsafe(self._task.cancel)

    def closed(self) -> bool:
        return self._task.done()

    def __repr__(self) -> str:
        return f"<TaskHandler {'closed' if self.closed() else 'running'}>"


class CoroutineSession(Session):
    """All tasks of the session run on one asyncio loop: the one it was created on."""

    kind = "coroutine"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.loop = asyncio.get_event_loop()
        self._tasks: set[asyncio.Task] = set()
        self._closed_future: asyncio.Future = self.loop.create_future()

    # -- tasks ----------------------------------------------------------------------------------
    def start(self) -> None:
        self._main = self._create_task(self._run_app())

    def _create_task(self, coro: Coroutine) -> asyncio.Task:
        context = contextvars.copy_context()
        context.run(enter_task, TaskContext(self, self.new_id("c")))
        task = self.loop.create_task(coro, context=context)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not isinstance(exc, SessionException):
            self.report_error(exc)

    async def _run_app(self) -> None:
        try:
            result = self.app()
            if inspect.isawaitable(result):
                await result
        except SessionException:
            return
        except Exception as exc:
            self.report_error(exc)
        me = asyncio.current_task()
        while others := [t for t in self._tasks if t is not me]:
            await asyncio.wait(others)
        if self.has_callbacks and not self.closed:
            await asyncio.shield(self._closed_future)
        self.close()

    def run_async(self, coro: Coroutine) -> TaskHandler:
        """Run ``coro`` as a new task of this session."""
        if not self._on_loop_thread():
            raise RuntimeError("run_async() must be called from the session's own coroutines")
        return TaskHandler(self._create_task(coro))

    def _on_loop_thread(self) -> bool:
        try:
            return asyncio.get_running_loop() is self.loop
        except RuntimeError:
            return False

    async def run_asyncio_coroutine(self, coro: Awaitable) -> Any:
        return await coro  # the session's loop is an asyncio loop: nothing to bridge

    # -- waiting --------------------------------------------------------------------------------
    def run_flow(self, make_flow: FlowFactory) -> Coroutine:
        if not self._on_loop_thread():
            raise RuntimeError("coroutine sessions can only be used from their own coroutines "
                               "(register_thread() is not available in coroutine sessions)")
        return self._drive(make_flow)

    async def _drive(self, make_flow: FlowFactory) -> Any:
        run = FlowRun(self, make_flow, asyncio.Queue())
        try:
            run.start()
            while not run.done:
                run.feed(await run.channel.get())
            return run.result
        finally:
            run.finish()

    def deliver(self, channel: asyncio.Queue, event: dict | None) -> None:
        if self._on_loop_thread():
            channel.put_nowait(event)
        else:
            self.loop.call_soon_threadsafe(channel.put_nowait, event)

    async def hold(self) -> None:
        await asyncio.shield(self._closed_future)

    # -- callbacks ------------------------------------------------------------------------------
    def dispatch_callback(self, callback: Callback, data: Any) -> None:
        self._create_task(self._run_callback(callback, data))

    async def _run_callback(self, callback: Callback, data: Any) -> None:
        result = callback.func(data)
        if inspect.isawaitable(result):
            await result

    # -- close ----------------------------------------------------------------------------------
    def after_close(self) -> None:
        def cancel_remaining() -> None:
            current = asyncio.current_task()
            for task in list(self._tasks):
                if task is not current:
                    task.cancel()

        def finish() -> None:
            if not self._closed_future.done():
                self._closed_future.set_result(None)
            self.run_deferred()
            # Tasks woken by close() first see SessionClosedException at their await (their
            # steps are already queued); whatever still runs after that is cancelled.
            self.loop.call_soon(cancel_remaining)

        if self._on_loop_thread():
            finish()
        else:
            self.loop.call_soon_threadsafe(finish)
