"""CSV export: one row per highlight, read back exactly by Python's csv module."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from desktop.core.exporting import write_file_atomically
from desktop.core.fileformat import ExportContext
from desktop.core.formats.table import COLUMNS, export_csv
from desktop.core.model import HighlightFilter
from desktop.core.sqlite_store import SqliteStore
from tests.core.conftest import documents, highlights


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_round_trips_through_the_csv_module(annotated: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "highlights.csv"
    write_file_atomically(path, export_csv(ExportContext(annotated)))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for spreadsheets
    assert raw.split(b"\r\n", 1)[0] == b"\xef\xbb\xbf" + ",".join(COLUMNS).encode()
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    expected = highlights(annotated)
    assert len(rows) == len(expected) == 24
    titles = {d["id"]: d["title"] for d in documents(annotated)}
    for row, h in zip(
        rows, sorted(expected, key=lambda h: (h["document_id"], h["start"])), strict=True
    ):
        assert row == {
            "id": h["id"],
            "document_id": str(h["document_id"]),
            "document_title": titles[h["document_id"]],
            "start": str(h["start"]),
            "end": str(h["end"]),
            "tag": h["tag"],
            "quote": h["quote"],
            "note": h["note"],
            "annotator": h["annotator"],
            "created_at": h["created_at"],
            "updated_at": h["updated_at"],
            "verdict": "",
            "links_out": "",
            "links_in": "",
        }
    # What needed quoting was there: line breaks, commas, quotes and tabs in quotes and notes.
    joined = "".join(r["quote"] + r["note"] for r in rows)
    for needs_quoting in ("\n", ",", '"', "\t"):
        assert needs_quoting in joined


def test_offsets_are_code_points_into_the_text(annotated: SqliteStore) -> None:
    texts = {str(d["id"]): d["text"] for d in documents(annotated)}
    rows = _rows(export_csv(ExportContext(annotated)))
    for row in rows:
        assert texts[row["document_id"]][int(row["start"]) : int(row["end"])] == row["quote"]
    family = next(r for r in rows if r["quote"] == "👨\u200d👩\u200d👧")
    assert int(family["end"]) - int(family["start"]) == 5


def test_filters_apply(annotated: SqliteStore) -> None:
    rows = _rows(
        export_csv(
            ExportContext(annotated, HighlightFilter(tag_names=("opinion",), annotators=("bob",)))
        )
    )
    assert [(r["tag"], r["annotator"], r["quote"]) for r in rows] == [
        ("opinion", "bob", "the flag 🇺🇦: officials")
    ]
    assert _rows(export_csv(ExportContext(annotated, HighlightFilter(document_ids=(999,))))) == []


# Cells a spreadsheet would run as formulas ----------------------------------------------------

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r"]


def test_cells_that_a_spreadsheet_would_run_are_neutralised(
    store: SqliteStore, tmp_path: Path
) -> None:
    """OWASP's advice for CSV injection: a cell starting with = + - @ tab or carriage return
    gets a ' in front, which spreadsheets show as text. csv-exact writes the cells as they are."""
    from desktop.cli import main
    from desktop.core.model import NewDocument

    text = '=HYPERLINK("http://evil.example","click")\n-12% said +3 @all\n'
    [doc] = store.add_documents(
        [NewDocument(text=text, title=text.split("\n")[0], source="evil.txt")]
    )
    store.annotator = "@mallory"
    store.add_highlight(doc.id, 0, 10, 1, note="+1 agree")
    minus = text.index("-12%")
    store.add_highlight(doc.id, minus, minus + 4, 2, note="\tindented")
    tag = store.add_tag("=cmd|' /C calc'!A0", "#000000")
    store.add_highlight(doc.id, text.index("@all"), len(text) - 1, tag.id, note="\rreturn")

    rows = _rows(export_csv(ExportContext(store)))
    cells = [v for row in rows for k, v in row.items() if k not in ("document_id", "start", "end")]
    risky = [c for c in cells if c[:1] in FORMULA_STARTS]
    assert risky == []
    assert rows[0]["document_title"] == '\'=HYPERLINK("http://evil.example","click")'
    assert rows[0]["note"] == "'+1 agree"
    assert rows[0]["annotator"] == "'@mallory"
    assert {r["quote"] for r in rows} >= {"'-12%", "'@all"}
    assert rows[2]["tag"] == "'=cmd|' /C calc'!A0"

    exact = tmp_path / "exact.csv"
    assert main(["export", "--db", store.location, "--format", "csv-exact", "-o", str(exact)]) == 0
    with exact.open(encoding="utf-8-sig", newline="") as f:
        exact_rows = list(csv.DictReader(f))
    assert exact_rows[0]["document_title"] == text.split("\n")[0]
    assert exact_rows[1]["note"] == "\tindented"
    assert exact_rows[2]["note"] == "\rreturn"
