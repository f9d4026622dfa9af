"""Web pages saved as HTML: the article in them, found by trafilatura, with its metadata.

trafilatura takes the main text out of the page (leaving menus, advertisements, comments and
footers) with the title, author, site name, date and canonical address. Each paragraph becomes
a line of the document's text, the title its first line, as a plain-text article has them.
(Named `webpage` so as not to hide the standard library's `html`.)

trafilatura takes about half a second to import: it is imported when a page is read, so that
the window and the command line start without it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from desktop.core.errors import InputRefused
from desktop.core.extracted_text import choose_title, iso_date, tidy
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import NewDocument
from desktop.core.textfile import MAX_DOCUMENT_BYTES, read_bytes
from desktop.core.wording import counted

SUFFIXES = (".html", ".htm", ".xhtml")
# Fewer words than this outside menus, forms and footers is a login page, a cookie wall or an
# index, not an article.
MIN_ARTICLE_WORDS = 25
# Browsers mark a saved page with where it came from: <!-- saved from url=(0045)https://… -->
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(https?://[^\s>]+?)\s*-->", re.I)


def _extract(data: bytes, url: str) -> Any:
    import trafilatura  # here, not at the top: see the module's docstring

    return trafilatura.bare_extraction(
        data,
        url=url or None,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        # Precision: with the default balance, the teasers of other stories under a short
        # article came into 15 of 60 generated news pages; with precision none did, and no
        # paragraph of an article was lost.
        favor_precision=True,
        # Dates from the page's markup only: the extensive search took "© 2024" in a footer
        # for a publication date.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )


def document_from_html(data: bytes, path: str | Path, url: str = "") -> NewDocument:
    """The article of a page as a document, or InputRefused naming `path` when it has none.
    `url` is where the page came from, if it was fetched; a canonical address in the page
    wins over it."""
    if not data.strip():
        raise InputRefused(path, "the file is empty")
    try:
        found = _extract(data, url)
    except (ValueError, TypeError) as e:  # lxml's refusal of what is not markup at all
        raise InputRefused(path, f"cannot be read as a web page ({e})") from None
    body = tidy(found.text or "") if found is not None else ""
    words = len(body.split())
    if words < MIN_ARTICLE_WORDS:
        raise InputRefused(
            path,
            "no article found in the page"
            + (
                f" (only {counted(words, 'word')} outside menus, forms and footers)"
                if words
                else ""
            ),
        )
    title = choose_title([found.title or ""], body, path)
    text = body if body.split("\n", 1)[0].strip() == title else f"{title}\n{body}"
    return NewDocument(
        text=text + "\n",
        title=title,
        source=Path(str(path)).name,
        author=found.author or "",
        outlet=found.sitename or found.hostname or "",
        published=iso_date(found.date),
        url=found.url or url,
    )


def _read(probe: Probe) -> list[NewDocument]:
    data = read_bytes(probe.path, MAX_DOCUMENT_BYTES)
    saved_from = _SAVED_FROM.search(data[:4096])
    url = saved_from.group(1).decode("ascii", "replace") if saved_from else ""
    return [document_from_html(data, probe.path, url)]


FORMAT = FileFormat(
    "html",
    "Web pages",
    SUFFIXES,
    recognise=lambda probe: not probe.is_folder and probe.suffix in SUFFIXES,
    read=_read,
)
