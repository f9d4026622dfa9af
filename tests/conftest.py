"""Shared fixtures. Qt, when a test loads it, runs offscreen."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
SEED_DIGEST = REPO / "seeds" / "news-digest-2024.txt"
SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests out of the user's data and settings folders (backups, default project)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A new, empty project."""
    s = SqliteStore.open(tmp_path / "project.claimmark")
    s.annotator = "tester"
    yield s
    s.close()


@pytest.fixture
def seeded(store: SqliteStore) -> SqliteStore:
    """A project holding the eight seed articles."""
    report = import_paths(store, [SEED_DIGEST])
    assert len(report.documents_added) == 8
    return store


# A PostgreSQL server for team mode: one throwaway cluster on 127.0.0.1 for the whole run, a new
# database per test. CI (CI=true) installs PostgreSQL first (.ci/run) and fails the server tests
# loudly if it is missing; on a developer's machine without it they are skipped, saying why.
_databases = itertools.count(1)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[object]:
    from desktop.pgcluster import Cluster, server_binaries

    if server_binaries() is None:
        reason = (
            "PostgreSQL's server programs are not installed (Debian: apt-get install "
            "postgresql; .ci/run installs them): the tests of team mode cannot run"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    cluster = Cluster(fsync=False)  # a killed server loses nothing without fsync; a machine would
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


def new_database(cluster: object) -> str:
    """A new, empty database on the cluster; returns its connection string."""
    import psycopg

    name = f"project_{next(_databases)}"
    with psycopg.connect(cluster.dsn(), autocommit=True) as admin:  # type: ignore[attr-defined]
        admin.execute(f"CREATE DATABASE {name}")
    return str(cluster.dsn(name))  # type: ignore[attr-defined]


@pytest.fixture
def pg_location(pg_cluster: object) -> str:
    """The connection string of a new, empty database (a new server project once opened)."""
    return new_database(pg_cluster)
