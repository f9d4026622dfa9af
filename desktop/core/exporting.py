"""Writing exports: the formats by name, and writing files so that no partial file is left.

A file is written to a temporary name beside its destination and renamed into place only when
complete, so a failed or cancelled export never leaves half a file. A folder (brat) is written
the same way: into a temporary folder beside the destination, renamed into place when complete.

Nothing of the user's is replaced unless asked for (`replace`), and only a regular file (or a
folder, for brat) ever is; see `check_target`.

For the window: `export_to_path` takes `on_progress(done, total)` and `is_cancelled()` and can run
on a worker thread (with its own store connection); when cancelled it raises
`progress.Cancelled` and leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from desktop.core import newfiles
from desktop.core.errors import ClaimmarkError
from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import HighlightFilter
from desktop.core.progress import CancelCheck, Progress, ProgressCallback
from desktop.core.registry import export_format
from desktop.core.store import ProjectStore
from desktop.core.wording import counted

# What a single-file export gives: all of it, or its UTF-8 in pieces as they are made.
Rendered = str | bytes | Iterator[bytes]


def _single_file(fmt: str) -> FileFormat:
    export = export_format(fmt)
    if export.render is None:
        raise ClaimmarkError(f"The {fmt} export is a folder of files; give a folder for it.")
    return export


def render_bytes(
    store: ProjectStore,
    fmt: str,
    where: HighlightFilter = HighlightFilter(),
    notes: list[str] | None = None,
    options: Mapping[str, str] | None = None,
) -> bytes:
    """The export in single-file format `fmt` as UTF-8 (for writing out without a copy).

    What the format could not carry, and how to keep it, is added to `notes`."""
    export = _single_file(fmt)
    assert export.render is not None
    context = ExportContext(store, where, Progress(None, None), options or {})
    with store.snapshot():  # tags, documents and highlights as of one moment
        rendered = export.render(context)
        data = _joined(rendered)
    if notes is not None:
        notes.extend(context.progress.notes)
    return data


def _joined(rendered: Rendered) -> bytes:
    if isinstance(rendered, str):
        return rendered.encode("utf-8")
    if isinstance(rendered, bytes):
        return rendered
    return b"".join(rendered)


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What an export wrote, and what the user should know about it: what the format could not
    carry (and how to keep it), and leftovers of interrupted exports that were removed."""

    path: Path
    notes: list[str]


class TargetExists(ClaimmarkError):
    """The export's destination holds something, and replacing it was not asked for."""


@dataclass(frozen=True, slots=True)
class Target:
    """Where an export goes: `path` as given, `real` the name to write (through a symbolic
    link), and `existing` what is there now and would be replaced ("" for nothing)."""

    path: Path
    real: Path
    existing: str


def check_target(path: Path, fmt: str, project: str | None = None) -> Target:
    """What an export in format `fmt` to `path` would replace, or ClaimmarkError when it may not
    write there at all (whatever the user says): something that is not a regular file (or
    folder), a read-only file, a file with other hard links, or the project itself."""
    return _inspect(path, export_format(fmt).writes_folder, project)


def _inspect(path: Path, folder: bool, project: str | None) -> Target:
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    if path.is_symlink() and not os.path.lexists(real):
        raise ClaimmarkError(f"{path}: a symbolic link to {real}, which does not exist.")
    parent = real.parent if str(real.parent) else Path(".")
    if not parent.is_dir():
        raise ClaimmarkError(f"{path}: the folder {parent} does not exist.")
    if project is not None:
        _refuse_the_project(path, real, Path(project), folder)
    try:
        info = os.stat(real)
    except FileNotFoundError:
        return Target(path, real, "")
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot look at it ({e.strerror}).") from None
    if folder:
        if not stat.S_ISDIR(info.st_mode):
            raise ClaimmarkError(f"{path}: something that is not a folder is in the way.")
        if not _writable(real, info):
            raise ClaimmarkError(f"{path}: the folder is read-only; claimmark leaves it alone.")
        try:
            entries = sorted(os.listdir(real))
        except OSError as e:
            raise ClaimmarkError(f"{path}: cannot look into the folder ({e.strerror}).") from None
        return Target(path, real, _describe_folder(entries) if entries else "")
    if stat.S_ISDIR(info.st_mode):
        raise ClaimmarkError(f"{path}: is a folder; name a file to write the export to.")
    if not stat.S_ISREG(info.st_mode):
        raise ClaimmarkError(
            f"{path}: not a regular file (a device, a pipe or a socket); "
            "claimmark writes exports only to regular files."
        )
    if not _writable(real, info):
        raise ClaimmarkError(f"{path}: the file is read-only; claimmark leaves it alone.")
    if info.st_nlink > 1:
        raise ClaimmarkError(
            f"{path}: the file has {counted(info.st_nlink - 1, 'other name')} (hard links), "
            "which would keep the old content; write the export to another name."
        )
    return Target(path, real, "the file exists")


