"""One running instance per app and user: a second start shows the first one's window.

The first start listens on a loopback port and leaves its port and a random token in a file
only this user can read (``<user runtime dir>/webio-desktop/<app hash>.instance``). A later
start of the same app (same script file, or same built executable) finds the file, sends the
token with ``focus``, and exits once the running instance has answered ``ok``; the running
instance brings its first window to the front. A lock file makes the look-and-listen step
atomic, so two starts at once can not both win. A stale file (the process is gone) is replaced.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

logger = logging.getLogger("webio_desktop.desktop")

FOCUS = "focus"


def runtime_dir() -> Path:
    """This user's runtime folder for webio-desktop (created 0700); a private temp folder
    when the platform's (``$XDG_RUNTIME_DIR``) is missing, as for root in containers."""
    import warnings

    import platformdirs

    with warnings.catch_warnings():  # "XDG_RUNTIME_DIR is not set": we fall back ourselves
        warnings.simplefilter("ignore")
        path = Path(platformdirs.user_runtime_dir("webio-desktop", appauthor=False))
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        return path
    except OSError:
        uid = os.getuid() if hasattr(os, "getuid") else os.getlogin()
        path = Path(tempfile.gettempdir()) / f"webio-desktop-{uid}"
        path.mkdir(mode=0o700, exist_ok=True)
        return path


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with open(path, "a+b") as f:
        if os.name == "nt":
            import msvcrt

            f.seek(0)
            msvcrt.locking(f.fileno(), msvcrt.LK_LOCK, 1)
            try:
                yield
            finally:
                f.seek(0)
                msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(f, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(f, fcntl.LOCK_UN)


class SingleInstance:
    """``claim()`` is True for the first start of an app; later starts notify it and get False.

    ``on_focus`` is called (in a listener thread) when a later start asks to be shown.
    """

    def __init__(self, key: str, folder: Path | None = None) -> None:
        digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]
        self.folder = folder or runtime_dir()
        self.info_path = self.folder / f"{digest}.instance"
        self.lock_path = self.folder / f"{digest}.lock"
        self.on_focus: Callable[[], None] | None = None
        self._socket: socket.socket | None = None
        self._token = ""

    def claim(self) -> bool:
        with _file_lock(self.lock_path):
            if self.notify_running():
                return False
            self._listen()
            return True

    def notify_running(self) -> bool:
        """Ask a running instance to show itself; False when there is none (or it is stale)."""
        try:
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            port, token = int(info["port"]), str(info["token"])
        except (OSError, ValueError, KeyError, TypeError):
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=3) as conn:
                conn.sendall(f"{token} {FOCUS}\n".encode())
                conn.settimeout(10)
                return conn.recv(16).startswith(b"ok")
        except OSError:
            return False

    def _listen(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        self._socket = sock
        self._token = secrets.token_hex(16)
        info = json.dumps({"port": sock.getsockname()[1], "token": self._token,
                           "pid": os.getpid()})
        tmp = self.info_path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(info)
        os.replace(tmp, self.info_path)
        threading.Thread(target=self._serve, args=(sock,), name="webio-instance",
                         daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return  # released
            with conn:
                try:
                    conn.settimeout(5)
                    line = conn.makefile("rb").readline(200).decode("utf-8", "replace").split()
                    if line != [self._token, FOCUS]:
                        continue
                    logger.info("another start of this app: showing its window")
                    print("webio-desktop: another start of this app: showing its window",
                          flush=True)
                    if self.on_focus is not None:
                        self.on_focus()
                    conn.sendall(b"ok\n")
                except Exception:
                    logger.warning("single-instance request failed", exc_info=True)

    def release(self) -> None:
        if self._socket is None:
            return
        self._socket.close()
        self._socket = None
        with contextlib.suppress(OSError, ValueError), _file_lock(self.lock_path):
            info = json.loads(self.info_path.read_text(encoding="utf-8"))
            if info.get("token") == self._token:
                self.info_path.unlink()
