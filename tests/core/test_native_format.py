"""claimmark JSON, format version 2: schema, round trip, merge, and refusing bad files."""

from __future__ import annotations

import copy
import json
import tempfile
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core.formats.native import export_native
from desktop.core.formats.plaintext import documents_from_text
from desktop.core.importing import import_paths
from desktop.core.model import HighlightFilter
from desktop.core.sqlite_store import SqliteStore
from desktop.core.textfile import normalise_newlines
from tests.conftest import REPO

SCHEMA = json.loads((REPO / "resources" / "claimmark-export-v2.schema.json").read_text())


def validate(data: dict[str, Any]) -> None:
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(data)


def _annotate(store: SqliteStore) -> None:
    docs = store.documents()
    for n, d in enumerate(docs):
        text = store.document(d.id).text
        store.add_highlight(d.id, 0, len(text.split("\n")[0]), 1 + n % 3, note=f"note <{n}>")
        store.add_highlight(d.id, 10, 60, 2)
        store.add_highlight(d.id, 20, 40, 3)  # overlaps the one before


def _without_time(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    data.pop("exported_at")
    return data


def test_export_validates_against_the_shipped_schema(seeded: SqliteStore) -> None:
    _annotate(seeded)
    data = export_native(seeded)
    validate(data)
    assert data["format"] == "claimmark"
    assert data["version"] == 2
    assert len(data["documents"]) == 8
    assert len(data["highlights"]) == 24
    for h in data["highlights"]:
        doc = next(d for d in data["documents"] if d["id"] == h["document_id"])
        assert doc["text"][h["start"] : h["end"]] == h["quote"]


def test_the_schema_rejects_what_it_should(seeded: SqliteStore) -> None:
    _annotate(seeded)
    good = export_native(seeded)
    for mutate in (
        lambda d: d["highlights"][0].update(start="3"),
        lambda d: d["highlights"][0].update(created_at="yesterday"),
        lambda d: d["tags"][0].update(colour="red"),
        lambda d: d.pop("documents"),
    ):
        bad = copy.deepcopy(good)
        mutate(bad)
        with pytest.raises(jsonschema.ValidationError):
            validate(bad)


def test_round_trip_into_an_empty_project_is_lossless(seeded: SqliteStore, tmp_path: Path) -> None:
    _annotate(seeded)
    first = export_native(seeded)
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(first))
    other = SqliteStore.open(tmp_path / "other.claimmark")
    report = import_paths(other, [path])
    assert report.refused == []
    second = export_native(other)
    assert _without_time(second) == _without_time(first)
    other.close()


def test_import_into_a_project_with_those_documents_merges(
    seeded: SqliteStore, tmp_path: Path
) -> None:
    _annotate(seeded)
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(export_native(seeded)))
    report = import_paths(seeded, [path])
    [(_, merge)] = report.merges
    assert (merge.documents_added, merge.documents_matched) == (0, 8)
    assert (merge.highlights_added, merge.highlights_present) == (0, 24)
    assert len(seeded.highlights()) == 24
    # A second project with the same documents and its own highlights gains ours.
    other = SqliteStore.open(tmp_path / "other.claimmark")
    import_paths(other, [REPO / "seeds" / "news-digest-2024.txt"])
    mine = other.add_highlight(1, 100, 120, 3)
    import_paths(other, [path])
    import_paths(other, [path])
    assert len(other.highlights()) == 25
    assert mine in other.highlights()
    other.close()


def test_filtered_export(seeded: SqliteStore) -> None:
    _annotate(seeded)
    data = export_native(seeded, HighlightFilter(tag_names=("opinion",), document_ids=(2,)))
    validate(data)
    assert [d["id"] for d in data["documents"]] == [2]
    assert [t["name"] for t in data["tags"]] == ["opinion"]
    assert {(h["document_id"], h["tag"]) for h in data["highlights"]} == {(2, "opinion")}


def _corrupt(data: dict[str, Any], how: str) -> Any:
    h = data["highlights"][0]
    if how == "wrong type":
        h["start"] = "0"
    elif how == "out of range":
        h["end"] = len(data["documents"][0]["text"]) + 5
    elif how == "quote mismatch":
        h["quote"] = "something else"
    elif how == "sha mismatch":
        data["documents"][0]["text"] += "x"
    elif how == "unknown document":
        h["document_id"] = 999
    elif how == "unknown tag":
        h["tag"] = "nonsense"
    elif how == "newer version":
        data["version"] = 3
    elif how == "not an object":
        return [data]
    return data


@pytest.mark.parametrize(
    ("how", "message"),
    [
        ("wrong type", "not a valid claimmark export"),
        ("out of range", "outside its document"),
        ("quote mismatch", "does not match"),
        ("sha mismatch", "sha256"),
        ("unknown document", "not in the file"),
        ("unknown tag", "not in the file's tags"),
        ("newer version", "version 3"),
        ("not an object", "not a claimmark export"),
    ],
)
def test_malformed_imports_are_refused_and_change_nothing(
    seeded: SqliteStore, tmp_path: Path, how: str, message: str
) -> None:
    _annotate(seeded)
    data = _corrupt(export_native(seeded), how)
    target = SqliteStore.open(tmp_path / "target.claimmark")
    before = export_native(target)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    report = import_paths(target, [path])
    assert len(report.refused) == 1
    assert str(path) in str(report.refused[0])
    assert message in report.refused[0].reason
    assert _without_time(export_native(target)) == _without_time(before)
    target.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"format": "claimmark"}', "not a valid claimmark export"),
    ],
)
def test_broken_json_is_refused(
    store: SqliteStore, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(content)
    report = import_paths(store, [path])
    assert message in report.refused[0].reason
    assert store.documents() == []


# Property: for any text, highlights keep text[start:end] == quote through export and import.

_ALPHABET = st.one_of(
    st.characters(exclude_categories=("Cs",)),
    st.sampled_from(["🇺🇦", "👨\u200d👩\u200d👧", "e\u0301", "\r\n", "\r", "\n", "\u2028", "字"]),
)


@settings(max_examples=60, deadline=None)
@given(
    raw=st.lists(_ALPHABET, min_size=1, max_size=80).map("".join),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 40)), max_size=6),
)
def test_offsets_survive_export_and_import(raw: str, cuts: list[tuple[int, int]]) -> None:
    text = normalise_newlines(raw)
    if not text.strip():
        return
    with tempfile.TemporaryDirectory() as folder:
        _round_trip_random(text, cuts, Path(folder) / "p.claimmark")


def _round_trip_random(text: str, cuts: list[tuple[int, int]], project: Path) -> None:
    store = SqliteStore.open(project)
    try:
        [info] = store.add_documents(documents_from_text(text, "random.txt")[:1])
        doc_text = store.document(info.id).text
        for start, length in cuts:
            start %= len(doc_text)
            end = min(len(doc_text), start + length)
            if end > start:
                store.add_highlight(info.id, start, end, 1)
        data = export_native(store)
        for h in data["highlights"]:
            assert doc_text[h["start"] : h["end"]] == h["quote"]
        path = project.with_suffix(".json")
        path.write_bytes(orjson.dumps(data))
        other = SqliteStore.open(project.with_suffix(".copy"))
        import_paths(other, [path])
        assert _without_time(export_native(other)) == _without_time(data)
        other.close()
    finally:
        store.close()
