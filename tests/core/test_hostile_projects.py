"""Project files from someone else: claimmark runs only its own SQL on them.

A project whose schema is not exactly claimmark's (a trigger, a view, an index or a table more,
a table less) is refused before any of it is used, with SQLite's defensive settings on
(trusted_schema off, low limits). A project path that is not a regular file is refused without
opening it. A project on read-only media can still be listed and exported.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core import schema
from desktop.core.errors import ProjectError
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO

TEXT = "A sentence about the budget.\nAnother one about the mayor.\n"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "received.claimmark"
    store = SqliteStore.open(path)
    [doc] = store.add_documents([NewDocument(text=TEXT, title="Budget", source="b.txt")])
    store.add_highlight(doc.id, 0, 10, 1, note="mine")
    store.close()
    return path


def tamper(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def raw_highlights(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT note, annotator FROM highlights").fetchall()
    finally:
        conn.close()


def run_cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The command line in its own process: a hang fails the test instead of the suite."""
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def refused_in_one_line(result: subprocess.CompletedProcess[str], match: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert match in result.stderr


NOT_OURS = "its tables are not claimmark's"

TAMPERING = {
    "a trigger": [
        "CREATE TRIGGER rewrite AFTER INSERT ON documents BEGIN"
        " UPDATE highlights SET note = 'pwned', annotator = 'mallory'; END"
    ],
    "a view": ["CREATE VIEW everything AS SELECT * FROM highlights"],
    "an index": ["CREATE INDEX by_note ON highlights (note)"],
    "a table": ["CREATE TABLE extra (x)"],
    "a table less": ["DROP TABLE highlights"],
    "a changed table": ["ALTER TABLE highlights ADD COLUMN extra TEXT DEFAULT 'x'"],
}


@pytest.mark.parametrize("change", list(TAMPERING))
def test_a_schema_that_is_not_exactly_ours_is_refused_unchanged(
    project: Path, tmp_path: Path, change: str
) -> None:
    kept = raw_highlights(project)
    tamper(project, *TAMPERING[change])
    before = project.read_bytes()
    with pytest.raises(ProjectError, match=NOT_OURS):
        SqliteStore.open(project)
    with pytest.raises(ProjectError, match=NOT_OURS):
        SqliteStore.open(project, read_only=True)
    document = tmp_path / "new.txt"
    document.write_text("A new article.\n", encoding="utf-8")
    refused_in_one_line(run_cli("import", "--db", str(project), str(document)), NOT_OURS)
    refused_in_one_line(run_cli("list", "--db", str(project)), NOT_OURS)
    assert project.read_bytes() == before
    if change != "a table less":
        assert raw_highlights(project) == kept


def test_a_view_that_never_ends_does_not_hang_the_command_line(project: Path) -> None:
    tamper(
        project,
        "ALTER TABLE tags RENAME TO tags_kept",
        "CREATE VIEW tags AS WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n)"
        " SELECT i AS id, 'x' AS name, '#000000' AS colour, '' AS key, i AS position FROM n",
    )
    refused_in_one_line(run_cli("list", "--db", str(project)), NOT_OURS)
    refused_in_one_line(run_cli("export", "--db", str(project)), NOT_OURS)


@pytest.mark.parametrize("version", [0, schema.LATEST])
def test_our_application_id_without_our_tables_is_refused(tmp_path: Path, version: int) -> None:
    path = tmp_path / "empty.claimmark"
    tamper(
        path, f"PRAGMA application_id = {schema.APPLICATION_ID}", f"PRAGMA user_version = {version}"
    )
    before = path.read_bytes()
    refused_in_one_line(run_cli("list", "--db", str(path)), "not a claimmark project")
    refused_in_one_line(run_cli("export", "--db", str(path)), "not a claimmark project")
    assert path.read_bytes() == before


def test_every_older_schema_of_ours_still_opens(tmp_path: Path) -> None:
    """The check knows each version's schema exactly, so a project of any version upgrades."""
    from desktop.core.sqlite_store import _apply_migration

    for version in range(1, schema.LATEST + 1):
        path = tmp_path / f"v{version}.claimmark"
        conn = sqlite3.connect(path, isolation_level=None)
        for number in range(1, version + 1):
            conn.execute("BEGIN")
            _apply_migration(conn, number)
            conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
        SqliteStore.open(path, read_only=True).close()
        store = SqliteStore.open(path)
        assert [t.name for t in store.tags()] == ["claim", "evidence", "opinion"]
        assert store._conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
        store.close()


def test_the_defensive_settings_are_on(project: Path) -> None:
    for read_only in (False, True):
        store = SqliteStore.open(project, read_only=read_only)
        conn = store._conn
        try:
            assert conn.execute("PRAGMA trusted_schema").fetchone() == (0,)
            assert conn.execute("PRAGMA cell_size_check").fetchone() == (1,)
            assert conn.getlimit(sqlite3.SQLITE_LIMIT_ATTACHED) == 0
            assert conn.getlimit(sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH) <= 10
            assert conn.getlimit(sqlite3.SQLITE_LIMIT_COLUMN) <= 100
            with pytest.raises(sqlite3.Error):
                conn.execute(f"ATTACH '{project.parent / 'other.db'}' AS other")
        finally:
            store.close()
    assert not (project.parent / "other.db").exists()


# Paths that are not project files ----------------------------------------------------------


def test_a_pipe_given_as_the_project_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "project.claimmark"
    os.mkfifo(fifo)
    for command in ("list", "export"):
        refused_in_one_line(run_cli(command, "--db", str(fifo), timeout=30), "not a regular file")
    document = tmp_path / "doc.txt"
    document.write_text("Text.\n", encoding="utf-8")
    refused_in_one_line(
        run_cli("import", "--db", str(fifo), str(document), timeout=30), "not a regular file"
    )


# Read-only media ---------------------------------------------------------------------------


@contextlib.contextmanager
def read_only_media(*paths: Path) -> Iterator[None]:
    """Make `paths` (files and folders) as unwritable as a read-only disk: by permissions, or
    for root, who may write anyway, with the immutable attribute."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    made: list[Path] = []
    try:
        for p in paths:
            if subprocess.run(["chattr", "+i", str(p)], capture_output=True).returncode != 0:
                pytest.skip("this file system cannot make a file unwritable for root")
            made.append(p)
        yield
    finally:
        for p in made:
            subprocess.run(["chattr", "-i", str(p)], check=True)


def test_a_project_on_read_only_media_can_be_listed_and_exported(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = tmp_path / "media"
    media.mkdir()
    copy = media / project.name
    shutil.copy(project, copy)
    out = tmp_path / "out.json"
    with read_only_media(copy, media):
        assert main(["list", "--db", str(copy)]) == 0
        listed = capsys.readouterr()
        assert "1 document, 1 highlight," in listed.out, listed.err
        assert main(["export", "--db", str(copy), "-o", str(out)]) == 0, capsys.readouterr().err
        assert sorted(p.name for p in media.iterdir()) == [project.name]
    assert '"note":"mine"' in out.read_text(encoding="utf-8")


def test_a_journal_that_cannot_be_read_on_read_only_media_is_named(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Copied while open elsewhere: the journal holds the last change, and without its index
    (-shm), which cannot be made here, SQLite would read the file as it was before it."""
    store = SqliteStore.open(project)
    store._conn.execute("PRAGMA wal_autocheckpoint = 0")
    store.update_highlight(store.highlights()[0].id, note="changed since")
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(project, media / project.name)
    shutil.copy(f"{project}-wal", media / f"{project.name}-wal")
    store.close()
    with read_only_media(media / project.name, media / f"{project.name}-wal", media):
        assert main(["list", "--db", str(media / project.name)]) == 1
        err = capsys.readouterr().err
        assert "-wal" in err
        assert "read-only" in err
