"""claimmark JSON format 2: the bytes SQLite makes, links, verdicts and done marks, merging
several annotators' exports, version 1 files, and the short form scripts write."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest

from desktop.core import operations
from desktop.core.bundle import merge_bundle
from desktop.core.exporting import export_to_path, render_bytes
from desktop.core.formats.native import export_native, parse_native
from desktop.core.importing import import_paths
from desktop.core.model import HighlightFilter, Link, NewDocument
from desktop.core.progress import Cancelled, Progress
from desktop.core.project import open_project
from desktop.core.sqlite_store import SqliteStore
from desktop.core.store import ProjectStore
from tests.conftest import REPO, SEED_DIGEST

SCHEMA = json.loads((REPO / "resources" / "claimmark-export-v2.schema.json").read_text())


def _reference(store: ProjectStore, where: HighlightFilter, exported_at: str) -> bytes:
    """The export as the format promises it, made another way: Python objects from the store's
    own reading methods, written by orjson, one record per line."""
    tags = [t for t in store.tags() if not where.tag_names or t.name in where.tag_names]
    tag_names = {t.id: t.name for t in store.tags()}
    ratings = {r.id: r.name for r in store.ratings()}
    types = {t.id: t.name for t in store.relation_types()}
    infos = [d for d in store.documents() if not where.document_ids or d.id in where.document_ids]
    chosen = [
        h
        for h in store.highlights(HighlightFilter(where.tag_names, (), where.annotators))
        if (not where.document_ids or h.document_id in where.document_ids)
        and (
            not where.text
            or where.text.casefold() in h.quote.casefold()
            or where.text.casefold() in h.note.casefold()
        )
    ]
    uuids = {h.id: h.uuid for h in store.highlights()}
    ids = {h.id for h in chosen}
    head = {
        "format": "claimmark",
        "version": 2,
        "exported_at": exported_at,
        "tags": [{"name": t.name, "colour": t.colour, "key": t.key} for t in tags],
        "relation_types": [
            {"name": t.name, "colour": t.colour, "key": t.key} for t in store.relation_types()
        ],
        "rating_scale": [
            {"name": r.name, "value": r.value, "colour": r.colour, "key": r.key}
            for r in store.ratings()
        ],
    }
    records = {
        "documents": [
            {
                "id": d.id,
                "title": d.title,
                "author": d.author,
                "outlet": d.outlet,
                "published": d.published,
                "source": d.source,
                "source_offset": d.source_offset,
                "url": d.url,
                "page_starts": list(d.page_starts),
                "sha256": d.sha256,
                "text": store.document(d.id).text,
            }
            for d in infos
        ],
        "highlights": [
            {
                "id": h.uuid,
                "document_id": h.document_id,
                "start": h.start,
                "end": h.end,
                "quote": h.quote,
                "prefix": h.prefix,
                "suffix": h.suffix,
                "tag": tag_names[h.tag_id],
                "rating": ratings.get(h.rating_id) if h.rating_id is not None else None,
                "note": h.note,
                "annotator": h.annotator,
                "created_at": h.created_at,
                "updated_at": h.updated_at,
            }
            for h in chosen
        ],
        "relations": [
            {
                "id": k.uuid,
                "from_id": uuids[k.from_id],
                "to_id": uuids[k.to_id],
                "type": types[k.type_id],
                "note": k.note,
                "annotator": k.annotator,
                "created_at": k.created_at,
                "updated_at": k.updated_at,
            }
            for k in store.links()
            if k.from_id in ids and k.to_id in ids
        ],
        "done": [
            {"annotator": a, "document_id": d, "done_at": t}
            for (a, d), t in sorted(store.done().items(), key=lambda x: (x[0][1], x[0][0]))
            if (not where.document_ids or d in where.document_ids)
            and (not where.annotators or a in where.annotators)
        ],
    }
    out = orjson.dumps(head)[:-1]
    for key, items in records.items():
        out += b',\n"' + key.encode() + b'":[\n' + b",\n".join(map(orjson.dumps, items)) + b"]"
    return out + b"}\n"


def _exported_at(data: bytes) -> str:
    return json.loads(data)["exported_at"]  # type: ignore[no-any-return]


TRICKY_TEXT = ['},{"id":2', '"documents":[', "\\", '"', "\n", "}]", "\u2028", "\x00\x1f\x7f", "🇺🇦"]


@pytest.mark.parametrize(
    "where",
    [
        HighlightFilter(),
        HighlightFilter(tag_names=("claim", "evidence")),
        HighlightFilter(document_ids=(1, 9)),
        HighlightFilter(annotators=("bob",)),
        HighlightFilter(text="FLAG"),
    ],
    ids=["all", "tags", "documents", "annotator", "text"],
)
def test_the_export_is_byte_for_byte_what_the_format_promises(
    linked: SqliteStore, where: HighlightFilter
) -> None:
    # Notes and a tag with everything JSON must escape, and what a line-splitter trips on.
    tricky = "".join(TRICKY_TEXT)
    tag = linked.add_tag(tricky, "#123456")
    h = linked.add_highlight(1, 3, 9, tag.id, note=tricky)
    linked.update_highlight(h.id, note=tricky + "\r\n\t")
    data = render_bytes(linked, "json", where)
    assert data == _reference(linked, where, _exported_at(data))
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(
        json.loads(data)
    )
    # One record per line: every line between the lists' openings is one whole object.
    lines = data.decode().split("\n")  # not splitlines: U+2028 in a text is no line break
    records = 0
    for line in lines[1:-1]:
        record = line.rstrip(",").removesuffix("]}").removesuffix("]")
        if record and not line.startswith('"'):
            assert isinstance(json.loads(record), dict)
            records += 1
    data_lists = json.loads(data)
    assert records == sum(
        len(data_lists[k]) for k in ("documents", "highlights", "relations", "done")
    )


def test_an_empty_project_exports_empty_lists(store: SqliteStore) -> None:
    data = render_bytes(store, "json")
    assert data == _reference(store, HighlightFilter(), _exported_at(data))
    assert b'\n"documents":[\n],\n"highlights":[\n],\n"relations":[\n],\n"done":[\n]}\n' in data


def test_links_verdicts_done_marks_and_pages_round_trip(
    linked: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "export.json"
    export_to_path(linked, "json", path)
    first = json.loads(path.read_bytes())
    assert len(first["relations"]) == 3
    assert {h["rating"] for h in first["highlights"]} == {None, "Mostly false", "True"}
    assert [(d["annotator"], d["document_id"]) for d in first["done"]] == [("bob", 1), ("ana", 9)]
    web = next(d for d in first["documents"] if d["url"])
    assert web["url"] == "https://news.example/harbour"
    assert web["page_starts"] == [0, web["text"].index("Critics")]
    other = SqliteStore.open(tmp_path / "other.claimmark")
    assert import_paths(other, [path]).refused == []
    second = export_native(other)
    first.pop("exported_at")
    second.pop("exported_at")
    assert second == first
    other.close()


# Merging annotators' work ---------------------------------------------------------------------


def _annotator_project(folder: Path, name: str, spans: list[tuple[int, int, int]]) -> SqliteStore:
    """A project of the seed articles where `name` made highlights (document, start, tag id:
    twenty characters each), linked the first to the second, rated the first and marked
    document 1 done."""
    store = SqliteStore.open(folder / f"{name}.claimmark")
    store.annotator = name
    import_paths(store, [SEED_DIGEST])
    made = [store.add_highlight(d, s, s + 20, t) for d, s, t in spans]
    supports = store.relation_types()[0]
    store.insert_link(
        Link(0, f"link-of-{name}", made[1].id, made[0].id, supports.id, name, name,
             "2026-11-24T03:12:51.123Z", "2026-11-24T03:12:51.123Z")
    )  # fmt: skip
    store.set_rating(made[0].id, store.ratings()[-1].id)
    store.set_done(name, 1, "2026-11-24T03:12:51.123Z")
    return store


def test_three_annotators_exports_merge_into_one_project(tmp_path: Path) -> None:
    """Each annotator works in a project of their own; their exports, imported into one
    project, keep every highlight, link, verdict and done mark with its annotator, and
    importing them again adds nothing."""
    spans = {
        "ana": [(1, 100, 1), (1, 300, 2), (2, 50, 3)],
        "bob": [(1, 100, 1), (1, 500, 2)],  # the same passage and tag as ana's first
        "carol": [(3, 10, 1), (2, 50, 3)],
    }
    paths = []
    for name, places in spans.items():
        project = _annotator_project(tmp_path, name, places)
        paths.append(tmp_path / f"{name}.json")
        export_to_path(project, "json", paths[-1])
        project.close()
    team = SqliteStore.open(tmp_path / "team.claimmark")
    report = import_paths(team, paths)
    assert report.refused == []
    assert [m.documents_added for _, m in report.merges] == [8, 0, 0]
    assert [m.documents_matched for _, m in report.merges] == [0, 8, 8]
    assert [(m.highlights_added, m.links_added, m.done_added) for _, m in report.merges] == [
        (3, 1, 1),
        (2, 1, 1),
        (2, 1, 1),
    ]
    data = export_native(team)
    assert len(data["documents"]) == 8
    by_annotator: dict[str, int] = {}
    for h in data["highlights"]:
        by_annotator[h["annotator"]] = by_annotator.get(h["annotator"], 0) + 1
    assert by_annotator == {"ana": 3, "bob": 2, "carol": 2}
    assert sorted(d["annotator"] for d in data["done"]) == ["ana", "bob", "carol"]
    quote = {h["id"]: (h["annotator"], h["document_id"], h["start"]) for h in data["highlights"]}
    assert sorted(
        (quote[k["from_id"]], quote[k["to_id"]], k["annotator"]) for k in data["relations"]
    ) == [
        (("ana", 1, 300), ("ana", 1, 100), "ana"),
        (("bob", 1, 500), ("bob", 1, 100), "bob"),
        (("carol", 2, 50), ("carol", 3, 10), "carol"),
    ]
    assert sorted(h["annotator"] for h in data["highlights"] if h["rating"]) == [
        "ana",
        "bob",
        "carol",
    ]
    again = import_paths(team, paths)
    assert [
        (m.highlights_added, m.highlights_present, m.links_added, m.links_present, m.done_added)
        for _, m in again.merges
    ] == [(0, 3, 0, 1, 0), (0, 2, 0, 1, 0), (0, 2, 0, 1, 0)]
    assert export_native(team)["highlights"] == data["highlights"]
    team.close()


def _one_highlight_file(
    text: str, tag: str, note: str, rating: str | None, updated: str
) -> dict[str, Any]:
    return {
        "format": "claimmark",
        "version": 2,
        "documents": [{"id": 1, "text": text}],
        "highlights": [
            {
                "id": "h-1",
                "document_id": 1,
                "start": 0,
                "end": 5,
                "tag": tag,
                "note": note,
                "rating": rating,
                "annotator": "ana",
                "created_at": "2026-01-01T00:00:00Z",
                "updated_at": updated,
            }
        ],
    }


def _import_data(store: ProjectStore, data: dict[str, Any], path: Path) -> Any:
    path.write_bytes(orjson.dumps(data))
    report = import_paths(store, [path])
    assert report.refused == [], report.refused
    return report.merges[0][1]


def test_a_highlight_known_by_its_id_keeps_the_newer_change(
    store: SqliteStore, tmp_path: Path
) -> None:
    text = "Rates rose again in May.\n"
    path = tmp_path / "h.json"
    merge = _import_data(
        store, _one_highlight_file(text, "claim", "", None, "2026-01-01T00:00:00Z"), path
    )
    assert merge.highlights_added == 1
    newer = _one_highlight_file(text, "opinion", "checked", "False", "2026-02-01T10:00:00+02:00")
    merge = _import_data(store, newer, path)
    assert (merge.highlights_added, merge.highlights_updated) == (0, 1)
    [h] = store.highlights()
    assert (h.note, store.tag(h.tag_id).name, store.rating(h.rating_id or 0).name) == (
        "checked",
        "opinion",
        "False",
    )
    assert h.updated_at == "2026-02-01T08:00:00.000Z"
    older = _one_highlight_file(text, "evidence", "stale", None, "2026-01-15T00:00:00Z")
    merge = _import_data(store, older, path)
    assert (merge.highlights_updated, merge.highlights_present) == (0, 1)
    assert store.highlights() == [h]


def _file_on(text: str, *highlights: dict[str, Any]) -> dict[str, Any]:
    """A format 2 file of one document and these highlights, each by ana as a claim unless it
    says otherwise."""
    made = "2026-01-01T00:00:00Z"
    return {
        "format": "claimmark",
        "version": 2,
        "documents": [{"id": 1, "text": text}],
        "highlights": [
            {"document_id": 1, "tag": "claim", "annotator": "ana", "created_at": made} | h
            for h in highlights
        ],
    }


def test_an_orphan_takes_a_newer_version_from_a_file_and_its_place_there(
    location: str, tmp_path: Path
) -> None:
    """A file that has, in the document's current text, a highlight the project keeps as an
    orphan: a newer version places it where the file has it, with its tag and note, unless the
    same highlight is there; an older one leaves the orphan as it is. The offsets an orphan had
    in an older text make no other highlight the same as it."""
    old_text = "Rates rose again in May. The bank blamed energy.\n"
    new_text = "Wages kept pace with it. The bank blamed energy.\n"
    bank = new_text.index("The bank")
    made = "2026-01-01T00:00:00Z"
    store = open_project(location)
    try:
        sentence = {"id": "h-1", "start": 0, "end": 24, "updated_at": made}
        word = {"id": "h-3", "start": 0, "end": 5, "updated_at": made}
        _import_data(store, _file_on(old_text, sentence, word), tmp_path / "old.json")
        [doc] = store.documents()
        operations.UpdateDocument(store, doc.id, NewDocument(new_text, "T", "t")).do(store)
        orphan, word_orphan = store.orphans(doc.id)
        assert [h.uuid for h in (orphan, word_orphan)] == ["h-1", "h-3"]

        older = {"id": "h-1", "start": bank, "end": bank + 8, "note": "stale"}
        older["updated_at"] = "2026-02-01T00:00:00Z"  # before it became an orphan
        same_offsets = {"id": "h-2", "start": 0, "end": 24, "updated_at": "2026-02-01T00:00:00Z"}
        merge = _import_data(store, _file_on(new_text, older, same_offsets), tmp_path / "a.json")
        assert (merge.highlights_added, merge.highlights_present) == (1, 1)
        assert store.orphans(doc.id) == [orphan, word_orphan]
        [same] = store.highlights()
        assert same.uuid == "h-2"

        later = "2090-01-01T00:00:00Z"
        newer = {"id": "h-1", "start": bank, "end": bank + 8, "tag": "evidence", "note": "here"}
        onto_same = {"id": "h-3", "start": 0, "end": 24, "note": "moved", "updated_at": later}
        file = _file_on(new_text, newer | {"updated_at": later}, onto_same)
        merge = _import_data(store, file, tmp_path / "b.json")
        assert (merge.highlights_added, merge.highlights_updated) == (0, 1)
        assert merge.highlights_present == 1
        assert store.orphans(doc.id) == [word_orphan]
        assert store.highlights() == [same, store.highlight(orphan.id)]
        placed = store.highlight(orphan.id)
        assert (placed.start, placed.quote, placed.note) == (bank, "The bank", "here")
        assert store.tag(placed.tag_id).name == "evidence"
        assert placed.updated_at == "2090-01-01T00:00:00.000Z"
    finally:
        store.close()


def test_a_cancelled_merge_leaves_nothing(linked: SqliteStore, tmp_path: Path) -> None:
    bundle = parse_native(export_native(linked), "export.json")
    other = SqliteStore.open(tmp_path / "other.claimmark")
    calls: list[int] = []

    def cancel_at_the_end() -> bool:
        calls.append(1)
        return len(calls) > 1

    with pytest.raises(Cancelled):
        merge_bundle(other, bundle, Progress(None, cancel_at_the_end))
    assert (other.documents(), other.highlights(), other.links()) == ([], [], [])
    other.close()


# Version 1, and the short form ----------------------------------------------------------------


def test_a_version_1_file_still_imports(annotated: SqliteStore, tmp_path: Path) -> None:
    data = export_native(annotated)
    v1 = copy.deepcopy(data)
    v1["version"] = 1
    for key in ("relation_types", "rating_scale", "relations", "done"):
        del v1[key]
    for d in v1["documents"]:
        del d["url"], d["page_starts"]
    for h in v1["highlights"]:
        del h["rating"]
    v1_schema = json.loads((REPO / "resources" / "claimmark-export-v1.schema.json").read_text())
    jsonschema.Draft7Validator(v1_schema).validate(v1)
    other = SqliteStore.open(tmp_path / "other.claimmark")
    _import_data(other, v1, tmp_path / "v1.json")
    again = export_native(other)
    assert again["highlights"] == data["highlights"]
    assert again["documents"] == data["documents"]
    other.close()


def _readme_example(marker: str) -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split(f"<!-- {marker} -->", 1)[1]
    return re.search(r"```json\n(.*?)```", block, re.S).group(1)  # type: ignore[union-attr]


def test_the_short_form_in_the_readme_imports(store: SqliteStore, tmp_path: Path) -> None:
    """A script's pre-annotations: documents with their text, highlights with document_id,
    start, end and tag; the rest is derived."""
    path = tmp_path / "suggestions.json"
    path.write_text(_readme_example("short form"), encoding="utf-8")
    report = import_paths(store, [path])
    assert report.refused == []
    [doc] = store.documents()
    assert doc.title == "Harbour to reopen in May"
    text = store.document(doc.id).text
    got = [(h.quote, store.tag(h.tag_id).name, h.annotator) for h in store.highlights()]
    assert got == [
        ("The harbour will reopen in May", "claim", "claim-detector"),
        ("the mayor said", "evidence", "claim-detector"),
    ]
    for h in store.highlights():
        assert text[h.start : h.end] == h.quote
        assert (h.prefix, h.suffix) == (
            text[max(0, h.start - 32) : h.start],
            text[h.end : h.end + 32],
        )
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", h.created_at)
    assert import_paths(store, [path]).merges[0][1].highlights_present == 2


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("2026-11-29T04:36:37+00:00", "2026-11-29T04:36:37.000Z"),
        ("2026-11-29T04:36:37Z", "2026-11-29T04:36:37.000Z"),
        ("2026-11-29T05:36:37.5+01:00", "2026-11-29T04:36:37.500Z"),
        ("2026-11-28T23:36:37.123456-05:00", "2026-11-29T04:36:37.123Z"),
        ("2026-11-29 04:36:37z", "2026-11-29T04:36:37.000Z"),
    ],
)
def test_any_rfc_3339_time_is_stored_in_the_exports_form(
    store: SqliteStore, tmp_path: Path, given: str, stored: str
) -> None:
    data = _one_highlight_file("Rates rose.\n", "claim", "", None, given)
    _import_data(store, data, tmp_path / "t.json")
    [h] = store.highlights()
    assert h.updated_at == stored


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["highlights"][0].update(updated_at="2026-02-31T00:00:00Z"), "not an RFC 3339"),
        (lambda d: d["highlights"][0].update(updated_at="2026-11-29T04:36:37"), "does not match"),
        (lambda d: d["highlights"][0].update(quote="Rated"), "its quote does not match"),
        (lambda d: d["documents"][0].update(sha256="0" * 64), "sha256 does not match"),
        (lambda d: d["highlights"][0].pop("tag"), '"tag" is a required property'),
        (
            lambda d: d.update(tags=[{"name": "claim"}]) or d["highlights"][0].update(tag="x"),
            "not in the file's tags",
        ),
        (lambda d: d.update(rating_scale=[]), "not in the file's rating_scale"),
        (
            lambda d: d.update(
                relations=[
                    {"from_id": "h-1", "to_id": "h-1", "type": "supports", "created_at": "then"}
                ]
            ),
            "does not match",
        ),
    ],
)
def test_what_is_given_is_checked(
    store: SqliteStore, tmp_path: Path, change: Any, message: str
) -> None:
    data = _one_highlight_file("Rates rose.\n", "claim", "", "False", "2026-01-01T00:00:00Z")
    data["highlights"][0]["quote"] = "Rates"
    change(data)
    path = tmp_path / "bad.json"
    path.write_bytes(orjson.dumps(data))
    report = import_paths(store, [path])
    assert len(report.refused) == 1
    assert message in report.refused[0].reason
    assert store.documents() == []


def test_links_from_a_script_to_highlights_the_project_has(
    store: SqliteStore, tmp_path: Path
) -> None:
    """A link may name a highlight of the project by its id, and a relation type by name."""
    [doc] = store.add_documents(
        [NewDocument(text="Rates rose. Wages fell.\n", title="T", source="t")]
    )
    rates = store.add_highlight(doc.id, 0, 11, 1)
    data = {
        "format": "claimmark",
        "version": 2,
        "documents": [{"id": 7, "text": "Rates rose. Wages fell.\n"}],
        "highlights": [{"id": "w", "document_id": 7, "start": 12, "end": 23, "tag": "evidence"}],
        "relations": [{"from_id": "w", "to_id": rates.uuid, "type": "contradicts"}],
    }
    merge = _import_data(store, data, tmp_path / "links.json")
    assert (merge.highlights_added, merge.links_added, merge.relation_types_added) == (
        1,
        1,
        ["contradicts"],
    )
    [link] = store.links()
    assert (store.highlight(link.from_id).quote, link.to_id) == ("Wages fell.", rates.id)


def test_texts_come_in_pieces_that_split_no_character(
    linked: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A document's text is read and escaped a piece at a time; a piece boundary inside a
    character of several bytes, or next to what JSON escapes, changes nothing."""
    tricky = "".join(TRICKY_TEXT) + 'é字🇺🇦\u2029\t"\\' * 7 + "\n"
    linked.add_documents([NewDocument(text=tricky, title="tricky", source="t")])
    whole = render_bytes(linked, "json")
    for size in (1, 2, 3, 5, 7):
        monkeypatch.setattr(SqliteStore, "_TEXT_PIECE", size)
        again = render_bytes(linked, "json")
        assert again == whole.replace(_exported_at(whole).encode(), _exported_at(again).encode())
    assert whole == _reference(linked, HighlightFilter(), _exported_at(whole))
