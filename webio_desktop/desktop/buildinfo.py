"""What ``webio-desktop build`` records inside a bundle (name, version, app file, debug), and
reading it back in the built app. Its own module: build.py writes it and frozen.py reads it,
and a built app holds frozen.py but not build.py (nor may the two import each other)."""
from __future__ import annotations

import json
from pathlib import Path

BUILD_INFO = "webio_build.json"
# Set by the build's start check (``webio-desktop build`` runs the result once): the app shows
# its first page, reports and exits; no single-instance handover.
VERIFY_ENV = "WEBIO_DESKTOP_VERIFY"


def build_info(folder: Path) -> dict:
    """The bundle's ``webio_build.json``; {} when there is none."""
    try:
        return json.loads((folder / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
