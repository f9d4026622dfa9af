"""Word documents (.docx), read with python-docx: each paragraph a line of the document's text
(a table row too, its cells separated by tabs), the title, author and date from the document's
properties. (Named `word` so as not to hide python-docx's own `docx`.)

python-docx is imported when a document is read, so that the window and the command line start
without it.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from desktop.core.errors import InputRefused
from desktop.core.extracted_text import choose_title, iso_date, tidy
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import NewDocument
from desktop.core.textfile import read_bytes

SUFFIXES = (".docx",)
MAX_DOCX_BYTES = 128 * 1024 * 1024  # pictures make a .docx large; its text stays small
_MAIN_PART = "word/document.xml"


def _lines(document: Any) -> list[str]:
    from docx.table import Table

    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell comes once per column it spans
                    value = " ".join(cell.text.split())
                    if not cells or value != cells[-1]:
                        cells.append(value)
                lines.append("\t".join(cells))
        else:
            lines.append(block.text)
    return [line for line in lines if line.strip()]


def document_from_docx(path: Path) -> NewDocument:
    """A .docx file as one document, or InputRefused saying why it cannot be read."""
    import io

    import docx  # here, not at the top: see the module's docstring
    from docx.opc.exceptions import OpcError
    from lxml.etree import LxmlError

    data = read_bytes(path, MAX_DOCX_BYTES)
    if not data:
        raise InputRefused(path, "the file is empty")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputRefused(
            path, "not a Word document (.docx): an older .doc, or damaged? Save it as .docx"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            has_document = _MAIN_PART in archive.namelist()
        if not has_document:
            raise InputRefused(path, "a zip archive without a Word document in it, not a .docx")
        document = docx.Document(io.BytesIO(data))
        text = tidy("\n".join(_lines(document)))
        properties = document.core_properties
        title, author, created = properties.title, properties.author, properties.created
    except (KeyError, ValueError, zipfile.BadZipFile, OpcError, LxmlError) as e:
        raise InputRefused(path, f"a damaged Word document ({e})") from None
    if not text.strip():
        raise InputRefused(path, "the Word document holds no text")
    return NewDocument(
        text=text + "\n",
        title=choose_title([title or ""], text, path),
        source=path.name,
        author=" ".join((author or "").split()),
        published=iso_date(created),
    )


def _read(probe: Probe) -> list[NewDocument]:
    return [document_from_docx(probe.path)]


FORMAT = FileFormat(
    "docx",
    "Word documents",
    SUFFIXES,
    recognise=lambda probe: not probe.is_folder and probe.suffix in SUFFIXES,
    read=_read,
)
