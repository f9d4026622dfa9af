"""doccano JSONL export: one document per line, labels in code points."""

from __future__ import annotations

import json

from desktop.core.formats.doccano import export_jsonl
from desktop.core.model import HighlightFilter, NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.core.conftest import documents, highlights


def test_one_line_per_document_with_exact_labels(annotated: SqliteStore) -> None:
    text = export_jsonl(annotated)
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
    text = export_jsonl(annotated, HighlightFilter(document_ids=(doc.id,)))
    [line] = text.splitlines()
    assert json.loads(line) == {"id": doc.id, "text": odd, "label": [[0, len(odd) - 1, "claim"]]}


def test_filters_keep_selected_documents_and_their_matching_labels(annotated: SqliteStore) -> None:
    text = export_jsonl(annotated, HighlightFilter(tag_names=("opinion",), document_ids=(1, 2)))
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["id"] for r in records] == [1, 2]
    assert all(label[2] == "opinion" for r in records for label in r["label"])
    assert all(len(r["label"]) == 1 for r in records)
