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

Verdicts and links are columns of the same table, so that a spreadsheet user can follow them
with the ordinary Find: `verdict` is the highlight's rating ("Mostly false") or empty;
`links_out` lists the links from this highlight, one per line of the cell, as `TYPE ID` (this
highlight TYPE the highlight whose `id` is ID: "supports 5f0c…"), and `links_in` the links to
it, as `TYPE ID` (the highlight ID TYPE this one). A link to a highlight the filter left out,
or in another document, is listed all the same: its id names it.
"""

from __future__ import annotations

import csv
import io

from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import Highlight

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
    "verdict",
    "links_out",
    "links_in",
)


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: with a `'` in front if it could be run."""
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell


def export_csv(context: ExportContext, *, exact: bool = False) -> str:
    """The highlights the context selects as CSV text (with its byte order mark); text cells
    that a spreadsheet would run are neutralised unless `exact`."""
    progress = context.progress
    safe = (lambda cell: cell) if exact else neutralise
    tag_names, rating_names = context.tag_names, context.rating_names
    highlights = list(context.highlights())
    links_out, links_in = _links(context, highlights)
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
                safe(context.all_documents[h.document_id].title),
                h.start,
                h.end,
                safe(tag_names[h.tag_id]),
                safe(h.quote),
                safe(h.note),
                safe(h.annotator),
                h.created_at,
                h.updated_at,
                safe(rating_names[h.rating_id]) if h.rating_id is not None else "",
                safe("\n".join(links_out.get(h.id, ()))),
                safe("\n".join(links_in.get(h.id, ()))),
            )
        )
    progress.step(len(highlights), len(highlights))
    return out.getvalue()


def _links(
    context: ExportContext, highlights: list[Highlight]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """For each highlight, its links out and in as `TYPE ID` lines (ID: the other end's id)."""
    uuids = {h.id: h.uuid for h in highlights}
    links = context.links_touching(uuids)
    for link in links:  # ends the filter left out
        for end in (link.from_id, link.to_id):
            if end not in uuids:
                uuids[end] = context.store.highlight(end).uuid
    types = context.relation_type_names
    out: dict[int, list[str]] = {}
    into: dict[int, list[str]] = {}
    for link in links:
        out.setdefault(link.from_id, []).append(f"{types[link.type_id]} {uuids[link.to_id]}")
        into.setdefault(link.to_id, []).append(f"{types[link.type_id]} {uuids[link.from_id]}")
    return out, into


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
    render=lambda context: export_csv(context, exact=True),
)
