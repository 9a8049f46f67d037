"""The simulated user: runs an app in-process against a simulated page and acts on it.

The app runs in a real session (``sessions/``: thread or coroutine, the same flows, callbacks
and pins as under a server); only the transport is ours. Every frame the session sends is
applied to a :class:`~webio_desktop.testing.page.Page` at once, under one lock, and waiters are
woken by a condition variable: nothing here sleeps a fixed time. Acting sends the events the
front end would send (``static/forms.js``, ``outputs.js``, ``pin.js``), validated by
``protocol.validate_event``.
"""
from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
import traceback
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .. import protocol
from ..exceptions import SessionException
from ..server.apps import AppMap, is_coroutine_app, normalize_apps
from ..server.bootstrap import DEFAULT_PAYLOAD_SIZE
from ..server.connect import HandlerOptions
from ..server.link import SessionLink, open_link
from ..page_config import page_settings
from ..sessions.core import Session, SessionInfo
from ..sessions.coroutine import CoroutineSession
from ..sessions.threaded import ThreadSession
from ..utils import parse_file_size
from .dom import CLICKABLE_ROLES, Node
from .forms import ActionError, Button, Field, Form, UploadFile
from .host import HarnessHost
from .page import AppOpened, Download, JsCall, Page, Popup, Toast

__all__ = ["User", "AppError", "ActionError", "Element", "UploadFile"]

logger = logging.getLogger("webio_desktop.testing")

DEFAULT_TIMEOUT = 5.0
DEFAULT_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/120.0.0.0 Safari/537.36")


class AppError(AssertionError):
    """The app (or one of its callbacks) raised: the test fails with the app's traceback."""


def _norm(text: str) -> str:
    return " ".join(str(text).split())


# -- sessions that tell the harness about errors in app code -------------------------------------

class _Recording:
    """Mixin: an error in app code is also handed to the harness (then handled as usual)."""

    harness_error: Callable[[BaseException], None] | None = None

    def report_error(self, exc: BaseException) -> None:
        if self.harness_error is not None and not isinstance(exc, SessionException):
            self.harness_error(exc)
        super().report_error(exc)  # type: ignore[misc]


class _ThreadSession(_Recording, ThreadSession):
    pass


class _CoroutineSession(_Recording, CoroutineSession):
    pass


_loop_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def _session_loop() -> asyncio.AbstractEventLoop:
    """One asyncio loop, in a daemon thread, for every coroutine app under test."""
    global _loop
    with _loop_lock:
        if _loop is None:
            loop = asyncio.new_event_loop()
            threading.Thread(target=loop.run_forever, name="webio-testing-loop",
                             daemon=True).start()
            _loop = loop
        return _loop


class _ErrorLog(logging.Handler):
    """Errors the library only logs (validate, onchange, action and defer_call functions)."""

    def __init__(self, record: Callable[[BaseException], None]) -> None:
        super().__init__(logging.ERROR)
        self.record = record

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info and isinstance(record.exc_info[1], Exception) \
                and not isinstance(record.exc_info[1], SessionException):
            self.record(record.exc_info[1])


# -- the transport: the session's link to the simulated page ---------------------------------------

class _PageLink:
    """``sessions.core.Transport`` for one session: frames go straight to the page."""

    def __init__(self, user: "User", session: Session, page: Page) -> None:
        self.user = user
        self.session = session
        self.page = page

    def notify(self) -> None:
        self.user._pump(self)

    def close(self) -> None:
        self.user._pump(self)

    def pending_bytes(self) -> int:
        return 0  # frames go straight to the page


class _Socket:
    """``server.link.Peer``: the simulated page's WebSocket (socket mode)."""

    def __init__(self, user: "User") -> None:
        self.user = user
        self.close_code: int | None = None
        self.buffered = 0  # frames reach the page at once

    def send_text(self, text: str) -> None:
        self.user._frame(self, text)

    def close(self, code: int = 1000, reason: str = "") -> None:
        self.close_code = code
        with self.user._family.cond:
            if self.user._socket is self:
                self.user._socket = None
            self.user._family.cond.notify_all()


class _Family:
    """What the windows of one test share: the apps, the lock, errors, settings."""

    def __init__(self, apps: AppMap, info: dict[str, Any], timeout: float,
                 eval_js: Callable[[str, dict], Any] | None, max_message_size: int | None,
                 reconnect_timeout: float | None, host: HarnessHost | None) -> None:
        self.apps = apps
        # With a reconnect timeout the page talks to the real WebSocket link (server/link.py)
        # through a simulated socket, so dropping and resuming the connection can be tested.
        self.options: HandlerOptions | None = None
        if reconnect_timeout is not None:
            self.options = HandlerOptions(apps, max_message_size=max_message_size,
                                          reconnect_timeout=reconnect_timeout)
        self.info = info
        self.timeout = timeout
        self.eval_js = eval_js
        self.max_message_size = max_message_size
        self.cond = threading.Condition(threading.RLock())
        self.errors: list[BaseException] = []
        self.reported: set[int] = set()
        self.windows: list[User] = []
        self.own_host = host is None
        self.host = host or HarnessHost()
        self.log = _ErrorLog(self.record_error)

    def record_error(self, exc: BaseException) -> None:
        with self.cond:
            if all(e is not exc for e in self.errors):
                self.errors.append(exc)
            self.cond.notify_all()


