"""New files and folders under temporary names, made the way a user's own programs make them.

`tempfile.mkstemp` and `mkdtemp` create 0600 files and 0700 folders, and those modes stay when
the file is renamed into place: an export or a project would be private whatever the user's
umask says. These create with 0666 and 0777 and let the umask decide (0644 and 0755 under the
usual 022), as any program that saves a file does.

A part (an export being written) is locked while its writer lives (`flock`, which the system
releases when the process ends, however it ends), so the next export into the same folder can
tell the part of a running export from one left behind by a killed one, and remove only those.
Where there is no `flock` (Windows), parts are never taken for leftovers.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

PART_SUFFIX = ".part"
_PART_TAG = "claimmark-"
_PART_NAME = re.compile(rf"^\..+\.{_PART_TAG}[0-9a-f]{{8}}{re.escape(PART_SUFFIX)}$", re.DOTALL)
_TRIES = 100
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def create_file(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """Create a new, empty file named `prefix` + random + `suffix` in `folder`, for writing.

    Returns the open descriptor and the path. Raises OSError when the folder refuses.
    """
    for _ in range(_TRIES):
        path = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_CLOEXEC | _O_BINARY
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name in {folder}")


def create_folder(folder: Path, prefix: str, suffix: str) -> Path:
    """Create a new, empty folder named `prefix` + random + `suffix` in `folder`."""
    for _ in range(_TRIES):
        path = folder / f"{prefix}{secrets.token_hex(4)}{suffix}"
        try:
            os.mkdir(path, 0o777)
        except FileExistsError:
            continue
        return path
    raise FileExistsError(f"no free temporary name in {folder}")


class Part:
    """A file or folder being written beside its destination, named `.NAME.claimmark-XXXXXXXX.part`
    and locked until `close()` (or the end of the process)."""

    def __init__(self, destination: Path, folder: bool) -> None:
        prefix = f".{destination.name}.{_PART_TAG}"
        self.fd: int | None = None  # of the file, open for writing
        self._lock_fd: int | None = None
        for _ in range(_TRIES):
            if folder:
                self.path = create_folder(destination.parent, prefix, PART_SUFFIX)
                lock_fd = os.open(self.path, os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)
            else:
                lock_fd, self.path = create_file(destination.parent, prefix, PART_SUFFIX)
            if _lock(lock_fd, wait=True) and _still_named(lock_fd, self.path):
                self._lock_fd = lock_fd
                if not folder:
                    self.fd = lock_fd
                return
            # Taken for a leftover and removed in the moment before it was locked: again.
            os.close(lock_fd)
        raise FileExistsError(f"cannot keep a temporary name in {destination.parent}")

    def close(self) -> None:
        """Release the lock (and close the file); the part itself stays where it is."""
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = self.fd = None

    def remove(self) -> None:
        """Close and delete the part."""
        self.close()
        if self.path.is_dir() and not self.path.is_symlink():
            shutil.rmtree(self.path, ignore_errors=True)
        else:
            self.path.unlink(missing_ok=True)


def _lock(fd: int, *, wait: bool) -> bool:
    """Take the exclusive lock on `fd`; False when another process holds it (and not `wait`)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:  # a file system without locks: write anyway, but take no part for a leftover
        return wait
    return True


def _still_named(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.stat(path, follow_symlinks=False))
    except OSError:
        return False


def remove_leftover_parts(folder: Path) -> list[tuple[str, int]]:
    """Delete the parts in `folder` that no running export holds: what exports killed half way
    left behind. Returns (name, size in bytes) of each part removed."""
    if fcntl is None:
        return []
    removed = []
    try:
        names = [n for n in os.listdir(folder) if _PART_NAME.match(n)]
    except OSError:
        return []
    for name in names:
        path = folder / name
        try:
            is_folder = _is_folder(path)
            flags = os.O_RDONLY | _O_CLOEXEC | _O_NOFOLLOW | (_O_DIRECTORY if is_folder else 0)
            fd = os.open(path, flags)
        except OSError:
            continue
        try:
            if not _lock(fd, wait=False) or not _still_named(fd, path):
                continue  # an export is writing it, or it is gone already
            size = _size(path)
            if is_folder:
                shutil.rmtree(path)
            else:
                path.unlink()
            removed.append((name, size))
        except OSError:
            continue
        finally:
            os.close(fd)
    return removed


def _is_folder(path: Path) -> bool:
    """Whether `path` itself (not what a symbolic link points to) is a folder."""
    return path.is_dir() and not path.is_symlink()


def _size(path: Path) -> int:
    if not _is_folder(path):
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())
