"""Documents: plain text and Markdown files, one document per article of a digest.

The file's text is decoded exactly (see textfile.py); a digest of several articles becomes one
document per article, each the exact slice of the file from its title line to the next title.
"""

from __future__ import annotations

from pathlib import Path

from desktop.core.digest import split_articles
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import NewDocument
from desktop.core.textfile import name_as_text


def documents_from_text(text: str, source: str) -> list[NewDocument]:
    """Split a decoded file into documents (one per article of a digest)."""
    source = name_as_text(source)
    fallback = Path(source).stem or source
    return [
        NewDocument(
            text=text[a.start : a.end],
            title=a.title,
            source=source,
            source_offset=a.start,
            author=a.author,
            outlet=a.outlet,
            published=a.published,
        )
        for a in split_articles(text, fallback_title=fallback)
    ]


def _read(probe: Probe) -> list[NewDocument]:
    return documents_from_text(probe.text, probe.path.name)


FORMAT = FileFormat(
    "text",
    "Text and Markdown documents",
    (".txt", ".text", ".md", ".markdown"),
    # Whatever no other format claims, but JSON (by its name or its first characters): that
    # is refused.
    recognise=lambda probe: not probe.is_folder and not probe.is_json,
    read=_read,
)