class Element:
    """An element of the page found by text, role or scope (a snapshot handle)."""

    def __init__(self, user: "User", node: Node) -> None:
        self._user = user
        self.node = node

    @property
    def text(self) -> str:
        """Its visible text."""
        with self._user._family.cond:
            return self.node.visible_text

    @property
    def role(self) -> str | None:
        return self.node.role

    @property
    def label(self) -> str:
        with self._user._family.cond:
            return self.node.label

    @property
    def rows(self) -> list[list[str]]:
        """A table's rows as lists of cell texts (the header row first)."""
        with self._user._family.cond:
            return _table_rows(self.node)

    def click(self) -> None:
        self._user._act_on_node(self.node)

    def __repr__(self) -> str:
        return repr(self.node)


def _script_page() -> None:
    """The page of a script in script mode: the script itself produces its outputs."""


def _table_rows(node: Node) -> list[list[str]]:
    return [[cell.visible_text for cell in row.children if not cell.hidden]
            for row in node.walk() if row.role == "row"]


class User:
    """A simulated user on one page (window) of an app.

    ``applications`` is what ``start_server`` takes (a function, a list, a dict); ``app`` picks
    one as ``?app=NAME`` does (default ``index``). ``user_agent``, ``language`` and ``info``
    (other ``session.info`` fields) make the fake request the app sees. ``timeout`` bounds
    every wait (seconds). ``eval_js(code, args)`` answers the app's ``eval_js`` calls (default:
    None, as a page answers code that fails). Use it as a context manager, or ``close()`` it.
    """

    def __init__(self, applications: Any, app: str | None = None, *,
                 user_agent: str = DEFAULT_USER_AGENT, language: str = "en-US",
                 info: Mapping[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT,
                 eval_js: Callable[[str, dict], Any] | None = None,
                 max_payload_size: int | str = DEFAULT_PAYLOAD_SIZE, reconnect_timeout: float | None = None,
                 _family: _Family | None = None, _script: HarnessHost | None = None) -> None:
        if _family is None:
            apps = {"index": _script_page} if _script is not None else normalize_apps(
                applications)
            fields = {"user_agent": user_agent, "user_language": language,
                      "server_host": "testserver", "origin": "http://testserver",
                      "user_ip": "127.0.0.1", "backend": "testing", "protocol": "simulated",
                      **(info or {})}
            _family = _Family(apps, fields, timeout, eval_js, parse_file_size(max_payload_size),
                              reconnect_timeout, _script)
            if _family.own_host:
                _family.host.install()
            logging.getLogger("webio_desktop").addHandler(_family.log)
        self._family = _family
        _family.windows.append(self)
        self.app_name = ""
        self.session: Session | None = None
        self.link: SessionLink | None = None  # socket mode (reconnect_timeout) only
        self._socket: _Socket | None = None
        self._offline: list[str] = []  # events sent while the socket is down
        self.page = Page()
        self.visited_urls: list[str] = []
        self._pending: list[AppOpened] = []
        self._closed = False
        try:
            self._start(app or "index")
        except BaseException:  # e.g. no such app: nothing stays installed
            _family.windows.remove(self)
            if not _family.windows:
                self._release()
            raise

    @classmethod
    def from_script(cls, path: str | Path, app: str | None = None, **options: Any) -> "User":
        """Run a script as ``__main__`` (in a thread, as the desktop launcher does) and test
        it: the apps it passes to ``start_server``, or its page when it uses the API without
        a server (script mode)."""
        host = HarnessHost(script=True)
        host.install()
        try:
            host.run_script(Path(path).resolve(), options.get("timeout", DEFAULT_TIMEOUT))
        except BaseException:
            host.uninstall()
            raise
        if host.apps is not None:
            host.uninstall()
            return cls(host.apps, app, **options)
        return cls(None, None, _script=host, **options)

    # -- lifetime -----------------------------------------------------------------------------
    def _start(self, name: str) -> None:
        family = self._family
        if name not in family.apps:
            raise LookupError(f"no app named {name!r}; the apps: {sorted(family.apps)}")
        func = family.apps[name]
        page = Page(title=page_settings(func)["title"])
        page.eval_js = family.eval_js
        page.on_open_app = self._pending.append
        with family.cond:
            self.app_name, self.page = name, page
        if family.options is not None:
            self._start_socket(name)
            return
        script = family.host.script_session
        if func is _script_page and script is not None:  # the script already runs: show it
            script.claim(SessionInfo(**family.info))
            with family.cond:
                self.session = script
            script.attach(_PageLink(self, script, page))
            return
        session = self._new_session(func)
        session.max_message_size = family.max_message_size
        with family.cond:
            self.session = session
        session.attach(_PageLink(self, session, page))
        session.start()

    def _new_session(self, func: Callable) -> Session:
        """A real session for ``func`` (thread or coroutine) that reports app errors to us."""
        family = self._family
        info = SessionInfo(**family.info)
        if is_coroutine_app(func):
            loop = _session_loop()

            async def make() -> Session:
                return _CoroutineSession(func, info, loop=loop)

            try:
                on_loop = asyncio.get_running_loop() is loop
            except RuntimeError:
                on_loop = False
            session: Session = _CoroutineSession(func, info, loop=loop) if on_loop else \
                asyncio.run_coroutine_threadsafe(make(), loop).result(family.timeout)
        else:
            session = _ThreadSession(func, info)
        session.harness_error = family.record_error  # type: ignore[attr-defined]
        return session

    # -- socket mode: the page behind the real WebSocket link ---------------------------------
    def _start_socket(self, name: str) -> None:
        options = self._family.options
        assert options is not None
        options.session_factory = lambda app, _info: self._new_session(options.apps[app])
        link = self._on_loop(lambda: open_link(options, self._new_socket(),
                                               {"app": name}, SessionInfo()))
        assert link is not None
        with self._family.cond:
            self.link, self.session = link, link.session
        link.session.start()

    def _new_socket(self) -> "_Socket":
        self._socket = _Socket(self)
        return self._socket

    def _on_loop(self, func: Callable[[], Any]) -> Any:
        async def run() -> Any:
            return func()

        return asyncio.run_coroutine_threadsafe(run(), _session_loop()).result(
            self._family.timeout)

    def _frame(self, socket: "_Socket", text: str) -> None:
        """A text frame on the simulated socket (on the loop): the page applies it."""
        family = self._family
        with family.cond:
            if socket is not self._socket:
                return
            self._apply(json.loads(text))
            answers, self.page.answers = self.page.answers, []
            family.cond.notify_all()
        for event in answers:
            self._deliver(self.session, event)  # type: ignore[arg-type]

    def disconnect(self) -> None:
        """The socket drops (network gone): the page keeps its state and queues what the user
        does; the server keeps the session for ``reconnect_timeout`` seconds."""
        socket, link = self._socket, self.link
        if socket is None or link is None:
            raise ActionError("not connected (or no reconnect_timeout was given)")
        with self._family.cond:
            self._socket = None
        self._on_loop(lambda: link.lost(socket))

    def reconnect(self) -> None:
        """The page opens a new socket (``?resume=1``), names its session by the secret token
        in the first message (with the frames it applied), then sends the events it queued
        meanwhile. After the session expired, the page is told it ended."""
        options = self._family.options
        if options is None or self._socket is not None:
            raise ActionError("already connected (or no reconnect_timeout was given)")
        socket = self._new_socket()
        link = self._on_loop(lambda: open_link(options, socket, {"app": self.app_name,
                                                                 "resume": "1"}, SessionInfo()))
        queued, self._offline = self._offline, []
        if link is not None:
            resume = json.dumps({"event": "resume", "token": self.page.session_id or "",
                                 "frames": self.page.frames})
            self._on_loop(lambda: link.receive(socket, resume))
            for text in queued:
                self._on_loop(lambda text=text: link.receive(socket, text))

    def close(self) -> None:
        """Close the page (and the windows it opened): the app sees SessionClosedException,
        its ``defer_call`` functions run (waited for). Then fail with any unreported app error.
        """
        family = self._family
        if self is family.windows[0]:
            for window in family.windows[1:]:
                window._leave()
        self._leave()
        if self is family.windows[0]:
            self._release()
            if not family.own_host:  # a script: it ends once its page is gone
                family.host.script_done.wait(family.timeout)
        self._raise_app_errors()

    def _release(self) -> None:
        """Take the harness out of the library: its host and its error log."""
        self._family.host.uninstall()
        logging.getLogger("webio_desktop").removeHandler(self._family.log)

    def _leave(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._end_session()

    def _end_session(self) -> None:
        """The page goes away (closed, or navigated): as when its socket closes."""
        session = self.session
        if session is None:
            return
        socket, link = self._socket, self.link
        if socket is not None and link is not None:
            self._socket = None
            self._on_loop(lambda: link.lost(socket))
        if not session.closed:
            if isinstance(session, CoroutineSession):
                session.loop.call_soon_threadsafe(lambda: session.close(from_page=True))
            else:
                session.close(from_page=True)
        wait_done = getattr(session, "wait_done", None)
        if wait_done is not None and not wait_done(self._family.timeout):
            raise AssertionError(f"the session's defer_call functions did not finish within "
                                 f"{self._family.timeout}s")

    def __enter__(self) -> "User":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        if exc_info[0] is None:
            self.close()
        else:  # the test already failed: do not hide that failure behind an app error
            try:
                self.close()
            except AssertionError:
                pass

    # -- frames from the session --------------------------------------------------------------
    def _pump(self, link: _PageLink) -> None:
        family = self._family
        with family.cond:
            commands = link.session.take_outbox()
            if link.page is not self.page:
                return  # the page this session had is gone (navigated away)
            if commands:
                self._apply(commands)
            answers, self.page.answers = self.page.answers, []
            family.cond.notify_all()
        for event in answers:
            self._deliver(link.session, event)

    def _apply(self, commands: list[dict]) -> None:
        """Apply a frame to the page; a failure of the simulation itself fails the test too
        (it must not vanish into the app thread, where an output's finaliser would hide it)."""
        try:
            self.page.apply(commands)
        except Exception as exc:
            error = RuntimeError(f"the simulated page failed to apply a frame: {exc!r}")
            error.__cause__ = exc
            self._family.record_error(error)

    def _deliver(self, session: Session, event: dict) -> None:
        """Hand an event to the session as a transport does (validated, on the right thread)."""
        event = protocol.validate_event(event)
        if self._family.options is not None:  # socket mode: as JSON, through the link
            text = json.dumps(event)
            socket, link = self._socket, self.link
            if socket is None or link is None:
                self._offline.append(text)
            else:
                _session_loop().call_soon_threadsafe(link.receive, socket, text)
            return
        if isinstance(session, CoroutineSession):
            session.loop.call_soon_threadsafe(session.receive, event)
        else:
            session.receive(event)

    def _send(self, event: dict) -> None:
        if self.page.ended:
            raise ActionError("the session has ended: the page sends nothing more")
        assert self.session is not None
        self._deliver(self.session, event)

    # -- navigation (go_app, app links) -------------------------------------------------------
    def _settle(self) -> None:
        """Open the apps the pages asked for (in their window or new ones), in the test's
        thread."""
        family = self._family
        while True:
            with family.cond:
                window = next((w for w in family.windows if w._pending), None)
                if window is None:
                    return
                opened = window._pending.pop(0)
            if opened.new_window:
                User(None, opened.name, _family=family)
            else:
                window._end_session()
                window._start(opened.name)

    def _navigating(self) -> bool:
        return any(w._pending for w in self._family.windows)

    @property
    def windows(self) -> list["User"]:
        """Every window of this test, the first one first (``go_app(new_window=True)`` adds
        one)."""
        self._settle()
        return list(self._family.windows)

    def open(self, name: str) -> "User":
        """Open app ``name`` in a new window (as a user typing ``?app=NAME``)."""
        return User(None, name, _family=self._family)

    # -- errors -------------------------------------------------------------------------------
    def _unreported(self) -> BaseException | None:
        family = self._family
        for exc in family.errors:
            if id(exc) not in family.reported:
                return exc
        return None

    def _raise_app_errors(self) -> None:
        with self._family.cond:
            exc = self._unreported()
            if exc is None:
                return
            self._family.reported.add(id(exc))
        text = "".join(traceback.format_exception(exc)).rstrip()
        raise AppError(f"the app raised an exception:\n{text}") from exc

    def app_error(self, kind: type[BaseException] = Exception, timeout: float | None = None
                  ) -> BaseException:
        """Wait for an error in app code of type ``kind`` and take it (it then no longer fails
        the test): for tests of what happens when the app fails."""
        family = self._family
        found: list[BaseException] = []

        def check() -> bool:
            for exc in family.errors:
                if id(exc) not in family.reported and isinstance(exc, kind):
                    family.reported.add(id(exc))
                    found.append(exc)
                    return True
            return False

        self._wait(check, f"an error of type {kind.__name__} in the app", timeout, errors=False)
        return found[0]

    # -- waiting ------------------------------------------------------------------------------
    def _wait(self, predicate: Callable[[], Any], what: str, timeout: float | None = None,
              errors: bool = True, poll: float | None = None,
              thorough: Callable[[], Any] | None = None) -> Any:
        """Wait until ``predicate()`` (called under the page lock) is truthy; fail with the page
        as text after ``timeout`` s, or with the app's traceback if the app raised.

        ``thorough``: a costlier, complete form of the predicate, checked only when the page
        has been still for 50 ms and at the deadline (the cheap one runs at every change)."""
        family = self._family
        limit = family.timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        idle = False
        while True:
            self._settle()
            with family.cond:
                while True:
                    if errors and self._unreported() is not None:
                        break
                    result = predicate()
                    if result:
                        return result
                    if idle and thorough is not None and thorough():
                        return True
                    if self._navigating():
                        break
                    left = deadline - time.monotonic()
                    if left <= 0:
                        if thorough is not None and thorough():
                            return True
                        raise AssertionError(f"timed out after {limit:g}s waiting for {what}\n"
                                             f"{self.page.dump()}")
                    step = left if poll is None else min(left, poll)
                    if thorough is not None:
                        step = min(step, 0.05)
                    idle = not family.cond.wait(step)
            if errors and self._unreported() is not None:
                self._raise_app_errors()

    def wait_until(self, condition: Callable[[], Any], what: str = "a condition",
                   timeout: float | None = None) -> Any:
        """Wait (bounded) until ``condition()`` is truthy. It is checked whenever the page
        changes, and every 20 ms for conditions on state outside the page."""
        return self._wait(condition, what, timeout, poll=0.02)

    def should_see(self, text: str | None = None, *, role: str | None = None,
                   scope: str | None = None, timeout: float | None = None) -> None:
        """Wait until the page shows ``text`` (in an element of ``role``, in ``scope``)."""
        what = " ".join(filter(None, [f"text {text!r}" if text is not None else None,
                                      f"role {role!r}" if role else None,
                                      f"in scope {scope!r}" if scope else None]))
        if text is not None and role is None and scope is None:
            words = _norm(text)  # runs of text at every change, the whole text when still
            self._wait(lambda: self.page.shows(words, quick=True), f"text {text!r}", timeout,
                       thorough=lambda: self.page.shows(words))
            return
        self._wait(lambda: self._matches(text, role, scope), what or "anything", timeout)

    def should_not_see(self, text: str | None = None, *, role: str | None = None,
                       scope: str | None = None, timeout: float | None = None) -> None:
        """Wait until the page no longer shows ``text`` (returns at once if it does not)."""
        self._wait(lambda: not self._matches(text, role, scope),
                   f"{text!r} to disappear", timeout)

    def _matches(self, text: str | None, role: str | None, scope: str | None) -> bool:
        if role is None and scope is None:
            return text is None or self.page.shows(_norm(text))
        return bool(self._find(text, role, scope))

    def wait_closed(self, timeout: float | None = None) -> None:
        """Wait until the session has ended (the app returned, or closed it)."""
        self._wait(lambda: self.session is not None and self.session.closed,
                   "the session to end", timeout)

    # -- reading the page ---------------------------------------------------------------------
    def text(self, scope: str | None = None) -> str:
        """The visible text of the page (outputs, popup, form, toasts) or of one scope."""
        self._settle()
        with self._family.cond:
            if scope is None:
                return self.page.text()
            node = self.page.find_scope(scope)
            if node is None:
                raise LookupError(f"no scope {scope!r} on the page")
            return node.visible_text

    def dump(self) -> str:
        """The page as text, by sections (what a failed wait prints)."""
        with self._family.cond:
            return self.page.dump()

    def _roots(self, scope: str | None) -> list[Node]:
        if scope is not None:
            node = self.page.find_scope(scope)
            return [node] if node is not None else []
        roots = [self.page.root]
        if self.page.popup is not None:
            roots.append(self.page.popup.body)
        return roots

    def _find(self, text: str | None, role: str | None, scope: str | None) -> list[Node]:
        wanted = None if text is None else _norm(text)
        found: list[Node] = []
        for root in self._roots(scope):
            for node in root.walk():
                if node.tag == "#text" or (role is not None and node.role != role):
                    continue
                if wanted is not None and wanted not in _norm(node.label):
                    continue
                found.append(node)
        # The most specific elements: drop those that contain another match.
        ids = {id(n) for n in found}
        return [n for n in found if not any(id(d) in ids for d in n.walk() if d is not n)]

    def find(self, text: str | None = None, *, role: str | None = None,
             scope: str | None = None) -> list[Element]:
        """The elements shown now whose text contains ``text`` (the innermost ones), of
        ``role`` (button, link, text, heading, table, row, cell, img, alert, status, tab,
        field, grid...), inside ``scope``. Does not wait: see ``should_see``."""
        self._settle()
        with self._family.cond:
            return [Element(self, n) for n in self._find(text, role, scope)]

    def table(self, text: str | None = None, *, scope: str | None = None,
              index: int = 0) -> list[list[str]]:
        """Rows of a table (``put_table``, a markdown table, a datatable) as cell texts, the
        header first; waits until there is one (containing ``text``)."""
        def tables() -> list[Node]:
            return [n for root in self._roots(scope) for n in root.walk()
                    if n.role in ("table", "grid")
                    and (text is None or _norm(text) in _norm(n.visible_text))]

        found = self._wait(lambda: len(tables()) > index and tables(), "a table", None)
        with self._family.cond:
            return _table_rows(found[index])

    @property
    def title(self) -> str:
        """The window (document) title: the app's config title, then set_env(title=...)."""
        self._settle()
        return self.page.title

    @property
    def toasts(self) -> list[str]:
        """The toasts shown (the simulation keeps them until clicked: no time passes)."""
        self._settle()
        with self._family.cond:
            return [t.content for t in self.page.toasts if not t.closed]

    @property
    def popup(self) -> Popup | None:
        """The open popup (``title``, ``text``), or None."""
        self._settle()
        return self.page.popup

    @property
    def form(self) -> Form | None:
        """The form shown now (``label``, ``fields`` by name, ``buttons``), or None."""
        self._settle()
        return self.page.form

    def field(self, label: str) -> Field:
        """A field of the current form or a pin widget, by label or name (waits for it):
        ``value`` (as shown), ``options``, ``message`` (validation), ``invalid``..."""
        return self._field_target(label, editable=False)[0]

    @property
    def pins(self) -> dict[str, Any]:
        """The pin widgets on the page: name -> value as shown."""
        self._settle()
        with self._family.cond:
            return {name: node.data["field"].value
                    for name, node in self.page.pins.items() if node.connected}

    @property
    def js_calls(self) -> list[JsCall]:
        """Every ``run_js``/``eval_js`` the page ran (``code``, ``args``, ``task``)."""
        return list(self.page.js_calls)

    @property
    def downloads(self) -> list[Download]:
        """Files the app sent for saving (``name``, ``content`` bytes)."""
        return list(self.page.downloads)

    @property
    def opened(self) -> list[AppOpened]:
        """Apps this page opened (``go_app``, app links): ``name`` and ``new_window``."""
        return list(self.page.opened)

    @property
    def closed(self) -> bool:
        """The session has ended."""
        return self.session is not None and self.session.closed

    def answer_eval_js(self, answer: Callable[[str, dict], Any] | None) -> None:
        """Answer the app's ``eval_js(code, **args)`` with ``answer(code, args)``."""
        with self._family.cond:
            self._family.eval_js = answer
            self.page.eval_js = answer

    # -- acting -------------------------------------------------------------------------------
    def _check_modal(self, node: Node | None) -> str | None:
        """Why the user can not reach ``node`` (None: a form control) now, or None."""
        popup = self.page.popup
        if popup is None:
            return None
        parent = node
        while parent is not None:
            if parent is popup.body:
                return None
            parent = parent.parent
        return f"the popup {popup.title!r} is open: close it first (close_popup())"

    def _field_target(self, label: str, *, editable: bool = True,
                      option: bool = False) -> tuple[Field, Node | None]:
        wanted = _norm(label)

        def candidates() -> list[tuple[Field, Node | None]]:
            items: list[tuple[Field, Node | None]] = []
            form = self.page.form
            if form is not None:
                items += [(f, None) for f in form.fields.values() if f.type != "actions"]
            items += [(n.data["field"], n) for n in self.page.pins.values()
                      if n.connected and not n.is_hidden]
            return items

        def pick() -> Any:
            items = candidates()
            for test in (lambda f: _norm(f.label) == wanted, lambda f: f.name == label,
                         lambda f: wanted in _norm(f.label),
                         lambda f: option and wanted in [_norm(o) for o in f.options]):
                hits = [(f, n) for f, n in items if test(f)]
                if len(hits) > 1:
                    raise ActionError(f"{len(hits)} fields match {label!r}: "
                                      f"{[f.label or f.name for f, _ in hits]}")
                if hits:
                    field, node = hits[0]
                    if editable and (field.form is not None and field.form.busy):
                        return None  # waiting for the server: try again when it answers
                    return hits[0]
            return None

        return self._wait(pick, f"a field {label!r}")

    def _edited(self, field: Field, node: Node | None, *, blur: bool = True) -> None:
        """Send what the page sends after the user changed ``field``."""
        if node is not None:  # a pin widget: every edit is reported
            self._send({"event": "pin_change", "name": field.name, "value": field.raw_value()})
            return
        form = field.form
        assert form is not None
        if field.spec.get("onchange"):
            self._send({"event": "input", "task": form.task, "name": field.name,
                        "trigger": "change", "value": field.raw_value()})
        if blur and field.spec.get("onblur"):
            self._send({"event": "input", "task": form.task, "name": field.name,
                        "trigger": "blur", "value": field.raw_value()})

    def _edit(self, label: str, change: Callable[[Field], None], option: bool = False) -> None:
        field, node = self._field_target(label, option=option)
        with self._family.cond:
            problem = self._check_modal(node)
            if problem:
                raise ActionError(problem)
            if field.validity.get("valid_status") is not None:
                field.validity = {}  # a message was about the old value: it goes at the edit
            change(field)
            self.page.touch()
        self._edited(field, node)

    def fill(self, label: str, value: Any) -> None:
        """Type ``value`` into the field labelled ``label`` (or named so): a text, number,
        date... field or textarea of the current form, or a pin widget; a slider takes a
        number. Then leave the field (onchange and validate run as in a browser)."""
        self._edit(label, lambda f: f.type_text(value))

    def choose(self, label: str, *options: str) -> None:
        """Choose exactly these options (by label) in a select, radio or checkbox field."""
        self._edit(label, lambda f: f.choose(list(options)))

    def check(self, label: str, *options: str) -> None:
        """Tick options of a checkbox field; ``check('Urgent')`` finds the field by option."""
        if not options:
            self._edit(label, lambda f: f.toggle(label, True), option=True)
        else:
            self._edit(label, lambda f: [f.toggle(o, True) for o in options])

    def uncheck(self, label: str, *options: str) -> None:
        """Untick options of a checkbox field (as ``check``)."""
        if not options:
            self._edit(label, lambda f: f.toggle(label, False), option=True)
        else:
            self._edit(label, lambda f: [f.toggle(o, False) for o in options])

    def upload(self, label: str, *files: UploadFile | tuple[str, bytes]
               | Mapping[str, bytes]) -> None:
        """Choose files for a file field: ``UploadFile``s, ``(name, bytes)`` pairs or a dict."""
        chosen: list[UploadFile] = []
        for item in files:
            if isinstance(item, UploadFile):
                chosen.append(item)
            elif isinstance(item, Mapping):
                chosen += [UploadFile(n, bytes(c)) for n, c in item.items()]
            else:
                chosen.append(UploadFile(item[0], bytes(item[1])))
        self._edit(label, lambda f: f.choose_files(chosen))

    def set_pin(self, name: str, value: Any) -> None:
        """Change pin widget ``name`` as a user would (type, choose or tick)."""
        def change(field: Field) -> None:
            if field.type in ("select", "radio", "checkbox"):
                field.choose(list(value) if isinstance(value, (list, tuple)) else [value])
            else:
                field.type_text(value)
        self._edit(name, change)

    # -- buttons, links, clickable outputs ----------------------------------------------------
    def _clickables(self) -> list[tuple[str, Any]]:
        """(label, target) of everything a user can click now: outputs (and the popup), the
        form's buttons, input action buttons, pin buttons."""
        items: list[tuple[str, Any]] = []
        for root in self._roots(None):
            for node in root.walk():
                if node.tag == "field" and node.data["field"].type == "actions":
                    field = node.data["field"]
                    items += [(label, (node, index)) for index, label in enumerate(field.options)]
                elif node.role in CLICKABLE_ROLES or "click" in node.data or \
                        "select" in node.data:
                    items.append((node.label, node))
        form = self.page.form
        if form is not None:
            items += [(b.label, b) for b in form.buttons]
            items += [(str(f.spec["action"]), Button(str(f.spec["action"]), "action",
                                                       f.disabled, f))
                      for f in form.fields.values() if f.spec.get("action") is not None]
        return items

    def click(self, text: str, *, index: int | None = None, scope: str | None = None) -> None:
        """Click the button, link, tab or clickable output whose text is ``text`` (exact text
        first, else containing it), or a button of the current form (Submit, Reset, Cancel,
        actions buttons, an input's action button). Waits until it is there and usable."""
        wanted = _norm(text)

        def target() -> Any:
            items = self._clickables()
            if scope is not None:
                inside = {id(n) for root in self._roots(scope) for n in root.walk()}
                items = [(label, t) for label, t in items
                         if id(t if isinstance(t, Node) else
                               t[0] if isinstance(t, tuple) else None) in inside]
            for test in (lambda s: _norm(s) == wanted, lambda s: wanted in _norm(s)):
                hits = [t for label, t in items if test(label)]
                if not hits:
                    continue
                if index is not None:
                    return hits[index] if index < len(hits) else None
                if len(hits) > 1:
                    raise ActionError(f"{len(hits)} things to click match {text!r}: "
                                      f"{hits}; pass index=")
                hit = hits[0]
                if isinstance(hit, Button) and hit.field is not None and \
                        hit.field.form is not None and hit.field.form.busy:
                    return None
                if isinstance(hit, Button) and hit.field is None and self.page.form is not None \
                        and self.page.form.busy:
                    return None
                return (hit,)
            return None

        (hit,) = self._wait(target, f"something to click labelled {text!r}")
        if isinstance(hit, Button):
            self._press(hit)
        elif isinstance(hit, tuple):
            self._press_pin_button(*hit)
        else:
            self._act_on_node(hit)

    press = click

    def _act_on_node(self, node: Node) -> None:
        with self._family.cond:
            problem = self._check_modal(node)
            if problem:
                raise ActionError(problem)
            if not node.connected or node.is_hidden:
                raise ActionError(f"{node!r} is no longer on the page")
            data = node.data
            if data.get("disabled"):
                raise ActionError(f"{node!r} is disabled")
            self.page.touch()
            if "toggle" in data:  # a collapse's title: the page opens and closes it itself
                details = data["toggle"]
                details.data["open"] = not details.data.get("open")
                details.children[1].hidden = not details.data["open"]
                return
            if "panels" in data:  # a tab
                for i, panel in enumerate(data["panels"]):
                    panel.hidden = i != data["index"]
                return
            if "dismiss" in data:
                data["dismiss"].detach()
                return
            event = None
            if "unselect" in data:  # the datatable's own button: nothing is sent
                data["unselect"].selected = []
                data["unselect"].render_into(data["node"])
                return
            if "select" in data:  # a datatable row
                event = data["grid"].select(data["row_id"])
                data["grid"].render_into(data["node"])
            elif "grid_action" in data:
                event = data["grid"].report(data["grid_action"])
        if "select" in data or "grid_action" in data:
            if event is not None:
                self._send(event)
            return
        if "callback" in data and data["callback"] is not None:
            self._send({"event": "callback", "id": data["callback"], "data": data["index"]})
        elif "click" in data:
            self._send({"event": "callback", "id": data["click"], "data": None})
        elif data.get("app") is not None:
            self.page.open_app(data["app"], bool(data.get("new_window")))
            self._settle()
        elif data.get("href") is not None:
            self.visited_urls.append(data["href"])
            new_window = data.get("new_window") or "target" in data.get("attrs", {})
            if not new_window:
                self._end_session()  # the page navigated away: its socket closes

    def _press_pin_button(self, node: Node, index: int) -> None:
        field: Field = node.data["field"]
        with self._family.cond:
            problem = self._check_modal(node)
            if problem:
                raise ActionError(problem)
            buttons = field.spec.get("buttons") or []
            if buttons[index].get("disabled") or field.disabled:
                raise ActionError(f"button {field.options[index]!r} is disabled")
            field.clicked = index
            self.page.touch()
        self._send({"event": "pin_change", "name": field.name, "value": index})

    def _press(self, button: Button) -> None:
        with self._family.cond:
            problem = self._check_modal(None)
            if problem:
                raise ActionError(problem)
            form = self.page.form if button.field is None else button.field.form
            if button.disabled:
                raise ActionError(f"button {button.label!r} is disabled")
            if form is None:
                raise ActionError(f"button {button.label!r} is not on the page")
            events: list[dict] = []
            self.page.touch()
            if button.kind == "action":
                field = button.field
                assert field is not None
                events.append({"event": "input", "task": form.task, "name": field.name,
                               "trigger": "action", "value": field.raw_value()})
            elif button.kind == "reset":
                for field in form.fields.values():
                    field.reset()
                events += [{"event": "input", "task": form.task, "name": f.name,
                            "trigger": "change", "value": f.raw_value()}
                           for f in form.fields.values() if f.spec.get("onchange")]
            elif button.kind == "cancel":
                form.busy = True
                events.append({"event": "cancel", "task": form.task})
            else:
                problem_field = next((f for f in form.fields.values()
                                      if f.type == "file" and f.file_problem()), None)
                if problem_field is not None:
                    problem_field.validity = {"valid_status": False,
                                              "invalid_feedback": problem_field.file_problem()}
                    return
                for field in form.fields.values():  # the answer replaces every old message
                    if field.validity.get("valid_status") is not None:
                        field.validity = {}
                events.append({"event": "submit", "task": form.task,
                               "data": form.submit_data(button)})
                form.busy = True  # until form_remove or a validation message
        for event in events:
            self._send(event)

    def submit(self, button: str | None = None) -> None:
        """Submit the current form (with the submit button labelled ``button``; default the
        first one, as Enter does)."""
        if button is not None:
            self.click(button)
            return

        def first() -> Any:
            form = self.page.form
            if form is None or form.busy:
                return None
            return next((b for b in form.buttons if b.kind == "submit" and not b.disabled), None)

        self._press(self._wait(first, "a form to submit"))

    def reset(self) -> None:
        """Press the form's Reset button."""
        self.click("Reset")

    def cancel(self) -> None:
        """Press the form's Cancel button."""
        self.click("Cancel")

    def click_toast(self, text: str) -> None:
        """Click the toast showing ``text`` (its ``onclick`` runs; it disappears)."""
        def find() -> Toast | None:
            return next((t for t in self.page.toasts if not t.closed and
                         _norm(text) in _norm(t.content)), None)

        toast = self._wait(find, f"a toast {text!r}")
        with self._family.cond:
            toast.closed = True
            self.page.touch()
        if toast.callback is not None:
            self._send({"event": "callback", "id": toast.callback, "data": None})

    def close_popup(self) -> None:
        """Close the popup with its × (the page does it; the app is not told)."""
        self._settle()
        with self._family.cond:
            popup = self.page.popup
            if popup is None:
                raise ActionError("no popup is open")
            if not popup.closable:
                raise ActionError(f"the popup {popup.title!r} can not be closed by the user")
            self.page._cmd_close_popup()
            self.page.touch()
            self._family.cond.notify_all()

