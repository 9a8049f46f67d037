"""Session functions (PyWebIO's ``pywebio.session``): talk to the page and manage the session."""
from __future__ import annotations

import base64
import threading
from collections.abc import Callable
from typing import Any

from . import protocol
from .exceptions import require
from .sessions.core import Session, SessionInfo, current_task, is_introspection

__all__ = ["run_async", "run_asyncio_coroutine", "register_thread", "hold", "defer_call",
           "run_js", "eval_js", "download", "set_env", "go_app", "local", "info", "data",
           "get_info", "get_current_session", "get_current_task_id"]

_ENV_KEYS = {"title", "output_animation", "auto_scroll_bottom", "http_pull_interval",
             "input_panel_fixed", "input_panel_min_height", "input_panel_init_height",
             "input_auto_focus", "output_max_width"}


def get_current_session() -> Session:
    """The session of the calling task (SessionNotFoundException outside one)."""
    return current_task().session


def get_current_task_id() -> str:
    return current_task().task_id


def run_js(code_: str, **args: Any) -> None:
    """Run JavaScript in the page; keyword arguments are visible to it as variables."""
    current_task().session.send(protocol.run_js(code_, args))


def eval_js(expression_: str, **args: Any) -> Any:
    """The JSON value of a JavaScript expression (promises are awaited; errors give None)."""
    session = current_task().session

    def flow(flow_id: str):
        session.send(protocol.run_js(expression_, args, flow_id))
        event = yield
        while event["event"] != "js_result":
            event = yield
        return event["data"]

    return session.run_flow(flow)


def download(name: str, content: bytes) -> None:
    """Let the user save ``content`` as a file called ``name``."""
    data = base64.b64encode(bytes(content)).decode()
    current_task().session.send(protocol.download(name, data))


def set_env(**env: Any) -> None:
    """Page settings: title, output_animation, auto_scroll_bottom, input_panel_* and more."""
    unknown = env.keys() - _ENV_KEYS
    require(not unknown, f"set_env(): unknown setting(s) {', '.join(sorted(unknown))}")
    current_task().session.send(protocol.set_env(env))


def go_app(name: str, new_window: bool = True) -> None:
    """Open another app of this server, in a new window or in place of this one."""
    current_task().session.send(protocol.go_app(name, new_window))


def hold() -> Any:
    """Keep the session open until the page is closed."""
    return current_task().session.hold()


def defer_call(func: Callable[[], Any]) -> Callable[[], Any]:
    """Run ``func()`` when the session ends (page closed or app done); usable as a decorator."""
    current_task().session.defer(func)
    return func


def register_thread(thread: threading.Thread) -> None:
    """Let a thread you start use the API within this session (thread sessions only)."""
    current_task().session.register_thread(thread)


def run_async(coro_obj: Any) -> Any:
    """Run a coroutine as a task of this session (coroutine sessions only)."""
    return current_task().session.run_async(coro_obj)


def run_asyncio_coroutine(coro_obj: Any) -> Any:
    """Await an asyncio coroutine from a coroutine session (a pass-through on asyncio loops)."""
    session = current_task().session
    runner = getattr(session, "run_asyncio_coroutine", None)
    if runner is None:
        raise RuntimeError("run_asyncio_coroutine() is only available in coroutine-based sessions")
    return runner(coro_obj)


class _LocalProxy:
    """``local``: the calling session's attribute namespace."""

    def _target(self):
        return current_task().session.local

    def __getattr__(self, name: str) -> Any:
        if is_introspection(name):  # pytest, pickle...: must not start a session
            raise AttributeError(name)
        if name == "_dict":
            return self._target()._dict
        return getattr(self._target(), name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target(), name, value)

    def __delattr__(self, name: str) -> None:
        delattr(self._target(), name)

    def __getitem__(self, name: str) -> Any:
        return self._target()[name]

    def __setitem__(self, name: str, value: Any) -> None:
        self._target()[name] = value

    def __delitem__(self, name: str) -> None:
        del self._target()[name]

    def __contains__(self, name: str) -> bool:
        return name in self._target()

    def __iter__(self):
        return iter(self._target())

    def __len__(self) -> int:
        return len(self._target())

    def __repr__(self) -> str:
        return repr(self._target())


class _InfoProxy:
    """``info``: facts about the calling session's page (read-only)."""

    def __getattr__(self, name: str) -> Any:
        if is_introspection(name):  # must not start a session
            raise AttributeError(name)
        return getattr(current_task().session.info, name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("session.info is read-only")

    def __repr__(self) -> str:
        return repr(current_task().session.info)


local = _LocalProxy()
info: SessionInfo = _InfoProxy()  # type: ignore[assignment]


def data() -> Any:
    """Deprecated name of ``local``."""
    return local


def get_info() -> Any:
    """Deprecated name of ``info``."""
    return info


# PyWebIO's session class names (for isinstance checks in apps); imported lazily because the
# session classes import this module's neighbours.
_SESSION_CLASSES = {
    "ThreadBasedSession": ("threaded", "ThreadSession"),
    "CoroutineBasedSession": ("coroutine", "CoroutineSession"),
    "ScriptModeSession": ("script_mode", "ScriptSession"),
}


def __getattr__(name: str) -> Any:
    import importlib
    import types

    if name in _SESSION_CLASSES:
        module, attr = _SESSION_CLASSES[name]
        return getattr(importlib.import_module(f"{__package__}.sessions.{module}"), attr)
    if name == "coroutinebased":  # ``session.coroutinebased.TaskHandler``
        from .sessions.coroutine import TaskHandler

        return types.SimpleNamespace(TaskHandler=TaskHandler)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
