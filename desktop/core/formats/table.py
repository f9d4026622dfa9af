"""CSV: one row per highlight, for spreadsheets and pandas. (Named `table` so as not to hide the
standard library's `csv`.)

The file is UTF-8 and starts with a byte order mark. Excel reads a CSV without one in the
Windows code page, which garbles the typographic quotes and dashes every news article has;
LibreOffice and pandas recognise the mark and drop it. In Python, open the file with
`encoding="utf-8-sig"` (and `newline=""`, as the csv module asks). Quoting is the csv module's own
(minimal, RFC 4180): fields with commas, quotes or line breaks are quoted, rows end in CRLF.
Offsets are code points, half-open, as everywhere in claimmark.

Spreadsheets run a cell that starts with `=`, `+`, `-` or `@` as a formula (`=HYPERLINK(…)`
becomes a live link, `=cmd|…` has run programs), and some take a leading tab or carriage return
the same way. Titles, quotes, notes, tag names and annotators come from articles and from
other people, so by default every text cell that starts with one of these gets a `'` in front,
as OWASP advises against CSV injection: spreadsheets show the cell as text (and hide the `'`).
`exact=True` (the `csv-exact` format) writes the cells as they are, for pandas or R; such a
file must not be opened in a spreadsheet.
"""

from __future__ import annotations

import csv
import io

from desktop.core.fileformat import FileFormat
from desktop.core.model import HighlightFilter
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = (
    "id",
    "document_id",
    "document_title",
    "start",
    "end",
    "tag",
    "quote",
    "note",
    "annotator",
    "created_at",
    "updated_at",
)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: with a `'` in front if it could be run."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def export_csv(
    store: ProjectStore,
    where: HighlightFilter = HighlightFilter(),
    progress: Progress | None = None,
    *,
    exact: bool = False,
) -> str:
    """The highlights `where` selects as CSV text (with its byte order mark); text cells that a
    spreadsheet would run are neutralised unless `exact`."""
    progress = progress or Progress()
    safe = (lambda cell: cell) if exact else neutralise
    tag_names = {t.id: t.name for t in store.tags()}
    titles = {d.id: d.title for d in store.documents()}
    highlights = store.highlights(where)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for done, h in enumerate(highlights):
        progress.step(done, len(highlights))
        writer.writerow(
            (
                safe(h.uuid),
                h.document_id,
                safe(titles[h.document_id]),
                h.start,
                h.end,
                safe(tag_names[h.tag_id]),
                safe(h.quote),
                safe(h.note),
                safe(h.annotator),
                h.created_at,
                h.updated_at,
            )
        )
    progress.step(len(highlights), len(highlights))
    return out.getvalue()


FORMAT = FileFormat(
    "csv",
    "CSV, one row per highlight (for spreadsheets: formulas neutralised)",
    (".csv",),
    recognise=lambda probe: probe.first_line.lstrip(BOM).startswith(",".join(COLUMNS[:6]) + ","),
    refusal="a claimmark CSV export; CSV cannot be imported back (import the JSON export)",
    render=export_csv,
)

EXACT_FORMAT = FileFormat(
    "csv-exact",
    "CSV with every cell exact (for pandas or R, not spreadsheets)",
    (".csv",),
    render=lambda store, where, progress: export_csv(store, where, progress, exact=True),
)