def _writable(path: Path, info: os.stat_result) -> bool:
    """Writable by this user: root may write anything, so a file nobody may write counts as
    read-only for root too."""
    return bool(info.st_mode & 0o222) and os.access(path, os.W_OK)


_OUR_BRAT_NAME = re.compile(r"^(\d{4}(-[a-z0-9-]+)?\.(txt|ann)|annotation\.conf|visual\.conf)$")


def _describe_folder(entries: list[str]) -> str:
    """`the folder is not empty (21 files, among them my-notes.txt, …)`: names that an export
    would not have written first."""
    named = sorted(entries, key=lambda n: bool(_OUR_BRAT_NAME.match(n)))[:2]
    more = ", …" if len(entries) > len(named) else ""
    return f"the folder is not empty ({counted(len(entries), 'file')}: {', '.join(named)}{more})"


def _refuse_the_project(path: Path, real: Path, project: Path, folder: bool) -> None:
    """Never write over the project (or its journal), nor replace a folder holding it."""
    try:
        project = project.resolve()
        destination = real.resolve()
    except OSError:
        return
    names = {project, *(project.with_name(project.name + s) for s in ("-wal", "-shm", "-journal"))}
    if destination in names or (folder and project.is_relative_to(destination)):
        raise ClaimmarkError(f"{path}: that is where the project itself is; choose another place.")


def export_to_path(
    store: ProjectStore,
    fmt: str,
    path: Path,
    where: HighlightFilter = HighlightFilter(),
    *,
    replace: bool = False,
    on_progress: ProgressCallback | None = None,
    is_cancelled: CancelCheck | None = None,
    options: Mapping[str, str] | None = None,
    highlight_ids: frozenset[int] | None = None,
) -> ExportResult:
    """Write the export in format `fmt` to `path` (a file, or a folder for brat), all or nothing.

    Whatever is at `path` is replaced only when `replace` is true (the window asks first; the
    command line needs --force). Leftovers of exports killed half way in the same folder are
    removed first, and named in the result's notes. `highlight_ids` narrows the highlights
    `where` selects to these (see ExportContext).
    """
    export = export_format(fmt)
    target = check_target(path, fmt, store.location)
    if target.existing and not replace:
        raise TargetExists(f"{path}: {target.existing}; claimmark replaces it only when asked to.")
    notes = _remove_leftovers(target.real.parent)
    context = ExportContext(
        store, where, Progress(on_progress, is_cancelled), options or {}, highlight_ids
    )
    # One state of the project throughout: the file is written as it is made.
    with store.snapshot():
        if export.render is not None:
            write_file_atomically(path, export.render(context), replace=replace)
        elif export.files is not None:
            write_folder_atomically(path, export.files(context), replace=replace)
    return ExportResult(path, notes + context.progress.notes)


def _remove_leftovers(folder: Path) -> list[str]:
    removed = newfiles.remove_leftover_parts(folder)
    if not removed:
        return []
    names = ", ".join(f"{name} ({size / 1048576:.1f} MB)" for name, size in removed)
    return [f"Removed what interrupted exports had left in {folder}: {names}."]


