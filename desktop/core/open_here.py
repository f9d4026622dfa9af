"""The project files this process has open, so that nothing of it opens them a second time.

Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's too.
Then another process closing the project takes itself for its last user and deletes the journal
under this one, which can save nothing more. SQLite shares its own descriptors of a file between
its connections; the code that reads a file by itself (a project's header, an imported file's
first bytes) asks here first and leaves a file that is open here alone.
"""

from __future__ import annotations

import os
import threading
from collections import Counter

_open: Counter[tuple[int, int]] = Counter()  # (device, inode) -> stores that have it open
_lock = threading.Lock()


def identity(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None when there is none."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_dev, info.st_ino


_JOURNALS = ("-wal", "-shm", "-journal")  # SQLite's files beside a project


def is_open(path: str | os.PathLike[str]) -> bool:
    """Whether a store of this process has the file at `path` open, or the project that `path`
    is a journal file of."""
    name = os.fspath(path)
    candidates = [name] + [name[: -len(j)] for j in _JOURNALS if name.endswith(j)]
    keys = {identity(c) for c in candidates} - {None}
    with _lock:
        return any(key in _open for key in keys)


def add(path: str | os.PathLike[str]) -> tuple[int, int] | None:
    """Count one more store with the file open; returns the key to pass to `remove`."""
    key = identity(path)
    if key is not None:
        with _lock:
            _open[key] += 1
    return key


def remove(key: tuple[int, int] | None) -> None:
    """Count one store fewer with the file open (the key `add` returned)."""
    if key is None:
        return
    with _lock:
        _open[key] -= 1
        if _open[key] <= 0:
            del _open[key]
