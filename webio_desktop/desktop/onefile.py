"""One-file builds that start like a folder: unpacked once per version into the user's cache.

PyInstaller's own one-file executable writes its whole bundle (~360 MiB for a hello world with
Qt WebEngine) to a new temporary folder at every start and deletes it at exit. On Linux,
``webio-desktop build --onefile`` makes something else instead: a small *stub* (PyInstaller
one-file of this module, with the splash screen; ~15 MiB unpacked per start) carrying a *tar of
the one-folder build* (an ELF section placed before the bootloader's own archive, see
``write_onefile``) and, at the very end, a trailer (offset, length, SHA-256 of the stored
bytes, and where the tar's parts end: see below).
PyInstaller's bootloader finds its archive by looking for its signature backwards from the end
of the file: its own section comes last, so it never reads into the tar (nor takes the
signature of the app's executable inside the tar for its own). Files are unpacked with
``os.copy_file_range`` (the kernel copies; no pass through Python).

The tar holds three parts: what the app needs before it imports the web engine (Python, its
extension modules, our package, tornado...; ~50 MiB), then what PyInstaller's Qt runtime hook
loads (QtCore, libQt6Core and ICU; ~45 MiB), then the rest of the engine's files (the rest of
``_internal/PyQt6/``, ~260 MiB). So a first start runs the app as soon as the first part is
whole and unpacks the rest while the app's Python starts and imports; the app waits for each
later part at its first import of a module that needs it (a meta-path finder installed by a
runtime hook that runs before any other code of the app).

At a start the stub:

1. shows the splash (PyInstaller's bootloader, before any Python);
2. looks for ``<user cache>/webio-desktop/onefile/<name>/<first 16 hex of the hash>/``; a folder
   whose marker names this hash and whose files all have their recorded sizes is used as it is
   (a warm start costs about what the one-folder build costs);
3. otherwise takes the app's unpack lock (an exclusive ``flock`` on the app's folder in the
   cache: the cache's folders are made, set aside and removed only under it; a second launch
   waits here, then finds the version whole and uses it), sets a broken folder of this version
   aside (crashed or damaged: deleted once no launch holds it), and unpacks straight into the
   version's folder: the app starts when the first part is whole (``WEBIO_ONEFILE_READY_FD``
   names a pipe: a byte when the second part is whole, another when every file is, end of file
   before that when the unpacking failed: the app says so and exits); the marker is written
   last, so a folder is taken for a version only when whole (a launch that finds it without
   one unpacks again); if the cache can not be written it unpacks to a temporary folder that
   is deleted when the app exits;
4. removes the other versions of this app in the cache that no running launch holds (each launch
   holds a shared ``flock`` on its version's lock file for its lifetime), after the app has
   all its files;
5. closes the splash when the app says its first window has loaded (a byte on the pipe named by
   ``WEBIO_SPLASH_FD``) or exits, forwards signals to the app, and exits with its status.

Standard library and platformdirs only: the build copies this file next to the stub's entry
script (``templates/stub.py``) and into the app (the runtime hook ``templates/rth_onefile.py``
installs the engine gate before the app imports anything), so neither carries webio_desktop's
package for it. What only a first start or the build needs is imported where it is used: a
warm start of the stub loads none of it.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:  # no typing import at the stub's start
    from typing import BinaryIO, Callable

MAGIC = b"WEBIO-ONEFILE-2\n"  # 16 bytes, the trailer's last
TRAILER = struct.Struct("<QQQQ32s16s")  # payload offset, length, parts' ends, SHA-256, MAGIC
MARKER = ".webio-onefile.json"  # in an unpacked version: its hash and every file's size
LOCK = ".webio-onefile.lock"  # held shared by every launch running that version
SPLASH_FD_ENV = "WEBIO_SPLASH_FD"  # the pipe the app writes a byte to once its window loaded
READY_FD_ENV = "WEBIO_ONEFILE_READY_FD"  # the pipe the stub writes a byte to once all is whole
ONEFILE_ENV = "WEBIO_ONEFILE"  # the one file's own path (the app's identity, not the cache's)
CACHE_ENV = "WEBIO_ONEFILE_CACHE"  # where versions are unpacked (default: the user cache)
STALE_TEMP_SECONDS = 3600  # an unlocked hidden folder older than this is a crashed unpacking
UNPACK_FAILED = 3  # the app's exit status when its files could not all be unpacked

# The web engine's files: unpacked after the rest, while the app's Python starts. Measured with
# strace on a Qt build: before any of our code PyInstaller's runtime hook pyi_rth_pyqt6 imports
# PyQt6.QtCore (QtCore's and sip's modules, libQt6Core and, through the links in _internal/,
# ICU: the second part); nothing else in PyQt6/ is opened before the first import of another
# PyQt6 module (the third part).
ENGINE_FILES = "_internal/PyQt6/"
CORE_FILES = ("_internal/PyQt6/QtCore.", "_internal/PyQt6/sip.",
              "_internal/PyQt6/Qt6/lib/libQt6Core.", "_internal/PyQt6/Qt6/lib/libicu")
ENGINE_PACKAGE = "PyQt6"
CORE_MODULES = frozenset({"PyQt6.QtCore", "PyQt6.sip"})


class Payload:
    """Where the tar is inside the one file, its hash, and where its parts end (member counts):
    ``early``, what the app needs to start; ``core``, that and what it needs before it imports
    QtCore (all members: no early start)."""
    __slots__ = ("offset", "length", "digest", "early", "core")

    def __init__(self, offset: int, length: int, digest: bytes, early: int, core: int) -> None:
        self.offset, self.length, self.digest = offset, length, digest
        self.early, self.core = early, core

    def __repr__(self) -> str:
        return (f"Payload(offset={self.offset}, length={self.length}, key={self.key}, "
                f"early={self.early}, core={self.core})")

    @property
    def key(self) -> str:
        return self.digest.hex()[:16]


# -- build side ---------------------------------------------------------------------------------
class _Hashing:
    """A write-only file that hashes and counts what goes through it."""

    def __init__(self, out: BinaryIO) -> None:
        import hashlib

        self.out, self.sha, self.length = out, hashlib.sha256(), 0

    def write(self, data: bytes) -> int:
        self.out.write(data)
        self.sha.update(data)
        self.length += len(data)
        return len(data)


def elf_sections(path: Path) -> dict[str, tuple[int, int]]:
    """Name -> (file offset, size) of a little-endian ELF64 file's sections; {} for other files."""
    with open(path, "rb") as f:
        head = f.read(64)
        if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 or head[5] != 1:
            return {}
        (shoff,) = struct.unpack_from("<Q", head, 0x28)
        entsize, count, names_index = struct.unpack_from("<HHH", head, 0x3A)
        f.seek(shoff)
        table = f.read(entsize * count)

        def header(i: int) -> tuple[int, int, int]:
            name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", table,
                                                                          i * entsize)
            return name, offset, size

        _, offset, size = header(names_index)
        f.seek(offset)
        names = f.read(size)
    sections = {}
    for i in range(count):
        name, offset, size = header(i)
        sections[names[name:names.index(b"\0", name)].decode("ascii", "replace")] = (offset,
                                                                                       size)
    return sections


