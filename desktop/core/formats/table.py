"""CSV: one row per highlight, for spreadsheets and pandas. (Named `table` so as not to hide the
standard library's `csv`.)

The file is UTF-8 and starts with a byte order mark. Excel reads a CSV without one in the
Windows code page, which garbles the typographic quotes and dashes every news article has;
LibreOffice and pandas recognise the mark and drop it. In Python, open the file with
`encoding="utf-8-sig"` (and `newline=""`, as the csv module asks). Quoting is the csv module's own
(minimal, RFC 4180): fields with commas, quotes or line breaks are quoted, rows end in CRLF.
Offsets are code points, half-open, as everywhere in claimmark.
"""

from __future__ import annotations

import csv
import io

from desktop.core.fileformat import FileFormat
from desktop.core.model import HighlightFilter
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore

BOM = "\ufeff"
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


def export_csv(
    store: ProjectStore,
    where: HighlightFilter = HighlightFilter(),
    progress: Progress | None = None,
) -> str:
    """The highlights `where` selects as CSV text (with its byte order mark)."""
    progress = progress or Progress()
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
                h.uuid,
                h.document_id,
                titles[h.document_id],
                h.start,
                h.end,
                tag_names[h.tag_id],
                h.quote,
                h.note,
                h.annotator,
                h.created_at,
                h.updated_at,
            )
        )
    progress.step(len(highlights), len(highlights))
    return out.getvalue()


FORMAT = FileFormat(
    "csv",
    "CSV, one row per highlight",
    (".csv",),
    recognise=lambda probe: probe.first_line.startswith(",".join(COLUMNS[:6]) + ","),
    refusal="a claimmark CSV export; CSV cannot be imported back (import the JSON export)",
    render=export_csv,
)
