"""doccano JSONL export: one document per line, labels in code points."""

from __future__ import annotations

import json
from pathlib import Path

from desktop.core.fileformat import ExportContext
from desktop.core.formats.doccano import export_jsonl
from desktop.core.model import HighlightFilter, NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.core.conftest import documents, highlights


def test_one_line_per_document_with_exact_labels(annotated: SqliteStore) -> None:
    text = export_jsonl(ExportContext(annotated))
    lines = text.split("\n")
    assert lines[-1] == ""
    records = [json.loads(line) for line in lines[:-1]]
    assert [r["id"] for r in records] == [d["id"] for d in documents(annotated)]
    by_document: dict[int, list[list[object]]] = {}
    for h in highlights(annotated):
        by_document.setdefault(h["document_id"], []).append([h["start"], h["end"], h["tag"]])
    for record, doc in zip(records, documents(annotated), strict=True):
        assert set(record) == {"id", "text", "label"}
        assert record["text"] == doc["text"]
        assert sorted(record["label"]) == sorted(by_document[doc["id"]])
        for start, end, _tag in record["label"]:
            assert any(
                h["quote"] == record["text"][start:end]
                for h in highlights(annotated)
                if h["document_id"] == doc["id"] and (h["start"], h["end"]) == (start, end)
            )
    emoji = next(r for r in records if r["text"].startswith("Kyiv"))
    assert [18, 20, "claim"] in emoji["label"]  # the flag: two code points
    assert [len(emoji["text"]) - 2, len(emoji["text"]) - 1, "needs_source"] in emoji["label"]


def test_lines_survive_splitlines(annotated: SqliteStore) -> None:
    """U+2028 and friends are escaped, so no tool that splits lines sees a line break inside one."""
    odd = "Line\u2028separator, paragraph\u2029separator and next\x85line.\n"
    [doc] = annotated.add_documents([NewDocument(text=odd, title="odd", source="odd.txt")])
    annotated.add_highlight(doc.id, 0, len(odd) - 1, 1)
    text = export_jsonl(ExportContext(annotated, HighlightFilter(document_ids=(doc.id,))))
    [line] = text.splitlines()
    assert json.loads(line) == {"id": doc.id, "text": odd, "label": [[0, len(odd) - 1, "claim"]]}


def test_filters_keep_selected_documents_and_their_matching_labels(annotated: SqliteStore) -> None:
    text = export_jsonl(
        ExportContext(annotated, HighlightFilter(tag_names=("opinion",), document_ids=(1, 2)))
    )
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in records] == [1, 2]
    assert all(label[2] == "opinion" for r in records for label in r["label"])
    assert all(len(r["label"]) == 1 for r in records)


def _dropped_by_doccano(labels: list[list[object]]) -> int:
    """How many labels doccano 1.8's import drops from one document in a project that does not
    allow overlapping spans (the default): sorted by start, a label starting before the end of
    the last one kept is left out."""
    kept_end, dropped = -1, 0
    for start, end, _ in sorted(labels, key=lambda label: label[0]):  # type: ignore[arg-type, return-value]
        if start >= kept_end:  # type: ignore[operator]
            kept_end = end  # type: ignore[assignment]
        else:
            dropped += 1
    return dropped


def test_labels_doccano_would_drop_are_counted_and_how_to_keep_them_is_said(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    from desktop.core.exporting import export_to_path

    records = [json.loads(line) for line in export_jsonl(ExportContext(annotated)).splitlines()]
    dropped = sum(_dropped_by_doccano(r["label"]) for r in records)
    assert dropped > 0
    result = export_to_path(annotated, "jsonl", tmp_path / "out.jsonl")
    said = "\n".join(result.notes)
    assert f"{dropped} labels overlap" in said
    assert "Allow overlapping spans" in said
    assert "beyond U+FFFF" in said  # the emoji document: doccano counts UTF-16 units
    # Written all the same: the format holds them.
    written = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert written == records
