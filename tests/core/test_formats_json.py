"""claimmark JSON with the tricky highlights: json -> import -> json is lossless."""

from __future__ import annotations

from pathlib import Path

from desktop.core.exporting import export_to_path
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore


def test_round_trip_json_import_json(annotated: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    export_to_path(annotated, "json", path)
    first = export_native(annotated)
    for h in first["highlights"]:
        text = next(d["text"] for d in first["documents"] if d["id"] == h["document_id"])
        assert text[h["start"] : h["end"]] == h["quote"]
    other = SqliteStore.open(tmp_path / "other.claimmark")
    assert import_paths(other, [path]).refused == []
    second = export_native(other)
    first.pop("exported_at")
    second.pop("exported_at")
    assert second == first
    other.close()
