"""Rolling backups with SQLite's online backup API, and restoring one."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.core import backup
from desktop.core.errors import ProjectError
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore


def test_backup_of_an_open_project_opens_with_everything(
    store: SqliteStore, tmp_path: Path
) -> None:
    [doc] = store.add_documents(
        [NewDocument(text="Some text to annotate.\n", title="T", source="t")]
    )
    h = store.add_highlight(doc.id, 0, 4, 1, note="n")
    folder = tmp_path / "backups"
    made = backup.make_backup(Path(store.location), folder)
    store.add_highlight(doc.id, 5, 9, 2)  # after the backup: not in it
    copy = SqliteStore.open(made)
    assert copy.highlights() == [h]
    assert copy.document(doc.id).text == "Some text to annotate.\n"
    copy.close()
    [info] = backup.list_backups(Path(store.location), folder)
    assert (info.path, info.documents, info.highlights) == (made, 1, 1)
    assert not list(folder.glob("*.part"))


def test_only_the_newest_backups_are_kept(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "BACKUPS_KEPT", 3)
    folder = tmp_path / "backups"
    made = [backup.make_backup(Path(store.location), folder) for _ in range(5)]
    assert sorted(folder.glob("*.claimmark")) == made[2:]


def test_restore_replaces_the_project_and_keeps_what_it_replaced(tmp_path: Path) -> None:
    path = tmp_path / "p.claimmark"
    folder = tmp_path / "backups"
    store = SqliteStore.open(path)
    [doc] = store.add_documents([NewDocument(text="Alpha beta.\n", title="T", source="t")])
    first = store.add_highlight(doc.id, 0, 5, 1)
    saved = backup.make_backup(path, folder)
    store.delete_highlight(first.id)
    with pytest.raises(ProjectError, match="still open"):
        backup.restore_backup(saved, path, folder)
    store.close()
    safety = backup.restore_backup(saved, path, folder)
    reopened = SqliteStore.open(path)
    assert reopened.highlights() == [first]
    reopened.close()
    before_restore = SqliteStore.open(safety)
    assert before_restore.highlights() == []
    before_restore.close()


def test_restoring_the_oldest_backup_when_the_folder_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(backup, "BACKUPS_KEPT", 3)
    path = tmp_path / "p.claimmark"
    folder = tmp_path / "backups"
    store = SqliteStore.open(path)
    [doc] = store.add_documents([NewDocument(text="Alpha beta gamma.\n", title="T", source="t")])
    first = store.add_highlight(doc.id, 0, 5, 1)
    oldest = backup.make_backup(path, folder)
    for n in range(2):
        store.add_highlight(doc.id, 6 + n, 10, 2)
        backup.make_backup(path, folder)
    store.close()
    backup.restore_backup(oldest, path, folder)  # the safety backup prunes `oldest` itself
    reopened = SqliteStore.open(path)
    assert reopened.highlights() == [first]
    reopened.close()


def test_a_project_is_backed_up_on_opening_only_if_it_changed(tmp_path: Path) -> None:
    path = tmp_path / "p.claimmark"
    folder = tmp_path / "backups"
    SqliteStore.open(path).close()
    assert backup.changed_since_last_backup(path, folder)  # no backup yet
    backup.make_backup(path, folder)
    assert not backup.changed_since_last_backup(path, folder)
    store = SqliteStore.open(path)
    store.add_documents([NewDocument(text="New.\n", title="T", source="t")])
    store.close()
    assert backup.changed_since_last_backup(path, folder)