PYINSTALLER_SECTION = "pydata"  # where PyInstaller's Linux bootloader keeps its archive
PAYLOAD_SECTION = "webio_payload"


def file_part(name: str) -> int:
    """The tar part of a file of the app's folder (a member's name): 0, what the app needs to
    start; 1, what it needs before it imports QtCore; 2, the rest of the engine's files."""
    if not name.startswith(ENGINE_FILES):
        return 0
    return 1 if name.startswith(CORE_FILES) else 2


def payload_order(folder: Path) -> tuple[list[Path], int, int]:
    """``folder``'s entries in the tar's order (by part, then name; folders first), and where
    the first two parts end."""
    parts: list[list[Path]] = [[], [], []]
    for path in sorted(folder.rglob("*")):
        first = path.is_dir() and not path.is_symlink()
        parts[0 if first else file_part(path.relative_to(folder).as_posix())].append(path)
    return parts[0] + parts[1] + parts[2], len(parts[0]), len(parts[0]) + len(parts[1])


def write_onefile(stub: Path, folder: Path, out: Path, *, compress: bool = False) -> Payload:
    """``out`` = the stub executable carrying a tar of ``folder``'s contents, and the trailer.

    PyInstaller's Linux bootloader looks for its archive's signature backwards from the end of
    the file, in small reads: behind 360 MiB of payload that took seconds at every start. So in
    a PyInstaller stub the payload becomes an ELF section placed *before* the bootloader's own
    (``objcopy``: take ``pydata`` out, add the payload, put ``pydata`` back), and only the
    trailer follows the section table. Any other stub (no ``pydata``) gets the payload
    appended. The tar's members come in ``payload_order``; the trailer counts the first part.

    :param stub: the stub executable (PyInstaller one-file of this module)
    :param folder: the one-folder build to carry (its executable has the folder's name)
    :param out: the one file to write (made executable)
    :param compress: gzip the tar (a smaller file; the first start then inflates it)
    """
    import shutil
    import subprocess
    import tarfile
    import tempfile

    partial = out.with_name(out.name + ".partial")
    entries, early, core = payload_order(folder)
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".onefile-") as tmp:
        data = Path(tmp) / "payload"
        with open(data, "wb") as f:
            sink = _Hashing(f)
            with tarfile.open(fileobj=sink, mode="w|gz" if compress else "w|",  # type: ignore[call-overload]
                              format=tarfile.PAX_FORMAT) as tar:
                for path in entries:
                    tar.add(path, arcname=path.relative_to(folder).as_posix(), recursive=False)
        if PYINSTALLER_SECTION in elf_sections(stub):
            archive, bare = Path(tmp) / "archive", Path(tmp) / "bare"
            objcopy = shutil.which("objcopy") or "objcopy"
            subprocess.run([objcopy, "--dump-section", f"{PYINSTALLER_SECTION}={archive}",
                            str(stub), str(Path(tmp) / "unused")], check=True)
            subprocess.run([objcopy, "--remove-section", PYINSTALLER_SECTION, str(stub),
                            str(bare)], check=True)
            # One section per call: objcopy does not keep the order of one call's sections.
            carrying = Path(tmp) / "carrying"
            subprocess.run([objcopy, "--add-section", f"{PAYLOAD_SECTION}={data}", str(bare),
                            str(carrying)], check=True)
            subprocess.run([objcopy, "--add-section", f"{PYINSTALLER_SECTION}={archive}",
                            str(carrying), str(partial)], check=True)
            sections = elf_sections(partial)
            offset = sections[PAYLOAD_SECTION][0]
            if sections[PYINSTALLER_SECTION][0] < offset:
                raise OSError("objcopy put the bootloader's archive before the payload")
        else:
            with open(partial, "wb") as f:
                for part in (stub, data):
                    with open(part, "rb") as src:
                        shutil.copyfileobj(src, f, 1 << 20)
            offset = stub.stat().st_size
    payload = Payload(offset, sink.length, sink.sha.digest(), early, core)
    with open(partial, "ab") as f:
        f.write(TRAILER.pack(payload.offset, payload.length, payload.early, payload.core,
                             payload.digest, MAGIC))
    partial.chmod(0o755)
    os.replace(partial, out)
    return payload


