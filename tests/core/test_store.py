"""The SQLite project store: schema, transactions, highlights, tags, and refusing bad files."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from desktop.core import anchoring, schema
from desktop.core.errors import ProjectError
from desktop.core.model import Highlight, NewDocument, Tag, sha256_text
from desktop.core.sqlite_store import SqliteStore


def _doc(text: str = "Alpha beta gamma.\nDelta 🇺🇦 epsilon.\n", title: str = "T") -> NewDocument:
    return NewDocument(text=text, title=title, source="t.txt")


def test_new_project_settings(store: SqliteStore, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "project.claimmark")
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert conn.execute("PRAGMA application_id").fetchone()[0] == schema.APPLICATION_ID
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"highlights_spans", "highlights_by_tag"} <= indexes
    assert store._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    conn.close()


def test_a_tag_in_use_cannot_vanish_under_its_highlights(store: SqliteStore) -> None:
    [info] = store.add_documents([_doc()])
    store.add_highlight(info.id, 0, 5, 1)
    with pytest.raises(sqlite3.IntegrityError):
        store._conn.execute("DELETE FROM tags WHERE id = 1")


def test_each_mutation_is_committed_when_it_returns(store: SqliteStore, tmp_path: Path) -> None:
    [info] = store.add_documents([_doc()])
    store.add_highlight(info.id, 0, 5, 1)
    other = sqlite3.connect(tmp_path / "project.claimmark")
    assert other.execute("SELECT quote FROM highlights").fetchall() == [("Alpha",)]
    other.close()


def _version_1_project(path: Path, highlights: int) -> tuple[Tag, list[Highlight]]:
    """A project as the first schema made it (written with SQL of that time): a document, a
    fourth tag, and `highlights` highlights, the last of which was deleted."""
    conn = sqlite3.connect(path)
    conn.executescript(schema.MIGRATIONS[1])
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID}")
    for position, (name, colour, key) in enumerate(schema.DEFAULT_TAGS):
        conn.execute(
            "INSERT INTO tags (name, colour, key, position) VALUES (?, ?, ?, ?)",
            (name, colour, key, position),
        )
    text = "Alpha beta gamma.\nDelta 🇺🇦 epsilon.\n"
    conn.execute(
        "INSERT INTO documents (title, source, sha256, text, length, imported_at)"
        " VALUES ('T', 't.txt', ?, ?, ?, '2024-01-01T00:00:00.000Z')",
        (sha256_text(text), text, len(text)),
    )
    conn.execute(
        "INSERT INTO tags (name, colour, key, position) VALUES ('question', '#009E73', '4', 3)"
    )
    made = []
    for n in range(highlights):
        start, end = n, n + 3
        prefix, suffix = anchoring.context(text, start, end)
        when = "2024-01-01T00:00:00.000Z"
        h = Highlight(n + 1, f"uuid-{n}", 1, start, end, 1 + n % 4, text[start:end], prefix,
                      suffix, f"{n}", "ana", when, when)  # fmt: skip
        conn.execute(
            "INSERT INTO highlights (id, uuid, document_id, start_pos, end_pos, tag_id, quote,"
            " prefix, suffix, note, annotator, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            h[:13],
        )
        made.append(h)
    conn.execute("DELETE FROM highlights WHERE id = ?", (made.pop().id,))  # id free in version 1
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    return Tag(4, "question", "#009E73", "4", 3), made


def test_a_version_1_project_is_upgraded_with_everything_kept(tmp_path: Path) -> None:
    path = tmp_path / "v1.claimmark"
    tag, kept = _version_1_project(path, 8)
    s = SqliteStore.open(path)
    assert s._conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    assert s.highlights() == kept
    assert s.tag(tag.id) == tag
    assert [t.name for t in s.relation_types()] == ["supports", "attacks"]
    assert len(s.ratings()) == 6
    assert s._conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert s._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    with pytest.raises(sqlite3.IntegrityError):
        s._conn.execute("DELETE FROM tags WHERE id = 1")
    # The deleted highlight's id was free in version 1; from version 3 on, no id is reused.
    assert s.add_highlight(1, 0, 5, tag.id).id == kept[-1].id + 1
    [info] = s.documents()
    assert (info.title, info.url, info.page_starts) == ("T", "", ())
    s.close()


def test_reopen_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "p.claimmark"
    s = SqliteStore.open(path)
    [info] = s.add_documents([_doc()])
    h = s.add_highlight(info.id, 0, 5, 1)
    s.close()
    s = SqliteStore.open(path)
    assert s.highlights() == [h]
    s.close()


# Files that are not projects, or not this version's: refused, bytes unchanged -----------------


def _refused_unchanged(path: Path, match: str) -> None:
    before = path.read_bytes()
    with pytest.raises(ProjectError, match=match) as info:
        SqliteStore.open(path)
    assert str(path) in str(info.value)
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.claimmark"
    path.write_text("just some text, long enough to pass for a header " * 4)
    _refused_unchanged(path, "not an SQLite database")


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.claimmark"
    path.write_bytes(b"")
    _refused_unchanged(path, "empty")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.claimmark"
    SqliteStore.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.commit()
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()
    _refused_unchanged(path, "newer claimmark")


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER)")
    conn.commit()
    conn.close()
    _refused_unchanged(path, "another program")


def test_corrupt_pages_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.claimmark"
    s = SqliteStore.open(path)
    s.add_documents([_doc("x " * 20000)])
    s._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s._conn.execute("PRAGMA journal_mode = DELETE")
    s.close()
    data = bytearray(path.read_bytes())
    page_size = int.from_bytes(data[16:18], "big")
    for page in range(1, len(data) // page_size):
        data[page * page_size : page * page_size + 64] = b"\xa5" * 64
    path.write_bytes(bytes(data))
    _refused_unchanged(path, "damaged")


def test_folder_and_missing_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="is a folder"):
        SqliteStore.open(tmp_path)
    with pytest.raises(ProjectError, match="does not exist"):
        SqliteStore.open(tmp_path / "nowhere" / "p.claimmark")
    with pytest.raises(ProjectError, match="no project file"):
        SqliteStore.open(tmp_path / "absent.claimmark", create=False)


def test_read_only_file_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "ro.claimmark"
    SqliteStore.open(path).close()
    path.chmod(stat.S_IRUSR)
    if os.geteuid() == 0:  # root may write anyway; make the check see what a user would
        real_access = os.access
        monkeypatch.setattr(
            "desktop.core.sqlite_store.os.access",
            lambda p, mode: False if Path(p) == path and mode == os.W_OK else real_access(p, mode),
        )
    _refused_unchanged(path, "read-only")


def test_an_older_project_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    from desktop.core.backup import list_backups

    path = tmp_path / "old.claimmark"
    _tag, kept = _version_1_project(path, 2)  # a project made by the first version of the schema
    store = SqliteStore.open(path)
    assert store._conn.execute("PRAGMA user_version").fetchone()[0] == schema.LATEST
    indexes = {
        r[0] for r in store._conn.execute("SELECT name FROM sqlite_master WHERE type='index'")
    }
    assert "highlights_spans" in indexes
    assert "highlights_by_document" not in indexes
    assert store.highlights() == kept
    store.close()
    [saved] = list_backups(path)
    assert saved.highlights == 1
