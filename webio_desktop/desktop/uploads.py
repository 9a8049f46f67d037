"""Uploaded files become paths: what the browser fallbacks (``open_file`` outside a window,
files dropped on a page in a browser) hand the app instead of the user's own paths, which a
browser never reveals."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath

from ..sessions.core import Session


def save_uploads(session: Session, files: list[dict], prefix: str = "webio-upload-") -> list[str]:
    """Write ``files`` (``{filename, content: bytes}``, as ``file_upload`` returns them) into a
    new private temporary folder removed when ``session`` ends; their absolute paths, in order.

    :param prefix: the folder's name starts with it (``webio-open-``, ``webio-drop-``).
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    session.defer(lambda: shutil.rmtree(folder, ignore_errors=True))
    paths = []
    for f in files:
        name = PurePosixPath(f["filename"]).name or "upload"
        target = folder / name
        n = 1
        while target.exists():  # two uploads with the same name: keep both
            n += 1
            target = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
        target.write_bytes(f["content"])
        paths.append(str(target))
    return paths
