"""One set of limits for every way in and the way out.

Whatever a project holds, its JSON export must pass the export's schema and import back: so the
store refuses what the schema would (an over-long tag name, note or annotator, an id too long,
a time not in the export's form), whichever way it comes in (the window, claimmark JSON, W3C,
brat), and an import skips such a highlight by name instead of storing it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import orjson
import pytest

from desktop.core import model
from desktop.core.bundled import resource
from desktop.core.errors import ClaimmarkError
from desktop.core.formats import native, w3c
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore

TEXT = "The mayor said the budget was balanced. Critics disagreed.\n"
LONG_TAG = "t" * 10_000


@pytest.fixture
def project(tmp_path: Path) -> SqliteStore:
    store = SqliteStore.open(tmp_path / "p.claimmark")
    store.add_documents([NewDocument(text=TEXT, title="Budget", source="b.txt")])
    return store


def _annotation(n: int, **changes: Any) -> dict[str, Any]:
    start = TEXT.index("budget")
    anno: dict[str, Any] = {
        "@context": w3c.CONTEXT,
        "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "type": "Annotation",
        "created": "2024-03-28T10:00:00Z",
        "creator": {"type": "Person", "name": "ana"},
        "body": [{"type": "TextualBody", "purpose": "tagging", "value": "claim"}],
        "target": {
            "source": f"urn:sha256:{model.sha256_text(TEXT)}",
            "selector": [
                {"type": "TextQuoteSelector", "exact": "budget"},
                {"type": "TextPositionSelector", "start": start, "end": start + 6},
            ],
        },
    }
    for key, value in changes.items():
        if key == "tag":
            anno["body"][0]["value"] = value
        elif key == "note":
            anno["body"].append({"type": "TextualBody", "purpose": "commenting", "value": value})
        elif key == "annotator":
            anno["creator"]["name"] = value
        else:
            anno[key] = value
    return anno


CROSSING = {
    "a 10,000-character tag name": {"tag": LONG_TAG},
    "a note over the limit": {"note": "n" * (model.MAX_NOTE_CHARS + 1)},
    "an annotator over the limit": {"annotator": "a" * (model.MAX_ANNOTATOR_CHARS + 1)},
}


def test_a_w3c_import_keeps_the_project_exportable_and_importable(
    project: SqliteStore, tmp_path: Path
) -> None:
    items = [_annotation(0), _annotation(9, created="0999-01-02T03:04:05Z")]
    items += [_annotation(n, **c) for n, c in enumerate(CROSSING.values(), start=1)]
    path = tmp_path / "annotations.jsonld"
    path.write_text(json.dumps(items), encoding="utf-8")
    report = import_paths(project, [path])
    assert report.refused == []
    [(_, merge)] = report.merges
    assert merge.highlights_added == 2  # the plain one, and the one from the year 999
    assert len(merge.skipped) == len(CROSSING)
    assert any(f"longer than {model.MAX_TAG_NAME_CHARS} characters" in s for s in merge.skipped)
    assert LONG_TAG not in {t.name for t in project.tags()}

    # The way out, and in again.
    exported = tmp_path / "export.json"
    exported.write_bytes(orjson.dumps(native.export_native(project)))
    other = SqliteStore.open(tmp_path / "other.claimmark")
    again = import_paths(other, [exported])
    assert again.refused == []
    assert {h.created_at for h in other.highlights()} == {
        "2024-03-28T10:00:00.000Z",
        "0999-01-02T03:04:05.000Z",
    }


def test_a_brat_type_name_over_the_limit_is_skipped(project: SqliteStore, tmp_path: Path) -> None:
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "a.ann").write_text(
        f"T1\t{'x' * 300} 4 9\tmayor\nT2\tclaim 14 18\tsaid\n", encoding="utf-8"
    )
    [(_, merge)] = import_paths(project, [folder]).merges
    assert merge.highlights_added == 1
    assert [s for s in merge.skipped if "longer than" in s]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda s: s.add_tag("x" * (model.MAX_TAG_NAME_CHARS + 1), "#000000"), "tag name"),
        (lambda s: s.update_tag(1, name="y" * (model.MAX_TAG_NAME_CHARS + 1)), "tag name"),
        (lambda s: s.add_highlight(1, 0, 3, 1, note="n" * (model.MAX_NOTE_CHARS + 1)), "note"),
        (
            lambda s: s.update_highlight(
                s.add_highlight(1, 0, 3, 1).id, note="n" * (model.MAX_NOTE_CHARS + 1)
            ),
            "note",
        ),
        (
            lambda s: s.insert_highlights(
                [s.add_highlight(1, 4, 9, 1)._replace(uuid="u" * 201)], keep_ids=False
            ),
            "id",
        ),
        (
            lambda s: s.insert_highlights(
                [s.add_highlight(1, 4, 9, 1)._replace(uuid="x", created_at="yesterday")],
                keep_ids=False,
            ),
            "time",
        ),
    ],
)
def test_the_store_refuses_what_the_export_could_not_carry(
    project: SqliteStore, change: Any, match: str
) -> None:
    with pytest.raises(ClaimmarkError, match=match):
        change(project)


@pytest.mark.parametrize("schema_file", [native.SCHEMA_FILE, native.IMPORT_SCHEMA_FILE])
def test_the_limits_are_the_schemas(schema_file: str) -> None:
    """The export's schema and the looser one imports are checked by hold the same limits."""
    schema = json.loads(resource(schema_file).read_text(encoding="utf-8"))
    tag = schema["definitions"]["named"]["properties"]
    highlight = schema["properties"]["highlights"]["items"]["properties"]
    link = schema["properties"]["relations"]["items"]["properties"]
    assert tag["name"]["maxLength"] == model.MAX_TAG_NAME_CHARS
    for fields in (highlight, link):
        assert fields["id"]["maxLength"] == model.MAX_ID_CHARS
        assert fields["note"]["maxLength"] == model.MAX_NOTE_CHARS
        assert fields["annotator"]["maxLength"] == model.MAX_ANNOTATOR_CHARS
    if schema_file == native.SCHEMA_FILE:
        assert schema["definitions"]["timestamp"]["pattern"] == model.TIMESTAMP.pattern
