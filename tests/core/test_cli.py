"""The command line: import, export, list; exit codes; messages without tracebacks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO, SAMPLES, SEED_DIGEST


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=REPO, capture_output=True, text=True
    )


def test_import_list_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "p.claimmark")
    assert main(["import", "--db", db, str(SEED_DIGEST)]) == 0
    out = capsys.readouterr().out
    assert out.count("added document") == 8
    assert "Shabbir Rizvi | Press TV | 2024-03-26" in out

    assert main(["list", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "claim" in out.splitlines()[0]
    assert "8 documents, 0 highlights" in out

    assert main(["export", "--db", db]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["documents"]) == 8

    target = tmp_path / "out.json"
    assert main(["export", "--db", db, "--document", "2", "-o", str(target)]) == 0
    assert [d["id"] for d in json.loads(target.read_text())["documents"]] == [2]


def test_refused_inputs_exit_1_with_one_line_each(tmp_path: Path) -> None:
    db = str(tmp_path / "p.claimmark")
    result = run(
        "import",
        "--db",
        db,
        str(SAMPLES / "binary.png"),
        str(SAMPLES / "empty.txt"),
        str(SAMPLES / "crlf.txt"),
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2
    assert "binary.png" in lines[0]
    assert "empty.txt" in lines[1]
    assert "Traceback" not in result.stderr
    assert "added document 1: First line of a Windows file." in result.stdout


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["export", "--tag", "nosuchtag"], 1, "no tag named nosuchtag"),
        (["export", "--document", "99"], 1, "no document 99"),
        (["export", "--format", "xml"], 2, "invalid choice"),
        (["import"], 2, "required"),
        (["list", "--bogus"], 2, "unrecognized arguments"),
    ],
)
def test_usage_and_user_errors(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    db = tmp_path / "p.claimmark"
    assert run("import", "--db", str(db), str(SAMPLES / "crlf.txt")).returncode == 0
    result = run(*args[:1], "--db", str(db), *args[1:])
    assert result.returncode == code
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_that_is_not_a_project_is_refused_and_kept(tmp_path: Path) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("my notes\n" * 20)
    result = run("list", "--db", str(db))
    assert result.returncode == 1
    assert "not a claimmark project" in result.stderr
    assert db.read_text() == "my notes\n" * 20


def test_export_of_a_missing_project_creates_nothing(tmp_path: Path) -> None:
    db = tmp_path / "absent.claimmark"
    result = run("export", "--db", str(db))
    assert result.returncode == 1
    assert "no project file" in result.stderr
    assert not db.exists()


def test_an_import_that_refuses_everything_leaves_no_new_project(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    refused = tmp_path / "refused.json"
    refused.write_text('{"not": "an export"}', encoding="utf-8")
    unreachable = "http://127.0.0.1:9/article"  # the discard port: nothing listens there
    db = tmp_path / "new.claimmark"
    assert main(["import", "--db", str(db), str(refused), unreachable]) == 1
    err = capsys.readouterr().err
    assert f"refused {refused}" in err
    assert f"refused {unreachable}" in err
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("new.claimmark")]
    # A project that was there keeps what it holds; one file imported is a project made.
    (tmp_path / "a.txt").write_text("Harbour to reopen\nIn May.\n", encoding="utf-8")
    assert main(["import", "--db", str(db), str(refused), str(tmp_path / "a.txt")]) == 1
    assert main(["import", "--db", str(db), str(refused)]) == 1
    assert db.exists()
    assert main(["list", "--db", str(db)]) == 0
    assert "1 document, 0 highlights" in capsys.readouterr().out


def test_an_import_interrupted_before_anything_was_stored_leaves_no_new_project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.core import importing

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt  # Ctrl+C while a slow server is being waited for

    monkeypatch.setattr(importing, "import_paths", interrupted)
    db = tmp_path / "new.claimmark"
    assert main(["import", "--db", str(db), "https://news.example/slow"]) == 130
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("new.claimmark")]


def test_a_new_project_someone_else_took_up_meanwhile_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window opened the project the import made (and may have saved into it) while every
    input was refused: the file is theirs now and stays, whether they still have it open or
    have saved a document and closed it."""
    from desktop.core import importing
    from desktop.core.model import NewDocument
    from desktop.core.sqlite_store import SqliteStore

    db = tmp_path / "new.claimmark"
    others: list[SqliteStore] = []

    def opened_elsewhere(*_args: object, **_kwargs: object) -> importing.ImportReport:
        others.append(SqliteStore.open(db))  # a window on it, nothing saved yet
        return importing.ImportReport()

    monkeypatch.setattr(importing, "import_paths", opened_elsewhere)
    assert main(["import", "--db", str(db), "refused.json"]) == 0
    assert db.exists()
    [window] = others
    [doc] = window.add_documents([NewDocument(text="Saved here.\n", title="W", source="w")])
    window.close()
    reopened = SqliteStore.open(db)
    assert [d.id for d in reopened.documents()] == [doc.id]
    reopened.close()

    db2 = tmp_path / "new2.claimmark"

    def saved_and_closed(*_args: object, **_kwargs: object) -> importing.ImportReport:
        other = SqliteStore.open(db2)
        other.add_documents([NewDocument(text="Saved and closed.\n", title="S", source="s")])
        other.close()
        return importing.ImportReport()

    monkeypatch.setattr(importing, "import_paths", saved_and_closed)
    assert main(["import", "--db", str(db2), "refused.json"]) == 0
    reopened = SqliteStore.open(db2)
    assert [d.title for d in reopened.documents()] == ["S"]
    reopened.close()


