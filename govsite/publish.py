"""Atomic publication: the public output directory is swapped in one step, or not touched at all."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _renameat2_exchange(a: Path, b: Path) -> bool:
    """Swap two directories atomically (Linux renameat2 RENAME_EXCHANGE). False when unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return False
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    res = func(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if res == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(a))


def publish(staging: Path, output: Path) -> None:
    """Make ``staging`` the new ``output``; the old output is removed afterwards."""
    if output.is_symlink() or output.is_file():
        raise OSError(f"{output} is not a directory")
    if output.exists():
        if not _renameat2_exchange(staging, output):
            # Fallback: two renames. A crash between them leaves output.old, which the next build restores.
            old = output.with_name(output.name + ".old")
            shutil.rmtree(old, ignore_errors=True)
            os.rename(output, old)
            os.rename(staging, output)
            staging = old
        shutil.rmtree(staging, ignore_errors=True)
    else:
        os.rename(staging, output)


def recover(output: Path) -> None:
    """If a previous build died between the two fallback renames, put the last good site back."""
    old = output.with_name(output.name + ".old")
    if old.is_dir() and not output.exists():
        os.rename(old, output)
    elif old.is_dir():
        shutil.rmtree(old, ignore_errors=True)


HELD_LOCK_FDS: set[int] = set()  # closed in forked workers, so a killed build never leaves its lock behind


class BuildLock:
    """One build at a time per project; a second one fails at once with a clear message."""

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self.fd)
            self.fd = None
            return False
        os.ftruncate(self.fd, 0)
        os.write(self.fd, str(os.getpid()).encode())
        HELD_LOCK_FDS.add(self.fd)
        return True

    def holder(self) -> str:
        try:
            return self.path.read_text().strip() or "?"
        except OSError:
            return "?"

    def release(self) -> None:
        if self.fd is not None:
            HELD_LOCK_FDS.discard(self.fd)
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
