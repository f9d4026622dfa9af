"""Opening a project: the one place that knows which store stands behind a location.

The window, its background workers and the command line all open projects here, and from then
on talk to the `ProjectStore` interface only. A location is a project file's path today; a
server address (team mode) will open a server store through the same door.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs

from desktop.core import backup as file_backups
from desktop.core.bundled import seed_files
from desktop.core.errors import ProjectError
from desktop.core.sqlite_store import SqliteStore
from desktop.core.store import ProjectStore

PROJECT_SUFFIX = ".claimmark"
_SERVER_PREFIXES = ("postgresql://", "postgres://")


def default_project_path() -> Path:
    """The project used when none is named: in the user's data directory."""
    return platformdirs.user_data_path("claimmark", appauthor=False) / f"default{PROJECT_SUFFIX}"


def is_server_location(location: str | Path) -> bool:
    """Whether `location` names a database server rather than a project file."""
    text = str(location)
    return text.startswith(_SERVER_PREFIXES) or text.startswith("service=")


def open_project(
    location: str | Path | None,
    *,
    create: bool = True,
    read_only: bool = False,
    seed: bool = False,
) -> ProjectStore:
    """Open the project at `location` (default: the user's default project).

    A project created here gets the bundled seed articles when `seed` is true, so a new user
    starts with real articles to annotate. A project opened `read_only` is never created and
    may be on read-only media. Raises ProjectError with the reason when the project cannot be
    opened; nothing is written then.
    """
    if location is not None and is_server_location(location):
        raise ProjectError(
            f"{location}: projects on a database server are not supported by this version of "
            "claimmark; give a project file."
        )
    if location is None:
        path = default_project_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProjectError(
                f"{path.parent}: cannot create the data folder ({e.strerror})."
            ) from None
    else:
        path = Path(location)
    is_new = not path.exists()
    store = SqliteStore.open(path, create=create and not read_only, read_only=read_only)
    if is_new and seed:
        from desktop.core.importing import import_paths  # the formats load for this only

        import_paths(store, seed_files())
    return store


def restore_backup(location: str, backup: Path) -> Path:
    """Put `backup` in place of the (closed) project at `location`; returns the backup made of
    the state it replaced."""
    return file_backups.restore_backup(backup, Path(location))
