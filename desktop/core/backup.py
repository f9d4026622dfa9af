"""Rolling backups of a project, made with SQLite's online backup API, and restoring one.

A backup is a complete project file, copied page by page from a consistent snapshot while the
project stays open and in use, checked, and only then renamed into place. The newest
`BACKUPS_KEPT` are kept per project, in the user's data folder (not beside the project, which may
be on a read-only or shared disk).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import platformdirs

from desktop.core.errors import ProjectError
from desktop.core.model import BackupInfo

BACKUPS_KEPT = 10


def backup_folder(project: Path) -> Path:
    """Where the backups of `project` go (one folder per project file)."""
    key = hashlib.sha1(str(project.resolve()).encode()).hexdigest()[:10]
    base = platformdirs.user_data_path("claimmark", appauthor=False) / "backups"
    return base / f"{project.stem}-{key}"


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


def make_backup(project: Path, folder: Path | None = None) -> Path:
    """Copy the project into a new backup file and drop the oldest beyond BACKUPS_KEPT."""
    if not project.is_file():
        raise ProjectError(f"{project}: no project file to back up.")
    folder = folder or backup_folder(project)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ProjectError(f"{folder}: cannot create the backup folder ({e.strerror}).") from None
    target = folder / f"{project.stem}-{_stamp(datetime.now(UTC))}.claimmark"
    partial = target.with_suffix(".part")
    try:
        source = sqlite3.connect(project)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
                if copy.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise ProjectError(f"{project}: the backup copy did not check out.")
            finally:
                copy.close()
        finally:
            source.close()
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        os.replace(partial, target)
    except sqlite3.Error as e:
        partial.unlink(missing_ok=True)
        raise ProjectError(f"{project}: could not make a backup ({e}).") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for old in sorted(folder.glob("*.claimmark"))[:-BACKUPS_KEPT]:
        old.unlink(missing_ok=True)
    return target


def list_backups(project: Path, folder: Path | None = None) -> list[BackupInfo]:
    """The backups of `project`, newest first, with what each holds."""
    folder = folder or backup_folder(project)
    found: list[BackupInfo] = []
    for path in sorted(folder.glob("*.claimmark"), reverse=True):
        try:
            made = datetime.strptime(path.stem.rsplit("-", 1)[1], "%Y%m%dT%H%M%S%fZ")
            conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            try:
                documents = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
                highlights = conn.execute("SELECT count(*) FROM highlights").fetchone()[0]
            finally:
                conn.close()
        except (ValueError, IndexError, sqlite3.Error):
            continue  # not one of ours, or unreadable: not offered
        found.append(BackupInfo(path, made.replace(tzinfo=UTC), documents, highlights))
    return found


def restore_backup(backup: Path, project: Path, folder: Path | None = None) -> Path:
    """Replace the (closed) project with `backup`; the project as it was is backed up first.

    Returns the backup of the replaced state. Refused while another program has the project
    open (its journal is still there), so nobody's open connection is pulled from under it.
    """
    for suffix in ("-wal", "-shm"):
        if Path(f"{project}{suffix}").exists():
            raise ProjectError(
                f"{project}: the project is still open elsewhere; close its other windows first."
            )
    partial = project.with_name(f".{project.name}.restoring")
    try:
        # Copied before the safety backup, whose pruning may remove the oldest backup: the
        # one being restored.
        partial.write_bytes(backup.read_bytes())
        with partial.open("rb") as f:
            os.fsync(f.fileno())
        safety = make_backup(project, folder)
        os.replace(partial, project)
    except OSError as e:
        partial.unlink(missing_ok=True)
        raise ProjectError(f"{project}: could not restore the backup ({e.strerror}).") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return safety


def changed_since_last_backup(project: Path, folder: Path | None = None) -> bool:
    """Whether the closed project file changed after its newest backup was made.

    For a project being opened: its changes of last time are in the file itself by now (SQLite
    moves the journal into it when the last connection closes).
    """
    folder = folder or backup_folder(project)
    newest = max(folder.glob("*.claimmark"), default=None, key=lambda p: p.stat().st_mtime)
    return newest is None or project.stat().st_mtime > newest.stat().st_mtime
