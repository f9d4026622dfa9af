"""Project files that are not right, and projects under pressure.

Truncated and damaged files, read-only files and folders, a full disk, and several processes
writing one project at once. A refused file keeps its bytes and gets no journal beside it; a
failed save leaves the project as it was and the next save works; concurrent writers lose
nothing. The command line says each in one line and exits with 1.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from desktop.cli import main
from desktop.core import sqlite_store
from desktop.core.errors import ProjectError
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO

TEXT = "Alpha beta gamma 🇺🇦 delta.\n" * 400


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A closed project in WAL mode, as the app leaves it: a document and 60 highlights."""
    path = tmp_path / "p.claimmark"
    s = SqliteStore.open(path)
    [d] = s.add_documents([NewDocument(text=TEXT, title="Alpha", source="a.txt")])
    for n in range(60):
        s.add_highlight(d.id, n * 7, n * 7 + 5, 1 + n % 3, note=f"note {n}")
    s.close()
    assert path.read_bytes()[18:20] == b"\x02\x02"  # the header says WAL
    return path


def snapshot(store: SqliteStore) -> dict[str, Any]:
    data = export_native(store)
    del data["exported_at"]
    return data


def journals(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name.startswith(f"{path.name}-"))


def refused_unchanged(path: Path, match: str) -> ProjectError:
    before = path.read_bytes() if path.is_file() else None
    with pytest.raises(ProjectError, match=match) as info:
        SqliteStore.open(path)
    assert str(path) in str(info.value)
    if before is not None:
        assert path.read_bytes() == before
    assert journals(path) == []
    return info.value


def cli_refuses(capsys: pytest.CaptureFixture[str], args: list[str], match: str) -> None:
    """`claimmark ARGS` exits 1 with one line on stderr, and no traceback."""
    assert main(args) == 1
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("claimmark: ")
    assert match in err


# Truncated and damaged files ----------------------------------------------------------------


def _cut_points(size: int, page: int) -> dict[str, int]:
    return {
        "mid-magic": 7,
        "after the magic": 16,
        "mid-header": 50,
        "header only": 100,
        "mid-first-page": 1000,
        "first page only": page,
        "mid-second-page": page + 100,
        "mid-file": size // 2 + 13,
        "last page missing": size - page,
        "last byte missing": size - 1,
    }


CUTS = list(_cut_points(10**6, 4096))