# -- start side ---------------------------------------------------------------------------------
def read_payload(path: Path) -> Payload | None:
    """The payload a one file carries (None: not one of ours)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        if size < TRAILER.size:
            return None
        f.seek(size - TRAILER.size)
        offset, length, early, core, digest, magic = TRAILER.unpack(f.read(TRAILER.size))
    if magic != MAGIC or offset + length > size - TRAILER.size or not early <= core:
        return None
    return Payload(offset, length, digest, early, core)


class _Window:
    """A read-only, seekable file over ``[offset, offset + length)`` of another (the tar)."""

    def __init__(self, f: BinaryIO, offset: int, length: int) -> None:
        self.f, self.offset, self.length, self.pos = f, offset, length, 0

    def read(self, n: int = -1) -> bytes:
        left = self.length - self.pos
        n = left if n is None or n < 0 else min(n, left)
        self.f.seek(self.offset + self.pos)
        data = self.f.read(n)
        self.pos += len(data)
        return data

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self.pos, os.SEEK_END: self.length}[whence]
        self.pos = max(0, min(self.length, base + pos))
        return self.pos

    def tell(self) -> int:
        return self.pos

    def seekable(self) -> bool:
        return True

    def readable(self) -> bool:
        return True


def cache_root() -> Path:
    """``$WEBIO_ONEFILE_CACHE``, else ``<platformdirs user cache>/webio-desktop/onefile``."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV])
    import platformdirs

    return Path(platformdirs.user_cache_dir("webio-desktop", appauthor=False)) / "onefile"


