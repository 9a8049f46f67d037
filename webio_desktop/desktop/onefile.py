"""One-file builds that start like a folder: unpacked once per version into the user's cache.

PyInstaller's own one-file executable writes its whole bundle (~360 MiB for a hello world with
Qt WebEngine) to a new temporary folder at every start and deletes it at exit. On Linux,
``webio-desktop build --onefile`` makes something else instead: a small *stub* (PyInstaller
one-file of this module, with the splash screen; ~16 MiB unpacked per start) carrying a *tar of
the one-folder build* (an ELF section placed before the bootloader's own archive, see
``write_onefile``) and, at the very end, a trailer (offset, length, SHA-256 of the stored
bytes). PyInstaller's bootloader finds its archive by looking for its signature backwards from
the end of the file: its own section comes last, so it never reads into the tar (nor takes the
signature of the app's executable inside the tar for its own). Files are unpacked with
``os.copy_file_range`` (the kernel copies; no pass through Python).
At a start the stub:

1. shows the splash (PyInstaller's bootloader, before any Python);
2. looks for ``<user cache>/webio-desktop/onefile/<name>/<first 16 hex of the hash>/``; a folder
   whose marker names this hash and whose files all have their recorded sizes is used as it is
   (a warm start costs about what the one-folder build costs);
3. otherwise unpacks the tar into a new hidden sibling (``.<key>-XXXX``), checks every file's
   size, writes the marker and renames the sibling into place (atomic: a folder under the final
   name is always whole; of two launches unpacking at once, the first rename wins and the other
   discards its copy); if the cache can not be written it unpacks to a temporary folder that is
   deleted when the app exits;
4. removes the other versions of this app in the cache that no running launch holds (each launch
   holds a shared ``flock`` on its version's lock file for its lifetime);
5. runs the unpacked app as its child (environment of PyInstaller's bootloader removed, signals
   forwarded), closes the splash when the app says its first window has loaded (a byte on the pipe
   named by ``WEBIO_SPLASH_FD``) or exits, and exits with the app's status.

Standard library and platformdirs only: the build copies this file next to the stub's entry
script (``templates/stub.py``) so the stub carries none of webio_desktop.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

MAGIC = b"WEBIO-ONEFILE-1\n"  # 16 bytes, the trailer's last
TRAILER = struct.Struct("<QQ32s16s")  # payload offset, length, SHA-256, MAGIC
MARKER = ".webio-onefile.json"  # in an unpacked version: its hash and every file's size
LOCK = ".webio-onefile.lock"  # held shared by every launch running that version
SPLASH_FD_ENV = "WEBIO_SPLASH_FD"  # the pipe the app writes a byte to once its window loaded
ONEFILE_ENV = "WEBIO_ONEFILE"  # the one file's own path (the app's identity, not the cache's)
CACHE_ENV = "WEBIO_ONEFILE_CACHE"  # where versions are unpacked (default: the user cache)
STALE_TEMP_SECONDS = 3600  # an unlocked hidden sibling older than this is a crashed unpacking


@dataclass(frozen=True)
class Payload:
    """Where the tar is inside the one file, and its hash."""
    offset: int
    length: int
    digest: bytes

    @property
    def key(self) -> str:
        return self.digest.hex()[:16]


# -- build side ---------------------------------------------------------------------------------
class _Hashing:
    """A write-only file that hashes and counts what goes through it."""

    def __init__(self, out: BinaryIO) -> None:
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


def write_onefile(stub: Path, folder: Path, out: Path, *, compress: bool = False) -> Payload:
    """``out`` = the stub executable carrying a tar of ``folder``'s contents, and the trailer.

    PyInstaller's Linux bootloader looks for its archive's signature backwards from the end of
    the file, in small reads: behind 360 MiB of payload that took seconds at every start. So in
    a PyInstaller stub the payload becomes an ELF section placed *before* the bootloader's own
    (``objcopy``: take ``pydata`` out, add the payload, put ``pydata`` back), and only the
    64-byte trailer follows the section table. Any other stub (no ``pydata``) gets the payload
    appended.

    :param stub: the stub executable (PyInstaller one-file of this module)
    :param folder: the one-folder build to carry (its executable has the folder's name)
    :param out: the one file to write (made executable)
    :param compress: gzip the tar (a smaller file; the first start then inflates it)
    """
    partial = out.with_name(out.name + ".partial")
    with tempfile.TemporaryDirectory(dir=out.parent, prefix=".onefile-") as tmp:
        data = Path(tmp) / "payload"
        with open(data, "wb") as f:
            sink = _Hashing(f)
            with tarfile.open(fileobj=sink, mode="w|gz" if compress else "w|",  # type: ignore[call-overload]
                              format=tarfile.PAX_FORMAT) as tar:
                for path in sorted(folder.rglob("*")):
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
    payload = Payload(offset, sink.length, sink.sha.digest())
    with open(partial, "ab") as f:
        f.write(TRAILER.pack(payload.offset, payload.length, payload.digest, MAGIC))
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
        offset, length, digest, magic = TRAILER.unpack(f.read(TRAILER.size))
    if magic != MAGIC or offset + length > size - TRAILER.size:
        return None
    return Payload(offset, length, digest)


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


def unpack(onefile: Path, payload: Payload, into: Path) -> None:
    """Unpack the tar into the (empty) folder ``into``, check every file's size, write the
    marker last. The tar is our own build's, but only what tarfile's ``data`` filter accepts
    (regular files, folders and links inside ``into``) is unpacked."""
    files: dict[str, int] = {}
    with open(onefile, "rb") as f, tarfile.open(fileobj=_Window(f, payload.offset,  # type: ignore[call-overload]
                                                                payload.length), mode="r:*") as tar:
        tar.copybufsize = 1 << 20  # compressed tars (16 KiB reads by default)
        plain = tar.fileobj is not None and isinstance(tar.fileobj, _Window)
        for member in tar:
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
    (into / MARKER).write_text(json.dumps({"sha256": payload.digest.hex(), "files": files}),
                               encoding="utf-8")


def _lock(folder: Path, exclusive: bool = False):
    """An open lock file of ``folder`` holding a flock (shared, or exclusive without waiting);
    None when another launch holds it."""
    import fcntl

    f = open(folder / LOCK, "a+b")
    try:
        fcntl.flock(f, (fcntl.LOCK_EX | fcntl.LOCK_NB) if exclusive else fcntl.LOCK_SH)
    except BlockingIOError:
        f.close()
        return None
    return f


def _remove(folder: Path) -> None:
    """Rename aside (so no launch takes it for a version), then delete."""
    aside = folder.with_name(f".trash-{folder.name}-{os.getpid()}-{time.monotonic_ns()}")
    try:
        os.rename(folder, aside)
    except OSError:
        return
    shutil.rmtree(aside, ignore_errors=True)


def clean_stale(app_dir: Path, keep: str) -> list[str]:
    """Remove every other version (and crashed unpackings) of this app that no launch holds.

    :param app_dir: the app's folder in the cache
    :param keep: the running version's key
    :returns: the names removed
    """
    removed = []
    for entry in app_dir.iterdir():
        if entry.name == keep or not entry.is_dir():
            continue
        if entry.name.startswith(".") and not (entry / LOCK).exists():
            # An unpacking that has not taken its lock yet, or one that crashed long ago.
            try:
                if time.time() - entry.stat().st_mtime < STALE_TEMP_SECONDS:
                    continue
            except OSError:
                continue
        held = _lock(entry, exclusive=True)
        if held is None:
            continue  # a running launch (or an unpacking in progress) holds it
        try:
            _remove(entry)
            removed.append(entry.name)
        finally:
            held.close()
    return removed


@dataclass
class Unpacked:
    folder: Path
    cold: bool  # unpacked by this start
    temporary: bool  # in a temporary folder (the cache was not writable): delete at exit
    lock: object | None = None  # the open lock file held while the app runs


def ensure_unpacked(onefile: Path, payload: Payload, name: str, root: Path | None = None,
                    on_cold=None) -> Unpacked:
    """The unpacked version of this one file: from the cache, else unpacked into it (or into a
    temporary folder when the cache can not be written).

    :param onefile: the one file
    :param payload: its payload (read_payload)
    :param name: the app's name (its folder in the cache)
    :param root: the cache (default: cache_root())
    :param on_cold: called before unpacking (e.g. to say so on the splash)
    """
    app_dir = (root or cache_root()) / name
    final = app_dir / payload.key
    if is_whole(final, payload):
        lock = _lock(final)
        if is_whole(final, payload):  # not removed between the check and the lock
            return Unpacked(final, cold=False, temporary=False, lock=lock)
        if lock is not None:
            lock.close()
    if on_cold is not None:
        on_cold()
    try:
        app_dir.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{payload.key}-", dir=app_dir))
    except OSError:
        tmp = Path(tempfile.mkdtemp(prefix=f"{name}-"))
        unpack(onefile, payload, tmp)
        return Unpacked(tmp, cold=True, temporary=True)
    lock = _lock(tmp)  # follows the folder through the rename
    try:
        unpack(onefile, payload, tmp)
    except BaseException:
        if lock is not None:
            lock.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        os.rename(tmp, final)
    except OSError:  # the name is taken: another launch got there first, or a broken copy
        if is_whole(final, payload):
            if lock is not None:
                lock.close()
            shutil.rmtree(tmp, ignore_errors=True)
            return Unpacked(final, cold=True, temporary=False, lock=_lock(final))
        _remove(final)
        os.rename(tmp, final)
    return Unpacked(final, cold=True, temporary=False, lock=lock)


def child_env(onefile: Path, splash_fd: int | None) -> dict[str, str]:
    """The app's environment: without what PyInstaller's bootloader set for the stub (the app is
    a PyInstaller program of its own), with the one file's path and the splash pipe."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("_PYI_", "_MEIPASS")) and k != "LD_LIBRARY_PATH"}
    if "LD_LIBRARY_PATH_ORIG" in env:
        env["LD_LIBRARY_PATH"] = env.pop("LD_LIBRARY_PATH_ORIG")
    env["PYINSTALLER_RESET_ENVIRONMENT"] = "1"
    env[ONEFILE_ENV] = str(onefile)
    if splash_fd is not None:
        env[SPLASH_FD_ENV] = str(splash_fd)
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


def run(name: str, argv: list[str] | None = None) -> int:
    """The stub's program: unpack if needed, run the app, close the splash once it is shown."""
    onefile = Path(sys.executable).resolve()
    payload = read_payload(onefile)
    if payload is None:
        print(f"{name}: this file lost its contents (no payload at its end)", file=sys.stderr)
        return 2
    splash = bootloader_splash()

    def say_unpacking() -> None:
        if splash is not None:
            try:
                splash.update_text(f"Unpacking {name} (first start)...")
            except Exception:
                pass

    try:
        unpacked = ensure_unpacked(onefile, payload, name, on_cold=say_unpacking)
    except OSError as exc:
        print(f"{name}: could not unpack: {exc}", file=sys.stderr)
        return 2
    if not unpacked.temporary:
        try:
            clean_stale(unpacked.folder.parent, payload.key)
        except OSError:
            pass  # an old version left behind costs disk only
    read, write = os.pipe()
    proc = subprocess.Popen([str(unpacked.folder / name), *(sys.argv[1:] if argv is None else argv)],
                            env=child_env(onefile, write), pass_fds=(write,))
    os.close(write)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: proc.send_signal(signum))
    try:
        os.read(read, 1)  # a byte: the window loaded; b"": the app closed it (or exited)
        if splash is not None and splash.is_alive():
            splash.close()
        os.close(read)
        return proc.wait()
    finally:
        if unpacked.temporary:
            shutil.rmtree(unpacked.folder, ignore_errors=True)