def write_file_atomically(path: Path, text: Rendered, *, replace: bool = False) -> None:
    """Write `text` (as UTF-8 when it is text; bytes, or pieces of bytes as they come) to
    `path`, all or nothing.

    A new file gets the permissions the umask gives; a replaced one (only with `replace`) keeps
    its own. A symbolic link is written through: the file it points to is replaced.
    """
    target = _inspect(path, folder=False, project=None)
    if target.existing and not replace:
        raise TargetExists(f"{path}: {target.existing}; claimmark replaces it only when asked to.")
    try:
        part = newfiles.Part(target.real, folder=False)
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot write here ({e.strerror}).") from None
    try:
        assert part.fd is not None
        with os.fdopen(os.dup(part.fd), "wb", buffering=1 << 20) as f:
            if isinstance(text, str):
                f.write(text.encode("utf-8"))
            elif isinstance(text, bytes):
                f.write(text)
            else:
                for piece in text:
                    f.write(piece)
            f.flush()
            if target.existing:
                os.fchmod(f.fileno(), stat.S_IMODE(os.stat(target.real).st_mode))
            os.fsync(f.fileno())
        _put_in_place(part.path, target, replace)
    except OSError as e:
        part.remove()
        raise ClaimmarkError(f"{path}: could not write the export ({e.strerror}).") from None
    except BaseException:
        part.remove()
        raise
    part.close()


def _put_in_place(part: Path, target: Target, replace: bool) -> None:
    """Rename the complete file `part` to the target; over an existing one only with `replace`.

    Without `replace`, a hard link makes the new name, which fails if anything appeared there
    since it was checked; where there are no hard links, the name is checked once more.
    """
    if replace:
        os.replace(part, target.real)
        return
    try:
        os.link(part, target.real, follow_symlinks=False)
    except FileExistsError:
        raise TargetExists(
            f"{target.path}: something appeared there while the export was written; "
            "claimmark replaces it only when asked to."
        ) from None
    except OSError:  # no hard links on this file system (FAT, some network shares)
        if os.path.lexists(target.real):
            raise TargetExists(
                f"{target.path}: something appeared there while the export was written."
            ) from None
        os.replace(part, target.real)
        return
    part.unlink()


def write_folder_atomically(
    path: Path, files: Iterable[tuple[str, str]], *, replace: bool = False
) -> None:
    """Write the (name, text) `files` into a new folder `path`, all or nothing.

    An existing folder is taken over when it is empty, and replaced with everything in it only
    when `replace` is true: nothing of the user's is deleted unless they said so.
    """
    target = _inspect(path, folder=True, project=None)
    if target.existing and not replace:
        raise TargetExists(f"{path}: {target.existing}; claimmark replaces it only when asked to.")
    try:
        part = newfiles.Part(target.real, folder=True)
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot write here ({e.strerror}).") from None
    tmp = part.path
    try:
        for name, text in files:
            if Path(name).name != name or name.startswith("."):
                raise ClaimmarkError(f"{path}: refusing to write a file named “{name}”.")
            with (tmp / name).open("x", encoding="utf-8", newline="") as f:
                f.write(text)
                f.flush()
                os.fsync(f.fileno())
        real = target.real
        if os.path.isdir(real) and os.listdir(real):
            if not replace:
                raise TargetExists(
                    f"{path}: files appeared in the folder while the export was written; "
                    "claimmark replaces it only when asked to."
                )
            old = real.parent / f".{real.name}.{uuid.uuid4().hex}.old"
            os.rename(real, old)
            try:
                os.rename(tmp, real)
            except OSError:
                os.rename(old, real)
                raise
            shutil.rmtree(old, ignore_errors=True)
        else:
            if os.path.isdir(real):
                os.rmdir(real)  # empty; renaming onto a folder is not portable
            os.rename(tmp, real)
    except OSError as e:
        part.remove()
        raise ClaimmarkError(f"{path}: could not write the export ({e.strerror}).") from None
    except BaseException:
        part.remove()
        raise
    part.close()