def is_whole(folder: Path, payload: Payload) -> bool:
    """The folder's marker names this payload and every file it lists has its size."""
    import json

    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
        if marker.get("sha256") != payload.digest.hex():
            return False
        return all(os.stat(folder / name).st_size == size
                   for name, size in marker["files"].items())
    except (OSError, ValueError, KeyError, AttributeError):
        return False


def _copy_range(src: int, offset: int, dst: int, size: int) -> None:
    """``size`` bytes of ``src`` from ``offset`` to ``dst`` (kernel copy where there is one)."""
    copy = getattr(os, "copy_file_range", None)
    while size > 0:
        if copy is not None:
            try:
                done = copy(src, dst, min(size, 1 << 30), offset)
            except OSError:
                copy = None  # e.g. across filesystems on older kernels: copy by hand
                continue
        else:
            data = os.pread(src, min(size, 1 << 20), offset)
            done = os.write(dst, data) if data else 0
        if done <= 0:
            raise OSError("the one file ended inside its payload")
        offset += done
        size -= done


def unpack(onefile: Path, payload: Payload, into: Path,
           on_early: Callable[[], None] | None = None,
           on_core: Callable[[], None] | None = None) -> None:
    """Unpack the tar into the (empty) folder ``into``, check every file's size, write the
    marker last. The tar is our own build's, but only what tarfile's ``data`` filter accepts
    (regular files, folders and links inside ``into``) is unpacked.

    :param onefile: the one file
    :param payload: its payload (read_payload)
    :param into: an empty folder
    :param on_early: called once the first part is unpacked, when more follows (e.g. to start
        the app meanwhile)
    :param on_core: called once the second part is unpacked, when more follows
    """
    import json
    import tarfile

    files: dict[str, int] = {}
    with open(onefile, "rb") as f, tarfile.open(fileobj=_Window(f, payload.offset,  # type: ignore[call-overload]
                                                                payload.length), mode="r:*") as tar:
        tar.copybufsize = 1 << 20  # compressed tars (16 KiB reads by default)
        plain = tar.fileobj is not None and isinstance(tar.fileobj, _Window)
        for index, member in enumerate(tar):
            if index == payload.early and on_early is not None:
                on_early()
            if index == payload.core and on_core is not None:
                on_core()
            member = tarfile.data_filter(member, str(into))
            if member.isfile():
                files[member.name] = member.size
            if not (plain and member.isfile()):
                tar.extract(member, into, filter="fully_trusted")  # filtered above
                continue
            target = into / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, member.mode & 0o777)
            try:
                _copy_range(f.fileno(), payload.offset + member.offset_data, fd, member.size)
            finally:
                os.close(fd)
            os.utime(target, (member.mtime, member.mtime))
    wrong = [name for name, size in files.items() if os.stat(into / name).st_size != size]
    if wrong:
        raise OSError(f"unpacked files have the wrong size: {', '.join(wrong[:5])}")
    partial = into / (MARKER + ".partial")  # renamed into place: a marker is read whole or not
    partial.write_text(json.dumps({"sha256": payload.digest.hex(), "files": files}),
                       encoding="utf-8")
    os.replace(partial, into / MARKER)


