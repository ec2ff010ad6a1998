"""Atomic file writes: temp file in the same folder, fsync, rename.

A reader, a crash or ``kill -9`` sees either the old file or the new one, never a
half-written file. Temp files carry a recognisable prefix so a later run can
clean up after a crash.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path
from typing import Callable, Iterator

TMP_PREFIX = ".bonusbook-tmp-"
STALE_AFTER_S = 6 * 3600


@contextlib.contextmanager
def atomic_path(target: str | Path, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temp path to write; on success it replaces ``target`` atomically."""
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TMP_PREFIX}{os.getpid()}-", suffix=target.suffix, dir=target.parent)
    except PermissionError as e:  # a read-only folder: the user knows their file, not our temp name
        raise PermissionError(e.errno, e.strerror, str(target)) from e
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        os.chmod(tmp_path, target.stat().st_mode & 0o7777 if target.exists() else _default_mode())
        yield tmp_path
        with open(tmp_path, "rb+") as fh:
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp_path, target)
        else:
            _place_new(tmp_path, target)
        _fsync_dir(target.parent)
    except PermissionError as e:  # a read-only file (its mode is copied to the temp file) or folder
        raise PermissionError(e.errno, e.strerror, str(target)) from e
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _place_new(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target`` atomically, failing with FileExistsError if it exists."""
    try:
        os.link(tmp, target)  # fails if target exists: never overwrite
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        if os.name != "nt":
            raise
        os.rename(tmp, target)  # on Windows rename refuses an existing target: still never overwrites
        return
    tmp.unlink()


def write_bytes(target: str | Path, data: bytes, overwrite: bool = True) -> None:
    with atomic_path(target, overwrite) as tmp:
        tmp.write_bytes(data)


def write_with(target: str | Path, writer: Callable[[Path], None], overwrite: bool = True) -> None:
    with atomic_path(target, overwrite) as tmp:
        writer(tmp)


def clean_leftovers(folder: str | Path) -> int:
    """Remove temp files a crashed run left behind; returns how many.

    A temp file names the process that writes it; one whose process is still
    alive belongs to a concurrent save and is left alone.
    """
    n = 0
    for p in Path(folder).glob(TMP_PREFIX + "*"):
        if _writer_alive(p.name[len(TMP_PREFIX):].split("-", 1)[0], p):
            continue
        with contextlib.suppress(OSError):
            p.unlink()
            n += 1
    return n


def _writer_alive(pid_text: str, path: Path) -> bool:
    if not pid_text.isdigit():
        return False  # an older name without a pid: a leftover
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    if os.name == "nt":  # no signal-0 probe on Windows: trust only recent files
        with contextlib.suppress(OSError):
            return time.time() - path.stat().st_mtime < STALE_AFTER_S
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _default_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
