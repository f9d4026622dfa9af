"""New versions from the command line: `claimmark import` finds them and asks for a choice
(--update or --new), `claimmark update --document ID FILE` updates the document it is told; both
print what happened to the highlights. And when an import is a new version at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.importing import import_paths
from desktop.core.model import DocumentInfo, NewDocument
from desktop.core.sqlite_store import SqliteStore
from desktop.core.versions import SAME_SOURCE, SAME_URL, previous_version
from tests.conftest import SEED_DIGEST
from tests.core.test_versions import DELETED, FUZZY, KEPT, MOVED, NEW, OLD


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project with the old version of bridge.txt, a highlight on each of its passages."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "bridge.txt").write_text(OLD, encoding="utf-8")
    db = tmp_path / "p.claimmark"
    store = SqliteStore.open(db)
    [info] = import_paths(store, [tmp_path / "old" / "bridge.txt"]).documents_added
    for quote in (KEPT, FUZZY, DELETED, MOVED):
        start = OLD.index(quote)
        store.add_highlight(info.id, start, start + len(quote), 2)
    store.close()
    return db


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    """The new version, in a file of the same name elsewhere."""
    (tmp_path / "new").mkdir()
    path = tmp_path / "new" / "bridge.txt"
    path.write_text(NEW, encoding="utf-8")
    return path


def state(db: Path) -> tuple[list[str], int, int]:
    """The documents' texts, and how many highlights are placed and orphaned."""
    store = SqliteStore.open(db)
    try:
        texts = [store.text(d.id) for d in store.documents()]
        return texts, len(store.highlights()), len(store.orphans())
    finally:
        store.close()


def test_import_asks_for_a_choice_and_changes_nothing_without_one(
    project: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--db", str(project), str(new_file)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"claimmark: {new_file}: a new version of document 1 “The mayor said the bridge would "
        "open in May. Critics doubt it.” (the same file name); not imported: add --update to "
        "update that document (its highlights are re-anchored) or --new to add it as another\n"
    )
    assert state(project) == ([OLD], 4, 0)


def test_import_update_re_anchors_and_says_how(
    project: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--db", str(project), "--update", str(new_file)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{new_file}: a new version (the same file name)",
        "updated document 1: The mayor said the bridge would open in May. Critics doubt it.: "
        "kept 1, moved 1, fuzzy 1, orphaned 1",
        f"  orphaned: “{DELETED}”: its text is not in the new version",
    ]
    assert state(project) == ([NEW], 3, 1)
    store = SqliteStore.open(project)
    assert [v.document.text for v in store.document_versions(1)] == [OLD]
    store.close()


