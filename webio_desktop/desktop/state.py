"""Per-user state of the launcher: remembered window geometry, log files (platformdirs)."""
from __future__ import annotations

import json
import logging
import logging.handlers
import os
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "webio-desktop"
logger = logging.getLogger("webio_desktop.desktop")


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_DIR_NAME, appauthor=False))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))


def state_key_for(path: str) -> str:
    """What names an app's state (window geometry, single instance): its script's real path."""
    return str(Path(path).resolve())


@dataclass
class Geometry:
    width: int
    height: int
    x: int | None = None
    y: int | None = None
    maximized: bool = False

    def on_screens(self, screens: list[tuple[int, int, int, int]]) -> "Geometry":
        """This geometry, fitted to the screens there are now (a monitor may be gone):
        too big shrinks to the largest screen; a position on no screen is dropped."""
        if not screens:
            return self
        biggest = max(screens, key=lambda s: s[2] * s[3])
        width, height = min(self.width, biggest[2]), min(self.height, biggest[3])
        x, y = self.x, self.y
        if x is not None and y is not None:
            # At least a 64x32 corner of the title bar area must be on some screen.
            visible = any(sx <= x + 64 and x < sx + sw - 64 and sy <= y and y < sy + sh - 32
                          for sx, sy, sw, sh in screens)
            if not visible:
                x = y = None
        return Geometry(width, height, x, y, self.maximized)


class GeometryStore:
    """Window geometry per (script, app), kept in ``windows.json`` in the user config folder."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "windows.json"
        self._lock = threading.Lock()
        self._data: dict[str, dict] = self._load()

    def _load(self) -> dict[str, dict]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return data if isinstance(data, dict) else {}
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path, exc)
            return {}

    def get(self, key: str) -> Geometry | None:
        with self._lock:
            raw = self._data.get(key)
        try:
            return Geometry(**raw) if raw else None
        except TypeError:
            return None

    def put(self, key: str, geometry: Geometry) -> None:
        with self._lock:
            self._data[key] = asdict(geometry)

    def save(self) -> None:
        """Write atomically (a crash mid-write must not lose every app's geometry)."""
        with self._lock:
            text = json.dumps(self._data, indent=1, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(text, encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError as exc:
            logger.warning("could not save window geometry to %s: %s", self.path, exc)


def setup_logging(name: str, *, debug: bool = False) -> Path | None:
    """Log to ``<user log dir>/<name>.log`` (errors in apps land here) and warnings to stderr."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    logging.getLogger("tornado.access").setLevel(logging.INFO if debug else logging.WARNING)
    console = logging.StreamHandler()
    console.setLevel(logging.DEBUG if debug else logging.WARNING)
    console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root.addHandler(console)
    path = log_dir() / f"{name}.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3,
                                                       encoding="utf-8")
    except OSError as exc:
        logger.warning("no log file (%s)", exc)
        return None
    handler.setFormatter(logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"))
    root.addHandler(handler)
    return path