def _flock(fd: int, exclusive: bool, wait: bool) -> bool:
    """Take a flock on ``fd``; False when another process holds it and ``wait`` is False."""
    import fcntl

    mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
    try:
        fcntl.flock(fd, mode if wait else mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _lock(folder: Path, exclusive: bool = False):
    """An open lock file of ``folder`` holding a flock (shared, or exclusive without waiting);
    None when another launch holds it."""
    f = open(folder / LOCK, "a+b")
    if not _flock(f.fileno(), exclusive, wait=not exclusive):
        f.close()
        return None
    return f


class AppLock:
    """The app's unpack lock: an exclusive flock on its folder in the cache. The cache's
    folders of this app are made, set aside and removed only under it."""

    def __init__(self, app_dir: Path, wait: bool = True) -> None:
        self.fd: int | None = os.open(app_dir, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        if not _flock(self.fd, exclusive=True, wait=wait):
            self.release()

    @property
    def held(self) -> bool:
        return self.fd is not None

    def release(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)


def _remove(folder: Path, unless_held: bool = False) -> bool:
    """Rename aside (so no launch takes it for a version), then delete; with ``unless_held``
    the aside copy stays while a launch holds it (``clean_stale`` removes it later). True when
    the name is free."""
    import shutil
    import time

    aside = folder.with_name(f".trash-{folder.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(folder, aside)
    except OSError:
        return not folder.exists()
    held = _lock(aside, exclusive=True) if unless_held else None
    if unless_held and held is None:
        return True  # a launch runs from it: it goes once that launch ended
    try:
        shutil.rmtree(aside, ignore_errors=True)
    finally:
        if held is not None:
            held.close()
    return True


def clean_stale(app_dir: Path, keep: str) -> list[str]:
    """Remove every other version (and crashed unpackings) of this app that no launch holds;
    nothing while another launch unpacks (it holds the app's lock).

    :param app_dir: the app's folder in the cache
    :param keep: the running version's key
    :returns: the names removed
    """
    import time

    lock = AppLock(app_dir, wait=False)
    if not lock.held:
        return []
    removed = []
    try:
        for entry in app_dir.iterdir():
            if entry.name == keep or not entry.is_dir():
                continue
            if entry.name.startswith(".") and not (entry / LOCK).exists():
                # An unpacking of an older stub that has not taken its lock yet, or one that
                # crashed long ago.
                try:
                    if time.time() - entry.stat().st_mtime < STALE_TEMP_SECONDS:
                        continue
                except OSError:
                    continue
            held = _lock(entry, exclusive=True)
            if held is None:
                continue  # a running launch holds it
            try:
                _remove(entry)
                removed.append(entry.name)
            finally:
                held.close()
    finally:
        lock.release()
    return removed


class Unpacked:
    """A version ready to run: where, how it came, and the lock held while the app runs."""

    def __init__(self, folder: Path, cold: bool, temporary: bool, lock=None) -> None:
        self.folder = folder
        self.cold = cold  # unpacked by this start
        self.temporary = temporary  # in a temporary folder (the cache was not writable)
        self.lock = lock  # the open lock file held while the app runs


def _use_whole(folder: Path, payload: Payload):
    """The version's lock file, held shared, when ``folder`` is this version whole; else
    None."""
    if not is_whole(folder, payload):
        return None
    try:
        lock = _lock(folder)
    except OSError:  # removed meanwhile
        return None
    if is_whole(folder, payload):  # not removed between the check and the lock
        return lock
    lock.close()
    return None


def ensure_unpacked(onefile: Path, payload: Payload, name: str, root: Path | None = None,
                    on_cold: Callable[[], None] | None = None,
                    on_early: Callable[[Path], None] | None = None,
                    on_core: Callable[[], None] | None = None) -> Unpacked:
    """The unpacked version of this one file: from the cache, else unpacked into it (or into a
    temporary folder when the cache can not be written).

    :param onefile: the one file
    :param payload: its payload (read_payload)
    :param name: the app's name (its folder in the cache)
    :param root: the cache (default: cache_root())
    :param on_cold: called before unpacking (e.g. to say so on the splash)
    :param on_early: called with the folder when the tar's first part is unpacked and more
        follows (the app may start; every file is whole when this returns)
    :param on_core: called when its second part is unpacked and more follows
    """
    app_dir = (root or cache_root()) / name
    final = app_dir / payload.key
    lock = _use_whole(final, payload)
    if lock is not None:
        return Unpacked(final, cold=False, temporary=False, lock=lock)
    if on_cold is not None:
        on_cold()
    try:
        app_dir.mkdir(parents=True, exist_ok=True)
        app_lock = AppLock(app_dir)  # waits while another launch unpacks
    except OSError:
        return _unpack_temporary(onefile, payload, name, on_early, on_core)
    try:
        lock = _use_whole(final, payload)  # another launch unpacked it while this one waited
        if lock is not None:
            return Unpacked(final, cold=False, temporary=False, lock=lock)
        if os.path.lexists(final) and not _remove(final, unless_held=True):
            raise OSError(f"can not set aside the broken copy {final}")
        try:
            final.mkdir()
            lock = _lock(final)  # held while the app runs; clean_stale of others skips it
        except OSError:
            return _unpack_temporary(onefile, payload, name, on_early, on_core)
        try:
            unpack(onefile, payload, final,
                   None if on_early is None else lambda: on_early(final), on_core)
        except BaseException:
            lock.close()  # the next start sets the broken copy aside
            raise
        return Unpacked(final, cold=True, temporary=False, lock=lock)
    finally:
        app_lock.release()


def _unpack_temporary(onefile: Path, payload: Payload, name: str,
                      on_early: Callable[[Path], None] | None,
                      on_core: Callable[[], None] | None) -> Unpacked:
    """Unpacked into a new temporary folder (the cache can not be written)."""
    import tempfile

    tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    unpack(onefile, payload, tmp, None if on_early is None else lambda: on_early(tmp), on_core)
    return Unpacked(tmp, cold=True, temporary=True)


def child_env(onefile: Path, splash_fd: int | None, ready_fd: int | None = None) -> dict[str, str]:
    """The app's environment: without what PyInstaller's bootloader set for the stub (the app is
    a PyInstaller program of its own), with the one file's path and the pipes: the splash's
    and, when the app starts before its engine's files are whole, the one that says they are."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("_PYI_", "_MEIPASS")) and k != "LD_LIBRARY_PATH"}
    if "LD_LIBRARY_PATH_ORIG" in env:
        env["LD_LIBRARY_PATH"] = env.pop("LD_LIBRARY_PATH_ORIG")
    env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    env[ONEFILE_ENV] = str(onefile)
    if splash_fd is not None:
        env[SPLASH_FD_ENV] = str(splash_fd)
    if ready_fd is not None:
        env[READY_FD_ENV] = str(ready_fd)
    return env


def bootloader_splash():
    """PyInstaller's splash screen (``pyi_splash``) when this process shows one, else None.

    The bootloader sets ``_PYI_SPLASH_IPC`` only in a build with a splash screen; elsewhere
    importing ``pyi_splash`` fails (with a KeyError inside a one-folder build, not an
    ImportError)."""
    if not os.environ.get("_PYI_SPLASH_IPC"):
        return None
    try:
        import pyi_splash  # type: ignore[import-not-found]
    except Exception:
        return None
    return pyi_splash if pyi_splash.is_alive() else None


class AppProcess:
    """The app, run as the stub's child: started early (while its engine's files are still
    being unpacked: it waits for them, see ``EngineGate``) or once every file is whole."""

    def __init__(self, onefile: Path, name: str, argv: list[str]) -> None:
        self.onefile, self.name, self.argv = onefile, name, argv
        self.proc = None
        self.ready: int | None = None  # write end of the app's ready pipe, while it waits
        self.told = 0  # parts after the first said whole on it
        self.shown: int | None = None  # read end of the splash pipe

    def start(self, folder: Path, early: bool = False) -> None:
        """Run the app in ``folder``; ``early``: its engine's files are not whole yet."""
        import signal
        import subprocess

        self.shown, splash_w = os.pipe()
        ready_r = None
        if early:
            ready_r, self.ready = os.pipe()
        passed = [fd for fd in (splash_w, ready_r) if fd is not None]
        try:
            self.proc = subprocess.Popen([str(folder / self.name), *self.argv],
                                         env=child_env(self.onefile, splash_w, ready_r),
                                         pass_fds=passed)
        finally:
            for fd in passed:
                os.close(fd)
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, frame: self.proc.send_signal(signum))

    def core_whole(self) -> None:
        """The second part is unpacked: tell the app (it may be waiting to import QtCore)."""
        self._tell(1)

    def files_whole(self, folder: Path) -> None:
        """Every file is unpacked: tell the waiting app, or start it now."""
        if self.proc is None:
            self.start(folder)
        else:
            self._tell(2)
            self._close_ready()

    def _tell(self, parts: int) -> None:
        """One byte per part whole since the last time, up to ``parts``."""
        if self.ready is not None and self.told < parts:
            try:
                os.write(self.ready, b"1" * (parts - self.told))
            except OSError:  # the app has already ended
                self._close_ready()
            self.told = parts

    def unpacking_failed(self) -> int:
        """Tell a waiting app (end of file, no byte: it says so and exits); its status, or 2."""
        self._close_ready()
        if self.proc is None:
            return 2
        return self.proc.wait() or 2

    def wait(self, splash) -> int:
        """Close the splash when the app says its window loaded (or exits); its status."""
        assert self.proc is not None and self.shown is not None
        os.read(self.shown, 1)  # a byte: the window loaded; b"": the app closed it (or exited)
        if splash is not None and splash.is_alive():
            splash.close()
        os.close(self.shown)
        return self.proc.wait()

    def _close_ready(self) -> None:
        if self.ready is not None:
            fd, self.ready = self.ready, None
            os.close(fd)


def launch(onefile: Path, payload: Payload, name: str, argv: list[str], *,
           root: Path | None = None, splash=None) -> int:
    """Unpack if needed (starting the app as soon as it can start), run the app, close the
    splash once it is shown; the app's exit status.

    :param onefile: the one file
    :param payload: its payload (read_payload)
    :param name: the app's name (its executable's and its folder's in the cache)
    :param argv: the app's arguments
    :param root: the cache (default: cache_root())
    :param splash: the bootloader's splash (bootloader_splash), if any
    """
    app = AppProcess(onefile, name, argv)

    def say_unpacking() -> None:
        if splash is not None:
            try:
                splash.update_text(f"Unpacking {name} (first start)...")
            except Exception:
                pass

    try:
        unpacked = ensure_unpacked(onefile, payload, name, root, on_cold=say_unpacking,
                                   on_early=lambda folder: app.start(folder, early=True),
                                   on_core=app.core_whole)
    except OSError as exc:
        print(f"{name}: could not unpack: {exc}", file=sys.stderr, flush=True)
        return app.unpacking_failed()
    except BaseException:
        app.unpacking_failed()
        raise
    try:
        app.files_whole(unpacked.folder)
        if not unpacked.temporary:
            try:
                clean_stale(unpacked.folder.parent, payload.key)
            except OSError:
                pass  # an old version left behind costs disk only
        return app.wait(splash)
    finally:
        if unpacked.temporary:
            import shutil

            shutil.rmtree(unpacked.folder, ignore_errors=True)


def run(name: str, argv: list[str] | None = None) -> int:
    """The stub's program: the one file is this executable."""
    onefile = Path(sys.executable).resolve()
    payload = read_payload(onefile)
    if payload is None:
        print(f"{name}: this file lost its contents (no payload at its end)", file=sys.stderr)
        return 2
    return launch(onefile, payload, name, sys.argv[1:] if argv is None else argv,
                  splash=bootloader_splash())


# -- app side -----------------------------------------------------------------------------------
def module_part(module: str) -> int:
    """The tar part the app needs whole before it imports ``module``: 0 (none: it starts with
    it), 1 (QtCore's files) or 2 (every file of the engine)."""
    if module.partition(".")[0] != ENGINE_PACKAGE or module == ENGINE_PACKAGE:
        return 0
    return 1 if module in CORE_MODULES else 2


class EngineGate:
    """A meta-path finder that holds an import until the tar part it needs is whole: the stub
    writes a byte on the ready pipe once the second part is, another once every file is; at
    end of file before that the unpacking failed: say so and exit (the stub has printed why).
    The one place that guards the engine's files, installed before any other code of the app
    runs."""

    def __init__(self, fd: int, part: Callable[[str], int] = module_part) -> None:
        import threading

        self.fd: int | None = fd
        self.part = part
        self.whole = 0  # the parts after the first the stub said whole
        self.lock = threading.Lock()
        self.waiting = threading.Event()  # set once an import waited (for tests)

    def find_spec(self, fullname: str, path=None, target=None):
        if self.fd is not None:
            needed = self.part(fullname)
            if needed > self.whole:
                self.wait(needed)
        return None  # the usual finders find it

    def wait(self, part: int = 2) -> None:
        """Block until the stub says ``part`` is whole (or exit when the unpacking failed)."""
        with self.lock:
            while self.fd is not None and self.whole < part:
                self.waiting.set()
                try:
                    got = os.read(self.fd, part - self.whole)
                except OSError:
                    got = b""
                if not got:
                    sys.stderr.write("the app's files could not all be unpacked from the one "
                                     "file (see the message above); exiting\n")
                    sys.stderr.flush()
                    os._exit(UNPACK_FAILED)
                self.whole += len(got)
            if self.fd is not None and self.whole >= 2:
                os.close(self.fd)
                self.fd = None
                if self in sys.meta_path:
                    sys.meta_path.remove(self)


def engine_files_pending() -> bool:
    """Whether this app started before its engine's files were whole and still waits for some
    (its gate is on ``sys.meta_path``; the built app's copy of this module is ``webio_onefile``,
    so the gate is known by its class name)."""
    return any(type(finder).__name__ == "EngineGate" and getattr(finder, "fd", None) is not None
               for finder in sys.meta_path)


def install_engine_gate() -> EngineGate | None:
    """In an app started before its engine's files are whole (``WEBIO_ONEFILE_READY_FD``):
    the gate, first on ``sys.meta_path``; else None."""
    value = os.environ.pop(READY_FD_ENV, "")
    if not value.isdigit():
        return None
    fd = int(value)
    try:
        os.set_inheritable(fd, False)  # not for the app's own child processes
    except OSError:
        return None
    gate = EngineGate(fd)
    sys.meta_path.insert(0, gate)
    loaded = max((gate.part(name) for name in list(sys.modules)), default=0)
    if loaded:
        gate.wait(loaded)  # something loaded engine modules already: their files first
    return gate