def test_import_new_adds_another_document(
    project: Path, new_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", "--db", str(project), "--new", str(new_file)]) == 0
    assert "added document 2" in capsys.readouterr().out
    assert state(project) == ([OLD, NEW], 4, 0)


def test_update_a_chosen_document(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "renamed.txt"
    other.write_text(NEW, encoding="utf-8")
    assert main(["update", "--db", str(project), "--document", "1", str(other)]) == 0
    out = capsys.readouterr().out
    assert "kept 1, moved 1, fuzzy 1, orphaned 1\n" in out
    assert state(project) == ([NEW], 3, 1)
    # The same again: nothing to do, and no error.
    assert main(["update", "--db", str(project), "--document", "1", str(other)]) == 0
    assert "this is its text already; no change" in capsys.readouterr().out
    assert state(project) == ([NEW], 3, 1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--document", "9"], "There is no document 9"),
        (["--document", "1", "missing.txt"], "refused missing.txt"),
    ],
)
def test_update_refusals_change_nothing(
    project: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "some.txt").write_text(NEW, encoding="utf-8")
    file = [] if len(args) == 3 else ["some.txt"]
    assert main(["update", "--db", str(project), *args, *file]) == 1
    assert message in capsys.readouterr().err
    assert state(project) == ([OLD], 4, 0)


@pytest.mark.parametrize("holding", [[], ["bridge.txt"], ["bridge.txt", "bridge.ann"]])
def test_update_from_a_folder_says_it_is_a_folder(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], holding: list[str]
) -> None:
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in holding:
        (folder / name).write_text(NEW, encoding="utf-8")
    assert main(["update", "--db", str(project), "--document", "1", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"claimmark: refused {folder}: a folder, not a file: give the file or web address "
        "of the document's new version\n"
    )
    assert state(project) == ([OLD], 4, 0)


def test_update_needs_the_project_to_exist(tmp_path: Path, new_file: Path) -> None:
    missing = tmp_path / "missing.claimmark"
    assert main(["update", "--db", str(missing), "--document", "1", str(new_file)]) == 1
    assert not missing.exists()


def test_update_from_a_digest_takes_the_article_with_the_same_title(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "p.claimmark"
    assert main(["import", "--db", str(db), str(SEED_DIGEST)]) == 0
    digest = SEED_DIGEST.read_text(encoding="utf-8")
    store = SqliteStore.open(db)
    second = store.documents()[1]
    text = store.text(second.id)
    store.close()
    changed = tmp_path / SEED_DIGEST.name
    changed.write_text(digest.replace(text, text.replace(" the ", " a ", 1)), encoding="utf-8")
    capsys.readouterr()
    # Found by its file name and title; the seven others are the same, already there.
    assert main(["import", "--db", str(db), "--update", str(changed)]) == 0
    out = capsys.readouterr().out
    assert out.count("already in the project") == 7
    assert f"updated document {second.id}: {second.title}: " in out
    assert main(["update", "--db", str(db), "--document", "1", str(changed)]) == 0
    assert "this is its text already" in capsys.readouterr().out


# When an import is a new version ------------------------------------------------------------


def info(id: int, source: str, url: str = "", title: str = "T") -> DocumentInfo:
    return DocumentInfo(id, title, "", "", "", source, 0, "", "", 1, url)


def new(source: str, url: str = "", title: str = "T") -> NewDocument:
    return NewDocument(text="new", title=title, source=source, url=url)


def test_the_same_url_makes_a_new_version() -> None:
    docs = [info(1, "a.html", "https://n.test/1"), info(2, "b.html", "https://n.test/2")]
    assert previous_version(docs, new("other.html", "https://n.test/2")) == (docs[1], SAME_URL)


def test_the_same_file_name_makes_a_new_version_unless_the_urls_differ() -> None:
    docs = [info(1, "/a/story.txt"), info(2, "page.html", "https://n.test/1")]
    assert previous_version(docs, new("/b/story.txt")) == (docs[0], SAME_SOURCE)
    assert previous_version(docs, new("page.html")) == (docs[1], SAME_SOURCE)
    assert previous_version(docs, new("page.html", "https://n.test/other")) is None


def test_a_web_address_fetched_again_is_the_same_source() -> None:
    docs = [info(1, "https://n.test/story", "https://n.test/canonical")]
    assert previous_version(docs, new("https://n.test/story")) == (docs[0], SAME_URL)


def test_several_candidates_are_no_match() -> None:
    docs = [info(1, "story.txt"), info(2, "story.txt")]
    assert previous_version(docs, new("story.txt")) is None
    same_url = [info(1, "a", "https://n.test/1"), info(2, "b", "https://n.test/1")]
    assert previous_version(same_url, new("c", "https://n.test/1")) is None


def test_an_article_of_a_digest_needs_its_title_too() -> None:
    docs = [info(1, "digest.txt", title="One"), info(2, "digest.txt", title="Two")]
    assert previous_version(docs, new("digest.txt", title="Two"), one_of_several=True) == (
        docs[1],
        SAME_SOURCE,
    )
    assert previous_version(docs, new("digest.txt", title="Three"), one_of_several=True) is None


HARBOUR = (
    "Harbour to reopen in May\n"
    "The harbour will reopen in May, the mayor said. Critics say it is far too late.\n"
)


def test_list_and_exports_after_an_update_orphans_a_linked_highlight(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A link keeps its orphaned end; `list` counts it apart (as the exports leave it out)."""
    import json

    (tmp_path / "harbour.txt").write_text(HARBOUR, encoding="utf-8")
    (tmp_path / "links.json").write_text(
        json.dumps(
            {
                "format": "claimmark",
                "version": 2,
                "documents": [{"id": 1, "text": HARBOUR}],
                "highlights": [
                    {"id": "c", "document_id": 1, "start": 25, "end": 55, "tag": "claim"},
                    {"id": "o", "document_id": 1, "start": 73, "end": 103, "tag": "opinion"},
                ],
                "relations": [{"from_id": "o", "to_id": "c", "type": "attacks"}],
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "harbour.txt").write_text(
        "Harbour to reopen in May\nThe harbour will reopen in May, the mayor said.\n",
        encoding="utf-8",
    )
    db = str(tmp_path / "r.claimmark")
    assert main(["import", "--db", db, str(tmp_path / "harbour.txt")]) == 0
    assert main(["import", "--db", db, str(tmp_path / "links.json")]) == 0
    assert main(["list", "--db", db]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == (
        "1 document, 2 highlights, 1 link, 0 verdicts"
    )
    update = ["update", "--db", db, "--document", "1", str(tmp_path / "new" / "harbour.txt")]
    assert main(update) == 0
    assert "orphaned 1" in capsys.readouterr().out

    assert main(["list", "--db", db]) == 0
    lines = capsys.readouterr().out.splitlines()
    header, row = lines[0].split(), lines[1].split()
    assert row[header.index("links")] == "0"
    assert lines[-1] == (
        "1 document, 1 highlight, 0 links, 0 verdicts; "
        "not counted: 1 orphan, 1 link to or from an orphan"
    )
    for how in ("json", "w3c", "csv", "jsonl-relations"):
        assert main(["export", "--db", db, "--format", how]) == 0
    brat = tmp_path / "brat"
    assert main(["export", "--db", db, "--format", "brat", "-o", str(brat)]) == 0
    assert "\nR" not in (brat / "0001-harbour-to-reopen-in-may.ann").read_text(encoding="utf-8")
    assert main(["agreement", "--db", db]) == 0
    copy = str(tmp_path / "copy.claimmark")
    assert main(["copy", "--from", db, "--to", copy]) == 0
    assert "1 link" in capsys.readouterr().out
