"""Writing exports: the registry, progress, cancelling, folders, and the command line."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path, render_bytes
from desktop.core.model import HighlightFilter
from desktop.core.progress import Cancelled
from desktop.core.registry import export_formats
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO
from tests.core.conftest import EMOJI

FILE_FORMATS = ["json", "w3c", "csv", "csv-exact", "jsonl", "jsonl-relations"]


def test_the_formats() -> None:
    formats = export_formats()
    assert list(formats) == [*FILE_FORMATS, "brat", "claimreview"]
    suffixes = [".json", ".jsonld", ".csv", ".csv", ".jsonl", ".jsonl", "", ".jsonld"]
    assert [f.suffix for f in formats.values()] == suffixes
    assert [f.writes_folder for f in formats.values()] == [False] * 6 + [True, False]


@pytest.mark.parametrize("fmt", [*FILE_FORMATS, "brat"])
def test_progress_runs_to_the_end(annotated: SqliteStore, tmp_path: Path, fmt: str) -> None:
    seen: list[tuple[int, int]] = []
    export_to_path(annotated, fmt, tmp_path / "out", on_progress=lambda d, t: seen.append((d, t)))
    assert seen[0][0] == 0
    assert seen[-1][0] == seen[-1][1] > 0
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert (tmp_path / "out").exists()


@pytest.mark.parametrize("fmt", [*FILE_FORMATS, "brat"])
def test_cancelling_leaves_nothing(annotated: SqliteStore, tmp_path: Path, fmt: str) -> None:
    calls: list[int] = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) > 1  # after the first step, when a folder already has files

    target = tmp_path / "out"
    with pytest.raises(Cancelled):
        export_to_path(annotated, fmt, target, is_cancelled=cancelled)
    assert [p.name for p in tmp_path.iterdir() if "out" in p.name] == []


def test_a_failed_export_keeps_the_earlier_file(annotated: SqliteStore, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("earlier", encoding="utf-8")
    with pytest.raises(Cancelled):
        export_to_path(annotated, "csv", target, replace=True, is_cancelled=lambda: True)
    assert target.read_text(encoding="utf-8") == "earlier"


def test_brat_folders_are_replaced_only_when_asked(annotated: SqliteStore, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    export_to_path(annotated, "brat", folder)
    export_to_path(annotated, "brat", folder, HighlightFilter(document_ids=(2,)), replace=True)
    assert len(list(folder.glob("*.txt"))) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []

    theirs = tmp_path / "theirs"
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ClaimmarkError, match=r"not empty \(1 file: notes\.txt\)"):
        export_to_path(annotated, "brat", theirs)
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]

    empty = tmp_path / "empty"
    empty.mkdir()
    export_to_path(annotated, "brat", empty)
    assert len(list(empty.glob("*.ann"))) == 9

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    with pytest.raises(ClaimmarkError, match="not a folder is in the way"):
        export_to_path(annotated, "brat", tmp_path / "a-file", replace=True)
    with pytest.raises(ClaimmarkError, match="does not exist"):
        export_to_path(annotated, "brat", tmp_path / "missing" / "brat")


def test_render_is_for_single_files(annotated: SqliteStore) -> None:
    assert json.loads(render_bytes(annotated, "w3c"))["type"] == "AnnotationCollection"
    with pytest.raises(ClaimmarkError, match="folder"):
        render_bytes(annotated, "brat")
    with pytest.raises(ClaimmarkError, match="Unknown export format"):
        render_bytes(annotated, "xml")


# The command line ---------------------------------------------------------------------------


def _project(annotated: SqliteStore) -> str:
    return annotated.location


def test_cli_exports_every_format_with_filters(
    annotated: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = _project(annotated)
    filters = ["--tag", "claim", "--tag", "opinion", "--annotator", "ana", "--document", "9"]
    for fmt in FILE_FORMATS:
        out = tmp_path / f"out.{fmt}"
        assert main(["export", "--db", db, "--format", fmt, *filters, "-o", str(out)]) == 0
        assert main(["export", "--db", db, "--format", fmt, *filters]) == 0
        printed = capsys.readouterr().out
        if fmt in ("csv", "csv-exact", "jsonl"):  # the others hold the export's time or fresh ids
            assert printed.encode() == out.read_bytes()
        else:
            assert len(printed) == len(out.read_text(encoding="utf-8"))
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sorted((r["tag"], r["quote"]) for r in rows) == [
        ("claim", "families waited.\nCafe\u0301"),
        ("claim", "🇺🇦"),
        ("opinion", "Cafe\u0301 owners"),
    ]
    w3c_items = json.loads((tmp_path / "out.w3c").read_text())["first"]["items"]
    assert {i["body"][0]["value"] for i in w3c_items} == {"claim", "opinion"}
    assert {i["creator"]["name"] for i in w3c_items} == {"ana"}
    [line] = (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()
    assert json.loads(line)["id"] == 9
    folder = tmp_path / "brat"
    assert main(["export", "--db", db, "--format", "brat", *filters, "-o", str(folder)]) == 0
    [ann] = folder.glob("*.ann")
    assert len([x for x in ann.read_text(encoding="utf-8").split("\n") if x.startswith("T")]) == 3


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args], cwd=REPO, capture_output=True, text=True
    )


def test_cli_brat_needs_a_folder(annotated: SqliteStore) -> None:
    result = _run("export", "--db", _project(annotated), "--format", "brat")
    assert result.returncode == 2
    assert "--format brat writes a folder of files; name a new folder with -o FOLDER" in (
        result.stderr
    )
    assert "Traceback" not in result.stderr


def test_cli_imports_w3c_and_brat(annotated: SqliteStore, tmp_path: Path) -> None:
    db = _project(annotated)
    assert (
        _run("export", "--db", db, "--format", "w3c", "-o", str(tmp_path / "a.jsonld")).returncode
        == 0
    )
    assert _run("export", "--db", db, "--format", "brat", "-o", str(tmp_path / "b")).returncode == 0
    target = str(tmp_path / "target.claimmark")
    assert _run("import", "--db", target, str(EMOJI)).returncode == 0
    result = _run("import", "--db", target, str(tmp_path / "a.jsonld"), str(tmp_path / "b"))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith(
        "a.jsonld: 0 documents added, 1 matched, 8 highlights added, "
        "0 already present, new tags: needs source, needs_source"
    )
    assert sum("skipped document “" in x for x in lines) == 8  # the seed articles it lacks
    assert any(
        x.endswith("b: 8 documents added, 1 matched, 16 highlights added, 8 already present")
        for x in lines
    )
    # Run again: the W3C file now finds the seed articles the brat folder brought, and adds
    # their highlights; after that, nothing is new.
    again = _run("import", "--db", target, str(tmp_path / "a.jsonld"), str(tmp_path / "b"))
    assert "a.jsonld: 0 documents added, 9 matched, 16 highlights added, 8 already present" in (
        again.stdout
    )
    third = _run("import", "--db", target, str(tmp_path / "a.jsonld"), str(tmp_path / "b"))
    assert third.stdout.count(" 0 highlights added") == 2


def test_an_export_reads_one_state_of_the_project(tmp_path: Path) -> None:
    """Another window committing while an export reads must not mix two states."""
    from desktop.core.exporting import export_to_path
    from desktop.core.model import NewDocument
    from desktop.core.sqlite_store import SqliteStore

    path = tmp_path / "p.claimmark"
    store = SqliteStore.open(path)
    [doc] = store.add_documents([NewDocument(text="Alpha beta gamma.\n", title="T", source="t")])
    store.add_highlight(doc.id, 0, 5, 1)
    reader = SqliteStore.open(path, read_only=True)
    real_tags = reader.tags

    def tags_then_someone_commits():  # type: ignore[no-untyped-def]
        tags = real_tags()
        if store.tags()[-1].name != "late":  # once
            tag = store.add_tag("late", "#000000")
            store.add_highlight(doc.id, 6, 10, tag.id)
        return tags

    reader.tags = tags_then_someone_commits  # type: ignore[method-assign]
    target = tmp_path / "out.json"
    export_to_path(reader, "json", target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [h["tag"] for h in data["highlights"]] == ["claim"]
    reader.close()
    store.close()


def test_an_export_of_named_highlights_writes_those_and_the_links_among_them(
    annotated: SqliteStore, tmp_path: Path, emoji_document: int
) -> None:
    """The window's list can show what no filter says (claims without evidence, …): its export
    names the highlights it shows, and each format writes those only, with the links among
    them, as it writes what a filter selects."""
    from desktop.core.model import Link

    here = HighlightFilter(document_ids=(emoji_document,))
    anas = [h for h in annotated.highlights(here) if h.annotator == "ana"]
    [bobs] = [h for h in annotated.highlights(here) if h.annotator == "bob"]
    supports = annotated.relation_types()[0].id
    for n, (source, target) in enumerate(((anas[1], anas[0]), (anas[2], bobs))):
        t = source.created_at
        annotated.insert_link(Link(0, f"l-{n}", source.id, target.id, supports, "", "ana", t, t))
    named = frozenset(h.id for h in anas)
    same = HighlightFilter(document_ids=(emoji_document,), annotators=("ana",))
    for fmt in ["csv", "csv-exact", "jsonl", "jsonl-relations", "brat"]:
        by_ids, by_filter = tmp_path / f"ids-{fmt}", tmp_path / f"filter-{fmt}"
        export_to_path(annotated, fmt, by_ids, here, highlight_ids=named)
        export_to_path(annotated, fmt, by_filter, same)
        if fmt == "brat":
            assert sorted(p.name for p in by_ids.iterdir()) == sorted(
                p.name for p in by_filter.iterdir()
            )
            for written in by_filter.iterdir():
                assert (by_ids / written.name).read_bytes() == written.read_bytes()
        else:
            assert by_ids.read_bytes() == by_filter.read_bytes(), fmt
    export_to_path(annotated, "json", tmp_path / "ids.json", here, highlight_ids=named)
    data = json.loads((tmp_path / "ids.json").read_text(encoding="utf-8"))
    assert [h["id"] for h in data["highlights"]] == [h.uuid for h in anas]
    assert [(r["from_id"], r["to_id"]) for r in data["relations"]] == [(anas[1].uuid, anas[0].uuid)]
    export_to_path(annotated, "w3c", tmp_path / "ids-w3c", here, highlight_ids=frozenset({bobs.id}))
    w3c_items = json.loads((tmp_path / "ids-w3c").read_text(encoding="utf-8"))["first"]["items"]
    assert [i["creator"]["name"] for i in w3c_items] == ["bob"]
