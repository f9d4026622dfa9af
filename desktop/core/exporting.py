"""Writing exports: the formats by name, and writing files so that no partial file is left.

A file is written to a temporary name beside its destination and renamed into place only when
complete, so a failed or cancelled export never leaves half a file. A folder (brat) is written
the same way: into a temporary folder beside the destination, renamed into place when complete.

For the window: `export_to_path` takes `on_progress(done, total)` and `is_cancelled()` and can run
on a worker thread (with its own store connection); when cancelled it raises
`progress.Cancelled` and leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from desktop.core.errors import ClaimmarkError
from desktop.core.model import HighlightFilter
from desktop.core.progress import CancelCheck, Progress, ProgressCallback
from desktop.core.registry import export_format
from desktop.core.store import ProjectStore


def _render(
    store: ProjectStore, fmt: str, where: HighlightFilter, progress: Progress
) -> str | bytes:
    export = export_format(fmt)
    if export.render is None:
        raise ClaimmarkError(f"The {fmt} export is a folder of files; give a folder for it.")
    with store.snapshot():  # tags, documents and highlights as of one moment
        return export.render(store, where, progress)


def render_bytes(
    store: ProjectStore, fmt: str, where: HighlightFilter = HighlightFilter()
) -> bytes:
    """The export in single-file format `fmt` as UTF-8 (for writing out without a copy)."""
    rendered = _render(store, fmt, where, Progress(None, None))
    return rendered.encode("utf-8") if isinstance(rendered, str) else rendered


def export_to_path(
    store: ProjectStore,
    fmt: str,
    path: Path,
    where: HighlightFilter = HighlightFilter(),
    *,
    on_progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
) -> None:
    """Write the export in format `fmt` to `path` (a file, or a folder for brat), all or nothing."""
    export = export_format(fmt)
    progress = Progress(on_progress, is_cancelled)
    if export.render is not None:
        write_file_atomically(path, _render(store, fmt, where, progress))
    elif export.files is not None:
        with store.snapshot():  # the files are made one by one as they are written
            files = export.files(store, where, progress)
            write_folder_atomically(path, files, may_replace=export.may_replace)


def write_file_atomically(path: Path, text: str | bytes) -> None:
    """Write `text` (as UTF-8 when it is text) to `path`, all or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ClaimmarkError(f"{path}: the folder {folder} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot write here ({e.strerror}).") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8") if isinstance(text, str) else text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ClaimmarkError(f"{path}: could not write the export ({e.strerror}).") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_folder_atomically(
    path: Path,
    files: Iterable[tuple[str, str]],
    *,
    may_replace: Callable[[Path], bool] | None = None,
) -> None:
    """Write the (name, text) `files` into a new folder `path`, all or nothing.

    An existing `path` must be an empty folder, or one that `may_replace` accepts (an earlier
    export of the same kind): nothing else of the user's is ever deleted.
    """
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise ClaimmarkError(f"{path}: the folder {parent} does not exist.")
    replace = False
    if path.exists() or path.is_symlink():
        if not path.is_dir() or path.is_symlink():
            raise ClaimmarkError(f"{path}: something that is not a folder is in the way.")
        replace = any(path.iterdir())
        if replace and not (may_replace is not None and may_replace(path)):
            raise ClaimmarkError(
                f"{path}: the folder is not empty and is not an earlier export; "
                "choose a new or empty folder."
            )
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".part", dir=parent))
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot write here ({e.strerror}).") from None
    try:
        for name, text in files:
            if Path(name).name != name or name.startswith("."):
                raise ClaimmarkError(f"{path}: refusing to write a file named “{name}”.")
            with (tmp / name).open("w", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        if replace:
            old = parent / f".{path.name}.{uuid.uuid4().hex}.old"
            os.rename(path, old)
            try:
                os.rename(tmp, path)
            except OSError:
                os.rename(old, path)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            if path.is_dir():
                path.rmdir()  # empty; renaming onto a folder is not portable
            os.rename(tmp, path)
    except OSError as e:
        shutil.rmtree(tmp, ignore_errors=True)
        raise ClaimmarkError(f"{path}: could not write the export ({e.strerror}).") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