def test_a_project_or_another_database_given_to_import_is_named_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    other = tmp_path / "other.claimmark"
    assert main(["import", "--db", str(other), str(SEED_DIGEST)]) == 0
    foreign = tmp_path / "places.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE places (name TEXT)")
    conn.close()
    db = tmp_path / "p.claimmark"
    capsys.readouterr()
    assert main(["import", "--db", str(db), str(other), str(foreign)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"claimmark: refused {other}: a claimmark project (an SQLite database), not a document "
        f"or an export: open it as a project (--db {other}, or File > Open Project); "
        f"claimmark copy --from {other} --to PROJECT copies it whole into a new project; to "
        f"bring its work into this one, export it (claimmark export --db {other} -o "
        f"{tmp_path / 'other.json'}) and import that",
        f"claimmark: refused {foreign}: an SQLite database, but not a claimmark project (nor a "
        "document or an export)",
    ]
    assert not db.exists()
    update = ["update", "--db", str(other), "--document", "1", str(foreign)]
    assert main(update) == 1
    assert "an SQLite database, but not a claimmark project" in capsys.readouterr().err


def test_window_without_display_says_so(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in __import__("os").environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "--db", str(tmp_path / "p.claimmark")],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 1
    assert "no display" in result.stderr


# What the command line prints: never a control character from a file ---------------------


def run_bytes(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=REPO, capture_output=True)


CONTROLS = [bytes([c]) for c in [*range(0x20), 0x7F]] + [
    "\x9b".encode(),  # C1 CSI: some terminals take it as ESC [
    "\u202e".encode(),  # right-to-left override: shows text in another order
]


def test_titles_and_file_names_cannot_drive_the_terminal(tmp_path: Path) -> None:
    db = tmp_path / "p.claimmark"
    title = "Minister \x1b]0;pwned\x07resigns \x1b[2J\u202eevil\x9b31m"
    article = tmp_path / "article.txt"
    body = "The minister resigned on Tuesday, aides said. " * 20
    article.write_text(f"{title}\nBy Ana | The Daily | 2024-03-28\n{body}\n", "utf-8")
    forged = tmp_path / "x.png\nclaimmark: refused innocent.txt: \x1b[31mforged"
    forged.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    imported = run_bytes("import", "--db", str(db), str(article), str(forged))
    assert imported.returncode == 1
    listed = run_bytes("list", "--db", str(db))
    assert listed.returncode == 0
    for out in (imported.stdout, imported.stderr, listed.stdout):
        lines = out.split(b"\n")
        for line in lines:
            assert not [c for c in CONTROLS if c in line], line
    [refusal] = imported.stderr.decode().splitlines()
    assert "x.png\\nclaimmark: refused innocent.txt: \\x1b[31mforged" in refusal
    assert (
        "Minister \\x1b]0;pwned\\x07resigns \\x1b[2J\\u202eevil\\x9b31m" in listed.stdout.decode()
    )


def test_a_usage_error_cannot_drive_the_terminal(tmp_path: Path) -> None:
    result = run_bytes("list", "--db", str(tmp_path / "p"), "x\x1b[2Jy")  # not an argument
    assert result.returncode == 2
    assert b"\x1b" not in result.stderr
    assert b"x\\x1b[2Jy" in result.stderr


# No tracebacks -----------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_imported_and_the_others_too(tmp_path: Path) -> None:
    db = tmp_path / "p.claimmark"
    latin = tmp_path / os.fsdecode(b"caf\xe9.txt")
    latin.write_text("Le caf\u00e9 du coin\nUn texte.\n", encoding="utf-8")
    other = tmp_path / "after.txt"
    other.write_text("Another article\nText.\n", encoding="utf-8")
    result = run_bytes("import", "--db", str(db), str(latin), str(other))
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert b"added document 1: Le caf\xc3\xa9 du coin" in result.stdout
    assert b"added document 2: Another article" in result.stdout
    from desktop.core.sqlite_store import SqliteStore

    store = SqliteStore.open(db)
    assert [d.source for d in store.documents()] == ["caf\\xe9.txt", "after.txt"]
    store.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    db = tmp_path / "p.claimmark"
    assert main(["import", "--db", str(db), str(SEED_DIGEST)]) == 0
    return db


@pytest.mark.parametrize("command", [["list"], ["export"], ["export", "--format", "csv"]])
def test_a_full_disk_on_standard_output_is_one_line(project: Path, command: list[str]) -> None:
    with open("/dev/full", "wb") as full:
        result = subprocess.run(
            [sys.executable, "-m", "desktop", *command, "--db", str(project)],
            cwd=REPO,
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
        )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert "standard output" in line
    assert "No space left on device" in line


@pytest.mark.parametrize("command", [["list"], ["export"]])
def test_a_reader_that_goes_away_is_no_error(project: Path, command: list[str]) -> None:
    """`claimmark list | head -1`: head stops reading; claimmark stops quietly."""
    process = subprocess.Popen(
        [sys.executable, "-m", "desktop", *command, "--db", str(project)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    assert process.stderr is not None
    process.stdout.close()  # before it writes anything
    err = process.stderr.read()
    process.wait(timeout=60)
    assert err == b""


def test_a_terminal_that_cannot_show_the_text_gets_escapes(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "import", "--db", str(tmp_path / "p"), str(SEED_DIGEST)],
        cwd=REPO,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0, result.stderr
    assert b"added document 1: Ukraine\\u2019s survival hangs in the balance" in result.stdout


def test_list_counts_links_and_verdicts(linked: object, capsys: pytest.CaptureFixture[str]) -> None:
    from desktop.core.sqlite_store import SqliteStore

    assert isinstance(linked, SqliteStore)
    assert main(["list", "--db", linked.location]) == 0
    lines = capsys.readouterr().out.splitlines()
    header = re.split(r" {2,}", lines[0].strip())  # columns are two spaces apart at least
    assert header[-3:] == ["links", "verdicts", "title"]
    links, verdicts = header.index("links"), header.index("verdicts")
    rows = {cells[0]: cells for cells in (re.split(r" {2,}", x.strip()) for x in lines[1:-1])}
    emoji = next(d.id for d in linked.documents() if d.title.startswith("Kyiv"))
    # Links count with the document they come from: the cross-document one with the emoji
    # sample's flag.
    assert (rows[str(emoji)][links], rows[str(emoji)][verdicts]) == ("3", "1")
    assert (rows["1"][links], rows["1"][verdicts]) == ("0", "1")
    assert lines[-1] == "10 documents, 25 highlights, 3 links, 3 verdicts"


def _loaded_modules(*args: str) -> set[str]:
    """The desktop modules a command loads, from `python -X importtime`."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "desktop", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "desktop" in line
    }


def test_each_command_loads_the_formats_it_needs(tmp_path: Path) -> None:
    db = str(tmp_path / "p.claimmark")
    assert run("import", "--db", db, str(SEED_DIGEST)).returncode == 0
    listed = _loaded_modules("list", "--db", db)
    assert "desktop.cli" in listed
    assert not {m for m in listed if m.startswith("desktop.core.formats")}
    # Neither the import nor the export machinery: the registry only names the formats.
    assert not listed & {
        "desktop.core.exporting",
        "desktop.core.importing",
        "desktop.core.fileformat",
    }
    exported = _loaded_modules("export", "--db", db, "-o", str(tmp_path / "out.json"))
    assert {m for m in exported if m.startswith("desktop.core.formats.")} == {
        "desktop.core.formats.native"
    }


def test_counts_are_said_in_the_singular_for_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "Harbour to reopen in May\nThe harbour will reopen in May, the mayor said.\n"
    short = {
        "format": "claimmark",
        "version": 2,
        "documents": [{"id": 1, "text": text}],
        "highlights": [
            {"id": "flag", "document_id": 1, "start": 25, "end": 55, "tag": "needs source"},
            {"id": "said", "document_id": 1, "start": 57, "end": 72, "tag": "evidence"},
        ],
        "relations": [{"from_id": "said", "to_id": "flag", "type": "supports"}],
    }
    (tmp_path / "short.json").write_text(json.dumps(short), encoding="utf-8")
    db = str(tmp_path / "p.claimmark")
    assert main(["import", "--db", db, str(tmp_path / "short.json")]) == 0
    assert capsys.readouterr().out == (
        f"{tmp_path / 'short.json'}: 1 document added, 0 matched, 2 highlights added, "
        "0 already present, 1 link added, 0 already present, new tag: needs source\n"
    )
    store = SqliteStore.open(tmp_path / "p.claimmark")
    flag = next(h for h in store.highlights() if h.uuid == "flag")
    store.set_rating(flag.id, store.ratings()[0].id)
    store.close()

    assert main(["list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 document, 2 highlights, 1 link, 1 verdict"
    )
    assert main(["agreement", "--db", db]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 annotator (")
    assert ", 1 document. " in out[0]
    assert out[-1] == "0 passages where annotators differ"
    assert main(["export", "--db", db, "--format", "brat", "-o", str(tmp_path / "brat")]) == 0
    assert capsys.readouterr().err == (
        "claimmark: brat: 1 verdict (on a highlight tagged “needs source”) is not written (brat "
        "has no place for verdicts); the JSON, W3C, CSV and ClaimReview exports carry them.\n"
    )
    assert main(["copy", "--from", db, "--to", str(tmp_path / "copy.claimmark")]) == 0
    assert capsys.readouterr().out.startswith("copied 1 document, 2 highlights, 1 link and ")
