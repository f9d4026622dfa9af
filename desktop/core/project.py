"""Opening a project: the one place that knows which store stands behind a location.

The window, its background workers and the command line all open projects here, and from then
on talk to the `ProjectStore` interface only. A location is a project file's path, or a libpq
connection string for a project on a PostgreSQL server (team mode): `postgresql://...`,
`postgres://...`, `service=NAME`, or `key=value` words naming a host or a database.
"""

from __future__ import annotations

import re
from pathlib import Path

import platformdirs

from desktop.core import backup as file_backups
from desktop.core.bundled import seed_files
from desktop.core.errors import ProjectError
from desktop.core.sqlite_store import SqliteStore, remove_if_unused
from desktop.core.store import ProjectStore

PROJECT_SUFFIX = ".claimmark"
_SERVER_PREFIXES = ("postgresql://", "postgres://", "service=")
_SERVER_KEYWORDS = re.compile(r"(?:^|\s)(?:host|hostaddr|dbname|service)\s*=")


def default_project_path() -> Path:
    """The project used when none is named: in the user's data directory."""
    return platformdirs.user_data_path("claimmark", appauthor=False) / f"default{PROJECT_SUFFIX}"


def is_server_location(location: str | Path) -> bool:
    """Whether `location` names a database server rather than a project file."""
    if isinstance(location, Path):
        return False
    text = location.strip()
    return text.startswith(_SERVER_PREFIXES) or bool(_SERVER_KEYWORDS.search(text))


def describe_location(location: str | Path) -> str:
    """A location for people: a server's database and host without any password, a file's
    path as it is."""
    if is_server_location(location):
        from desktop.core.pg_store import describe_location as describe_server

        return describe_server(str(location))
    return str(location)


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
        # psycopg is loaded only for a server project.
        from desktop.core.pg_store import PgStore

        server = PgStore.open(str(location), create=create, read_only=read_only)
        if server.created and seed:
            _seed(server)
        return server
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
        _seed(store)
    return store


def new_project_file(location: str | Path | None) -> Path | None:
    """The file a project at `location` would be created as (the default project's for None),
    when there is nothing there yet; None for a server or a file that exists."""
    if location is not None and is_server_location(location):
        return None
    path = default_project_path() if location is None else Path(location)
    return None if path.exists() or path.is_symlink() else path


def remove_unused_project(path: Path) -> None:
    """Remove a project file that a command created and then put nothing into (every input
    refused), with SQLite's -wal and -shm files beside it: a command that changed nothing
    leaves nothing behind. The store must be closed. Kept when someone else has opened it
    meanwhile or put a document in it; what cannot be removed stays an empty project, which
    opens like a new one."""
    remove_if_unused(path)


def _seed(store: ProjectStore) -> None:
    """A new project's bundled seed articles."""
    from desktop.core.importing import import_paths  # the formats load for this only

    import_paths(store, seed_files())


def restore_backup(location: str, backup: Path) -> Path:
    """Put `backup` in place of the (closed) project at `location`; returns the backup made of
    the state it replaced."""
    if is_server_location(location):
        raise ProjectError(
            f"{describe_location(location)}: a project on a server is restored on the server "
            "(from its own backups), not from claimmark's."
        )
    return file_backups.restore_backup(backup, Path(location))
