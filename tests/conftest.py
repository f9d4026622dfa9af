"""Shared fixtures. Qt, when a test loads it, runs offscreen."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator, Sequence
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


class LocalWeb:
    """A web server on 127.0.0.1 for the tests of importing from URLs (never the internet).

    `pages[path] = (status, content type, body)`; a path in `hanging` accepts the request and
    answers nothing until the test ends (at most HANG_S seconds).
    """

    HANG_S = 15.0

    def __init__(self) -> None:
        import http.server
        import threading

        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.redirects: dict[str, str] = {}
        self.hanging: set[str] = set()
        self.released = threading.Event()
        web = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path in web.hanging:
                    web.released.wait(web.HANG_S)
                    return
                if self.path in web.redirects:
                    self.send_response(302)
                    self.send_header("Location", web.redirects[self.path])
                    self.end_headers()
                    return
                status, kind, body = web.pages.get(self.path, (404, "text/plain", b"Not here"))
                self.send_response(status)
                if kind:
                    self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # quiet

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{path}"

    def close(self) -> None:
        self.released.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def local_web() -> Iterator[LocalWeb]:
    web = LocalWeb()
    yield web
    web.close()


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


def set_up_team(
    location: str, annotators: Sequence[str] = (), adjudicators: Sequence[str] = ()
) -> list[str]:
    """`claimmark server-setup` in short: open the server project at `location` (made if the
    database is empty) and set it up for a team with these logins."""
    from desktop.core.pg_store import PgStore

    store = PgStore.open(location)
    try:
        return [store.how_opened(), *store.set_up_team(annotators, adjudicators)]
    finally:
        store.close()