@pytest.mark.parametrize("cut", CUTS)
def test_a_truncated_project_is_refused_unchanged(
    project: Path, cut: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = project.read_bytes()
    page = int.from_bytes(data[16:18], "big")
    project.write_bytes(data[: _cut_points(len(data), page)[cut]])
    match = "not an SQLite database" if cut == "mid-magic" else "damaged"
    refused_unchanged(project, match)
    cli_refuses(capsys, ["list", "--db", str(project)], match)
    cli_refuses(capsys, ["import", "--db", str(project), str(project)], match)
    assert journals(project) == []


def test_the_end_of_a_page_cut_off_is_named(project: Path) -> None:
    data = project.read_bytes()
    project.write_bytes(data[:-1])
    error = refused_unchanged(project, "cut short")
    assert f"{len(data) - 1} bytes, not a whole number of 4096-byte pages" in str(error)


def test_damaged_pages_of_a_wal_project_are_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(project.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for n in range(1, len(data) // page):
        data[n * page + 8 : n * page + 40] = b"\xa5" * 32  # into each page's cell pointers
    project.write_bytes(bytes(data))
    refused_unchanged(project, "damaged")
    cli_refuses(capsys, ["export", "--db", str(project)], "damaged")
    assert journals(project) == []


def test_a_newer_schema_is_refused_by_the_command_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conn = sqlite3.connect(project)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = project.read_bytes()
    cli_refuses(capsys, ["import", "--db", str(project), str(project)], "newer claimmark")
    assert project.read_bytes() == before
    assert journals(project) == []


# Read-only files and folders, and folders that are not there ----------------------------------


def _deny_writes(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    """Make `denied` read-only. Root may write anyway, so for root the permission check sees
    what it would see for a user (the way test_store.py does it)."""
    denied.chmod(0o555 if denied.is_dir() else 0o444)
    if os.geteuid() == 0:
        real_access = os.access

        def access(p: Any, mode: int) -> bool:
            if Path(p) == denied and mode == os.W_OK:
                return False
            return real_access(p, mode)

        monkeypatch.setattr(sqlite_store.os, "access", access)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_file_or_folder(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    what: str,
) -> None:
    denied = project if what == "file" else project.parent
    _deny_writes(monkeypatch, denied)
    try:
        refused_unchanged(project, "read-only")
        cli_refuses(capsys, ["import", "--db", str(project), str(project)], "read-only")
        if what == "folder":  # nor can a new project be made there
            new = project.parent / "new.claimmark"
            with pytest.raises(ProjectError, match="read-only"):
                SqliteStore.open(new)
            assert not new.exists()
    finally:
        denied.chmod(0o755 if denied.is_dir() else 0o644)
    assert journals(project) == []


def test_a_missing_folder_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "nowhere" / "p.claimmark"
    cli_refuses(capsys, ["list", "--db", str(db)], "no project file")
    cli_refuses(capsys, ["import", "--db", str(db), str(db)], "does not exist")
    assert not db.parent.exists()


def test_a_project_that_is_a_folder_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_refuses(capsys, ["list", "--db", str(tmp_path)], "is a folder")


# A full disk --------------------------------------------------------------------------------


@pytest.fixture
def full(project: Path) -> Iterator[SqliteStore]:
    """The project with its file at its largest: no page more may be added.

    `PRAGMA max_page_count` makes SQLite fail the way it fails on a full disk (SQLITE_FULL).
    """
    store = SqliteStore.open(project)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    assert store._conn.execute(f"PRAGMA max_page_count = {pages}").fetchone()[0] == pages
    yield store
    store.close()


def _free_space(store: SqliteStore) -> None:
    store._conn.execute("PRAGMA max_page_count = 1000000")


BIG = "a note far longer than a page of the project file. " * 200


def _add_tags(store: SqliteStore) -> None:
    """Tags with long names (as long as a tag name may be), more than a page of them."""
    with store.batch():
        for n in range(60):
            store.add_tag(f"tag {n:02d} " + "x" * 190, "#000000")


def _mutations(tmp_path: Path) -> dict[str, Callable[[SqliteStore], object]]:
    def export() -> Path:
        """A claimmark JSON export of another project: a long document, 50 long notes."""
        path = tmp_path / "more.json"
        if not path.exists():
            source = SqliteStore.open(tmp_path / "source.claimmark")
            text = "Other text. " * 2000
            [d] = source.add_documents([NewDocument(text=text, title="O", source="o")])
            for n in range(50):
                source.add_highlight(d.id, n * 12, n * 12 + 5, 2, note=BIG)
            path.write_bytes(orjson.dumps(export_native(source)))
            source.close()
        return path

    return {
        "add a highlight": lambda s: s.add_highlight(1, 0, 5, 1, note=BIG),
        "add a document": lambda s: s.add_documents(
            [NewDocument(text="New text. " * 5000, title="N", source="n")]
        ),
        "change a note": lambda s: s.update_highlight(s.highlights()[0].id, note=BIG),
        "put highlights back": lambda s: s.insert_highlights(
            [h._replace(id=0, uuid=f"copy-{h.uuid}", note=BIG) for h in s.highlights()],
            keep_ids=False,
        ),
        "add tags": lambda s: _add_tags(s),
        "import a JSON export": lambda s: import_paths(s, [export()]),
    }


MUTATIONS = list(_mutations(Path()))


@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_full_disk_refuses_the_save_keeps_the_project_and_recovers(
    full: SqliteStore, tmp_path: Path, mutation: str
) -> None:
    mutate = _mutations(tmp_path)[mutation]
    before = snapshot(full)
    with pytest.raises(ProjectError, match=r"could not save \(the disk is full\)") as info:
        mutate(full)
    assert full.location in str(info.value)
    assert not full._conn.in_transaction
    assert full._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert snapshot(full) == before
    # Space is freed: the same change, and the next, are saved.
    _free_space(full)
    mutate(full)
    after = full.add_highlight(1, 10, 15, 2, note="after the disk was full")
    assert full.highlight(after.id) == after
    assert full._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    reopened = SqliteStore.open(full.location)
    assert snapshot(reopened) == snapshot(full)
    reopened.close()


def test_a_full_disk_on_the_command_line(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    document = tmp_path / "long.txt"
    document.write_text("A long article. " * 20_000, encoding="utf-8")
    real_open = SqliteStore.open

    def open_on_a_full_disk(path: Any, **kwargs: Any) -> SqliteStore:
        store = real_open(path, **kwargs)
        pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
        store._conn.execute(f"PRAGMA max_page_count = {pages}")
        return store

    monkeypatch.setattr(SqliteStore, "open", open_on_a_full_disk)
    store = real_open(project)
    before = snapshot(store)
    store.close()
    cli_refuses(capsys, ["import", "--db", str(project), str(document)], "the disk is full")
    monkeypatch.undo()
    store = SqliteStore.open(project)
    assert snapshot(store) == before
    assert store._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    store.close()


# Several processes on one project -----------------------------------------------------------

WRITERS = 4
EACH = 150


def _writer(path: str, number: int, start: Any, results: Any) -> None:
    """Open the project when all are ready, then add EACH highlights, one transaction each,
    editing every tenth one's note as it goes."""
    start.wait()
    made: list[str] = []
    try:
        store = SqliteStore.open(path)
    except Exception as e:
        results.put((number, made, f"{type(e).__name__}: {e}"))
        return
    store.annotator = f"writer {number}"
    try:
        [doc] = store.add_documents([NewDocument(text=TEXT, title="Alpha", source="a.txt")]) or [
            store.documents()[0]
        ]
        for n in range(EACH):
            h = store.add_highlight(doc.id, n, n + 1 + number, 1 + n % 3, note=f"{number}/{n}")
            made.append(h.uuid)
            if n % 10 == 0:
                store.update_highlight(h.id, note=f"{number}/{n} edited")
        results.put((number, made, ""))
    except Exception as e:  # reported to the test, which fails with it
        results.put((number, made, f"{type(e).__name__}: {e}"))
    finally:
        store.close()


def _run_writers(path: Path) -> list[tuple[int, list[str], str]]:
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Barrier(WRITERS)
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_writer, args=(str(path), n, start, results)) for n in range(WRITERS)
    ]
    for w in workers:
        w.start()
    reported = [results.get(timeout=120) for _ in workers]
    for w in workers:
        w.join(timeout=60)
        assert w.exitcode == 0
    return sorted(reported)


def _check_nothing_lost(path: Path, reported: list[tuple[int, list[str], str]]) -> None:
    assert [error for _, _, error in reported] == [""] * WRITERS
    store = SqliteStore.open(path)
    try:
        stored = {h.uuid: h for h in store.highlights()}
        made = [u for _, uuids, _ in reported for u in uuids]
        assert len(made) == WRITERS * EACH
        assert set(made) <= set(stored)
        for number, uuids, _ in reported:
            for n, u in enumerate(uuids):
                expected = f"{number}/{n} edited" if n % 10 == 0 else f"{number}/{n}"
                assert stored[u].note == expected
                assert stored[u].annotator == f"writer {number}"
        assert len(store.documents()) == 1
        assert store._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        store.close()


def test_processes_writing_one_project_lose_nothing(project: Path) -> None:
    store = SqliteStore.open(project)
    before = store.highlights()
    reported = _run_writers(project)  # while this connection stays open, as a window would
    _check_nothing_lost(project, reported)
    after = store.highlights()
    assert len(after) == len(before) + WRITERS * EACH
    assert set(before) <= set(after)
    store.close()


def test_processes_creating_one_new_project_at_once(tmp_path: Path) -> None:
    """Each starts on a project that does not exist yet: one creates it, none is refused."""
    path = tmp_path / "new.claimmark"
    _check_nothing_lost(path, _run_writers(path))
    assert journals(path) == []
    assert [p.name for p in tmp_path.iterdir()] == ["new.claimmark"]


def test_a_crash_while_creating_a_project_leaves_no_half_made_file(tmp_path: Path) -> None:
    """Killed in the middle of writing the schema, the next start makes the project afresh."""
    path = tmp_path / "new.claimmark"
    script = (
        "import os, signal\n"
        "from desktop.core import schema\n"
        "from desktop.core.sqlite_store import SqliteStore\n"
        "class Kill:\n"
        "    def __iter__(self):\n"
        "        os.kill(os.getpid(), signal.SIGKILL)\n"
        "schema.DEFAULT_TAGS = Kill()  # read inside the schema's transaction\n"
        f"SqliteStore.open({str(path)!r})\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, check=False)
    assert result.returncode == -signal.SIGKILL
    assert not path.exists()
    store = SqliteStore.open(path)
    assert [t.name for t in store.tags()] == ["claim", "evidence", "opinion"]
    store.close()


def test_a_project_busy_beyond_the_timeout_is_refused_and_kept(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Another program holds the write lock longer than the busy timeout (shortened here)."""
    monkeypatch.setattr(sqlite_store, "BUSY_TIMEOUT_MS", 50)
    document = tmp_path / "doc.txt"
    document.write_text("Waiting for the lock.\n", encoding="utf-8")
    holder = sqlite3.connect(project, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        cli_refuses(capsys, ["import", "--db", str(project), str(document)], "busy")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert main(["import", "--db", str(project), str(document)]) == 0
    assert "added document 2: Waiting for the lock." in capsys.readouterr().out


def test_undo_by_id_never_reaches_what_another_writer_made(project: Path) -> None:
    """The window undoes and redoes by id. An id freed by an undo must never go to a highlight
    or tag someone else makes meanwhile (an import, another window), or undoing again would
    delete theirs."""
    window = SqliteStore.open(project)
    other = SqliteStore.open(project)
    try:
        tag = window.add_tag("question", "#009E73")  # Add tag
        window.delete_tag(tag.id)  # Undo
        theirs_tag = other.add_tag("fact", "#0072B2")
        theirs = other.add_highlight(1, 200, 210, theirs_tag.id, note="theirs")
        window.restore_tag(tag, [])  # Redo
        window.delete_tag(tag.id)  # Undo

        mine = window.add_highlight(1, 300, 310, 1)  # Highlight
        window.delete_highlight(mine.id)  # Undo
        theirs_too = other.add_highlight(1, 320, 330, 2, note="theirs too")
        window.insert_highlights([mine], keep_ids=True)  # Redo
        window.delete_highlight(mine.id)  # Undo

        assert other.highlight(theirs.id) == theirs
        assert other.highlight(theirs_too.id) == theirs_too
        assert other.tag(theirs_tag.id) == theirs_tag
        assert len({tag.id, theirs_tag.id}) == 2
        assert len({mine.id, theirs.id, theirs_too.id}) == 3
    finally:
        window.close()
        other.close()


# Journal files deleted under an open project -----------------------------------------------

_DELETE_THE_JOURNAL = """
import os, signal, sys
from desktop.core.errors import ProjectError
from desktop.core.sqlite_store import SqliteStore

path, journal = sys.argv[1], sys.argv[2]
store = SqliteStore.open(path)
saved = store.add_highlight(1, 500, 505, 2, note="shown as saved")
print("saved", saved.uuid, flush=True)
os.unlink(path + journal)  # another program, or a clean-up tool
for attempt in range(2):  # and it stays stopped
    try:
        late = store.add_highlight(1, 510, 515, 2, note="after the deletion")
    except ProjectError as e:
        print("refused", e, flush=True)
    else:
        print("saved", late.uuid, flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # no clean close
"""


@pytest.mark.parametrize("journal", ["-wal", "-shm"])
def test_a_journal_deleted_under_an_open_project_stops_saving_and_loses_nothing_shown(
    project: Path, journal: str
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _DELETE_THE_JOURNAL, str(project), journal],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("saved ")
    assert [line.split(" ")[0] for line in lines[1:]] == ["refused", "refused"]
    assert f"{project.name}{journal}" in lines[1]
    assert "was not saved" in lines[1]
    store = SqliteStore.open(project)
    try:
        notes = [h.note for h in store.highlights()]
        assert notes.count("shown as saved") == 1
        assert "after the deletion" not in notes
        assert store._conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        store.close()


def test_a_second_store_in_one_process_leaves_the_first_ones_locks(project: Path) -> None:
    """A window imports on a worker with a store of its own. Opening and closing that one must
    not drop the window's locks on the file (closing any descriptor of a file drops all of the
    process's POSIX locks on it): else the next `claimmark list` to close takes itself for the
    last user and deletes the journal under the window, which can save nothing more."""
    window = SqliteStore.open(project)
    try:
        [document] = window.documents()
        SqliteStore.open(project).close()  # the import worker's store
        SqliteStore.open(project, read_only=True).close()
        assert main(["list", "--db", str(project)]) == 0  # another process in real use
        listed = subprocess.run(
            [sys.executable, "-m", "desktop", "list", "--db", str(project)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert f"{project.name}-wal" in journals(project)
        window.add_highlight(document.id, 0, 5, 1, note="saved after the list")
    finally:
        window.close()
    reopened = SqliteStore.open(project)
    try:
        assert "saved after the list" in [h.note for h in reopened.highlights()]
    finally:
        reopened.close()


def test_the_open_project_given_as_a_file_to_import_is_refused_unread(project: Path) -> None:
    """Reading it would close a descriptor of it, dropping the locks of the store that has it
    open (see the test above)."""
    window = SqliteStore.open(project)
    try:
        wal, shm = (project.with_name(f"{project.name}{j}") for j in ("-wal", "-shm"))
        report = import_paths(window, [project, wal, shm])
        assert [str(r.path) for r in report.refused] == [str(project), str(wal), str(shm)]
        assert all("the project open here itself" in str(r) for r in report.refused)
        listed = subprocess.run(  # another process, which deletes the journal if it can
            [sys.executable, "-m", "desktop", "list", "--db", str(project)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        assert listed.returncode == 0, listed.stderr
        assert f"{project.name}-wal" in journals(project)
        [document] = window.documents()
        window.add_highlight(document.id, 0, 5, 1, note="saved after the import")
    finally:
        window.close()
