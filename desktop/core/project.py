"""Where projects live by default, and opening one the way the app and the command line do."""

from __future__ import annotations

from pathlib import Path

import platformdirs

from desktop.core.bundled import seed_files
from desktop.core.errors import ProjectError
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore

PROJECT_SUFFIX = ".claimmark"


def default_project_path() -> Path:
    """The project used when none is named: in the user's data directory."""
    return platformdirs.user_data_path("claimmark", appauthor=False) / f"default{PROJECT_SUFFIX}"


def open_project_path(
    path: Path | None, *, create: bool = True, seed: bool = False, read_only: bool = False
) -> SqliteStore:
    """Open the project at `path` (default: the user's default project).

    A project created here gets the bundled seed articles when `seed` is true, so a new user
    starts with real articles to annotate. A project opened `read_only` is never created and
    may be on read-only media.
    """
    if path is None:
        path = default_project_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ProjectError(
                f"{path.parent}: cannot create the data folder ({e.strerror})."
            ) from None
    is_new = not path.exists()
    store = SqliteStore.open(path, create=create and not read_only, read_only=read_only)
    if is_new and seed:
        import_paths(store, seed_files())
    return store
