"""Importing documents into a project."""

from __future__ import annotations

from pathlib import Path

from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import SEED_DIGEST
from tests.core.test_digest import SEED_ARTICLES


def test_seed_digest_import_gives_eight_documents_with_exact_text(seeded: SqliteStore) -> None:
    docs = seeded.documents()
    assert [(d.title, d.author, d.outlet, d.published) for d in docs] == SEED_ARTICLES
    whole = SEED_DIGEST.read_text(encoding="utf-8")
    texts = [seeded.document(d.id).text for d in docs]
    assert "".join(texts) == whole
    for d, text in zip(docs, texts, strict=True):
        assert whole[d.source_offset : d.source_offset + d.length] == text
        assert d.source == SEED_DIGEST.name


def test_importing_the_same_text_again_adds_nothing(seeded: SqliteStore, tmp_path: Path) -> None:
    copy = tmp_path / "copy-of-digest.txt"
    copy.write_bytes(SEED_DIGEST.read_bytes())
    report = import_paths(seeded, [copy])
    assert report.documents_added == []
    assert len(report.documents_already_present) == 8
    assert len(seeded.documents()) == 8


def test_a_refused_file_writes_nothing_and_the_others_still_import(
    store: SqliteStore, tmp_path: Path
) -> None:
    good = tmp_path / "good.md"
    good.write_text("# Heading\n\nBody.\n", encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    report = import_paths(store, [bad, tmp_path / "missing.txt", good])
    assert [d.title for d in report.documents_added] == ["Heading"]
    assert [Path(r.path).name for r in report.refused] == ["bad.txt", "missing.txt"]
    assert len(store.documents()) == 1


def test_progress_and_cancel(store: SqliteStore, tmp_path: Path) -> None:
    files = []
    for n in range(3):
        f = tmp_path / f"f{n}.txt"
        f.write_text(f"Document {n}\n")
        files.append(f)
    seen: list[tuple[int, int]] = []
    report = import_paths(
        store,
        files,
        on_progress=lambda done, total, _name: seen.append((done, total)),
        is_cancelled=lambda: len(seen) >= 2,
    )
    assert report.cancelled
    assert seen == [(0, 3), (1, 3)]
    # Cancelled while the second file was being imported: it is rolled back, not finished.
    assert [d.source for d in store.documents()] == ["f0.txt"]
    assert [d.source for d in report.documents_added] == ["f0.txt"]


def test_exports_given_as_documents(seeded: SqliteStore, tmp_path: Path) -> None:
    """A JSON export under another name is read as one, and so is doccano JSONL; a CSV export
    is refused, not added as a document; text that merely starts with a bracket is a
    document."""
    from desktop.core.exporting import export_to_path

    seeded.add_highlight(1, 0, 9, 1)
    for fmt, name in (
        ("w3c", "export.w3c"),
        ("json", "export.txt"),
        ("csv", "e.csv"),
        ("jsonl", "e.jsonl"),
    ):
        export_to_path(seeded, fmt, tmp_path / name)
    bracket = tmp_path / "note.txt"
    bracket.write_text("[Updated] A correction was made.\nBody.\n", encoding="utf-8")
    report = import_paths(
        seeded, [tmp_path / n for n in ("export.w3c", "export.txt", "e.csv", "e.jsonl")] + [bracket]
    )
    names = [Path(name).name for name, _ in report.merges]
    assert names == ["export.w3c", "export.txt", "e.jsonl"]
    assert {Path(r.path).name: r.reason.split(";")[0] for r in report.refused} == {
        "e.csv": "a claimmark CSV export",
    }
    assert [d.title for d in report.documents_added] == ["[Updated] A correction was made."]
    assert len(seeded.highlights()) == 1


def test_json_under_another_name_is_read_as_json_or_refused_as_json(
    seeded: SqliteStore, tmp_path: Path
) -> None:
    """What starts as JSON does ({, or [ before {, [, " or ]) is JSON whatever the file is
    called: broken JSON is refused with where it breaks, JSON of another kind as such; it is
    never a document titled with its first line."""
    from desktop.core.exporting import export_to_path

    highlight = seeded.add_highlight(1, 0, 9, 1)
    seeded.set_rating(highlight.id, seeded.ratings()[0].id)
    options = {"publisher": "Desk", "review_url": "https://desk.example/{id}"}
    export_to_path(seeded, "claimreview", tmp_path / "out.claimreview", options=options)
    export_to_path(seeded, "json", tmp_path / "whole.txt")
    (tmp_path / "trunc.txt").write_bytes((tmp_path / "whole.txt").read_bytes()[:300])
    files = {
        "out.claimreview": "a ClaimReview file (schema.org fact checks)",
        "trunc.txt": "not valid JSON (line 1, column 301: ",
        "lines.txt": "not valid JSON (line 2, column 1: ",
        "empty-list.txt": "a JSON file, but not a claimmark export or W3C Web Annotations",
        "strings.md": "a JSON file, but not a claimmark export or W3C Web Annotations",
    }
    (tmp_path / "lines.txt").write_text('{"a": 1}\n{"a": 2}\n', encoding="utf-8")
    (tmp_path / "empty-list.txt").write_text("\ufeff \n[ ]\n", encoding="utf-8")
    (tmp_path / "strings.md").write_text('[\n  "one", "two"]\n', encoding="utf-8")
    documents = {
        "updated.txt": "[Updated] Harbour reopens\nThe harbour reopened on Monday.\n",
        "numbers.txt": "[1] Harbour reopens\nThe harbour reopened on Monday.\n",
    }
    for name, text in documents.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    report = import_paths(seeded, [tmp_path / n for n in [*files, *documents]])
    refused = {Path(r.path).name: r.reason for r in report.refused}
    assert refused.keys() == files.keys()
    for name, reason in files.items():
        assert refused[name].startswith(reason), refused[name]
    assert [d.title for d in report.documents_added] == [
        "[Updated] Harbour reopens",
        "[1] Harbour reopens",
    ]
    assert report.merges == []
    assert len(seeded.documents()) == 10
