"""Every file format claimmark knows, in the order files are recognised.

Importing asks each format in turn whether a file is of its kind (a folder is brat; web pages,
PDFs and Word or OpenDocument files by their names or first bytes; JSON is a claimmark or W3C
export; a CSV or doccano export is refused by name; anything else is a plain-text document);
exporting looks a format up by name. The command line's choices and the window's file dialogs
are made from the same list, so a new format is one module and one line here.
"""

from __future__ import annotations

from desktop.core.errors import ClaimmarkError
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.formats import (
    brat,
    doccano,
    native,
    opendocument,
    pdf,
    plaintext,
    table,
    w3c,
    webpage,
    word,
)

# Recognition order: the specific before the general; plain text takes what is left. The
# binary kinds come before the formats that look into a file's text (which refuse binary data).
FORMATS: tuple[FileFormat, ...] = (
    brat.FORMAT,
    pdf.FORMAT,
    word.FORMAT,
    opendocument.FORMAT,
    webpage.FORMAT,
    native.FORMAT,
    w3c.FORMAT,
    table.FORMAT,
    doccano.FORMAT,
    plaintext.FORMAT,
)

EXPORT_FORMATS: dict[str, FileFormat] = {
    f.name: f
    for f in (
        native.FORMAT,
        w3c.FORMAT,
        table.FORMAT,
        table.EXACT_FORMAT,
        doccano.FORMAT,
        brat.FORMAT,
    )
}


def export_format(name: str) -> FileFormat:
    try:
        return EXPORT_FORMATS[name]
    except KeyError:
        raise ClaimmarkError(
            f"Unknown export format “{name}” (known: {', '.join(sorted(EXPORT_FORMATS))})."
        ) from None


def recognise(probe: Probe) -> FileFormat | None:
    """The first format that claims the probed file, or None."""
    for fmt in FORMATS:
        if fmt.recognise is not None and fmt.recognise(probe):
            return fmt
    return None


def import_file_filter() -> str:
    """A file dialog's filter for everything that can be imported from a file, then each
    importable format on its own."""
    readable = [f for f in FORMATS if f.read is not None and f.suffixes]
    patterns = sorted({f"*{s}" for f in readable for s in f.suffixes})
    lines = [f"Documents and exports ({' '.join(patterns)})"]
    lines += [f"{f.label} ({' '.join('*' + s for s in f.suffixes)})" for f in readable]
    lines.append("All files (*)")
    return ";;".join(lines)
