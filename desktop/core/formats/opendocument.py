"""OpenDocument text (.odt, LibreOffice's own), read with odfpy: each paragraph and heading a
line of the document's text, the title, author and date from its metadata.

odfpy is imported when a document is read, so that the window and the command line start
without it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax import SAXException

from desktop.core.errors import InputRefused
from desktop.core.extracted_text import choose_title, iso_date, tidy
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import NewDocument
from desktop.core.textfile import read_bytes

SUFFIXES = (".odt",)
MAX_ODT_BYTES = 128 * 1024 * 1024
_TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_BLOCKS = {(_TEXT_NS, "p"), (_TEXT_NS, "h")}
_SKIPPED = {(_TEXT_NS, "note"), (_TEXT_NS, "tracked-changes")}  # footnotes, deleted text


def _blocks(node: Any) -> Iterator[Any]:
    """Paragraphs and headings in reading order (in lists and tables too), but not those of
    footnotes or of tracked deletions."""
    for child in node.childNodes:
        name = getattr(child, "qname", None)
        if name in _BLOCKS:
            yield child
        elif name not in _SKIPPED:
            yield from _blocks(child)


def _block_text(node: Any) -> str:
    """A paragraph's text: odfpy's, without the footnotes inside it."""
    from odf import teletype

    for note in [c for c in node.childNodes if getattr(c, "qname", None) in _SKIPPED]:
        node.removeChild(note)
    return str(teletype.extractText(node))


def _meta(document: Any, *names: str) -> str:
    """The first of these metadata elements that has a value ("" if none does)."""
    from odf import teletype

    for name in names:
        for element in document.meta.childNodes:
            if getattr(element, "tagName", None) == name:
                value = str(teletype.extractText(element)).strip()
                if value:
                    return value
    return ""


def document_from_odt(path: Path) -> NewDocument:
    """An .odt file as one document, or InputRefused saying why it cannot be read."""
    from odf.opendocument import load  # here, not at the top: see the module's docstring

    data = read_bytes(path, MAX_ODT_BYTES)
    if not data:
        raise InputRefused(path, "the file is empty")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise InputRefused(path, "not an OpenDocument text (.odt): damaged, or another kind")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "content.xml" not in archive.namelist():
                raise InputRefused(path, "a zip archive without a document in it, not an .odt")
        document = load(io.BytesIO(data))
        lines = (_block_text(block) for block in _blocks(document.text))
        text = tidy("\n".join(line for line in lines if line.strip()))
        title = _meta(document, "dc:title")
        author = _meta(document, "dc:creator", "meta:initial-creator")
        created = _meta(document, "meta:creation-date", "dc:date")
    except (KeyError, ValueError, zipfile.BadZipFile, SAXException) as e:
        raise InputRefused(path, f"a damaged OpenDocument text ({e})") from None
    if not text.strip():
        raise InputRefused(path, "the document holds no text")
    return NewDocument(
        text=text + "\n",
        title=choose_title([title], text, path),
        source=path.name,
        author=author,
        published=iso_date(created),
    )


def _read(probe: Probe) -> list[NewDocument]:
    return [document_from_odt(probe.path)]


FORMAT = FileFormat(
    "odt",
    "OpenDocument text",
    SUFFIXES,
    recognise=lambda probe: not probe.is_folder and probe.suffix in SUFFIXES,
    read=_read,
)
