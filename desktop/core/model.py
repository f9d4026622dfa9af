"""The records of a project: documents, tags and highlights.

Offsets (`start`, `end`) are Unicode code points into the document's stored text, half-open,
so that `text[start:end] == quote` holds in Python.
"""

from __future__ import annotations

import hashlib
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from desktop.core.errors import ClaimmarkError

# What a project may hold: exactly what its JSON export can carry (the export's JSON Schema has
# the same numbers, and a test holds them together). The store refuses anything beyond them,
# so every way in (the window, each import format) keeps the project exportable.
MAX_TAG_NAME_CHARS = 200
MAX_ID_CHARS = 200  # a highlight's id (a UUID when claimmark makes it)
MAX_ANNOTATOR_CHARS = 200
MAX_NOTE_CHARS = 100_000  # about 20 pages: a note, not a document
MAX_TITLE_CHARS = 1_000  # a document's title, as the window lets one be edited
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def sha256_text(text: str) -> str:
    """The hash that identifies a document: sha256 of its text in UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class NewDocument:
    """A document about to be stored: what an importer produces."""

    text: str
    title: str
    source: str
    source_offset: int = 0
    author: str = ""
    outlet: str = ""
    published: str = ""  # ISO date (YYYY-MM-DD) or empty when unknown
    url: str = ""  # the web address it came from or names as its own, or ""
    page_starts: tuple[int, ...] = ()  # where each page starts (a PDF's), or () for no pages


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A stored document without its text (cheap to list)."""

    id: int
    title: str
    author: str
    outlet: str
    published: str
    source: str
    source_offset: int
    sha256: str
    imported_at: str
    length: int  # in code points
    url: str = ""
    page_starts: tuple[int, ...] = ()  # code point offset where each page starts; () for none

    def page_of(self, offset: int) -> int | None:
        """The page (from 1) the code point at `offset` is on, or None without a page map."""
        return page_of(self.page_starts, offset)

    def pages_of(self, start: int, end: int) -> str:
        """Where the span start..end is, for people: "page 3", "pages 3–4", or ""."""
        return describe_pages(self.page_starts, start, end)


def page_of(page_starts: tuple[int, ...], offset: int) -> int | None:
    """The page (from 1) holding the code point at `offset`, given where each page starts."""
    if not page_starts:
        return None
    return max(1, bisect_right(page_starts, offset))


def describe_pages(page_starts: tuple[int, ...], start: int, end: int) -> str:
    """ "page 3" or "pages 3–4" for the half-open span start..end; "" without a page map."""
    first = page_of(page_starts, start)
    if first is None:
        return ""
    last = page_of(page_starts, max(start, end - 1))
    return f"page {first}" if last == first else f"pages {first}–{last}"


@dataclass(frozen=True, slots=True)
class Document:
    """A stored document with its text."""

    info: DocumentInfo
    text: str = field(repr=False)

    @property
    def id(self) -> int:
        return self.info.id

    @property
    def title(self) -> str:
        return self.info.title


@dataclass(frozen=True, slots=True)
class DocumentVersion:
    """An earlier text of a document, kept when a new version replaced it: the document as it
    was then (its info carries the document's id), and when it was replaced."""

    id: int
    document: Document
    replaced_at: str

    @property
    def document_id(self) -> int:
        return self.document.id


@dataclass(frozen=True, slots=True)
class Tag:
    """A kind of passage (claim, evidence, opinion...) with its colour and keyboard key."""

    id: int
    name: str
    colour: str  # "#rrggbb"
    key: str  # one character, or "" for none
    position: int


@dataclass(frozen=True, slots=True)
class RelationType:
    """A kind of link between highlights (supports, attacks...), kept like a tag."""

    id: int
    name: str
    colour: str  # "#rrggbb"
    key: str  # one character, or "" for none
    position: int


@dataclass(frozen=True, slots=True)
class Rating:
    """A verdict on a claim, from the project's rating scale ("Mostly false"), with its place on
    the scale (`value`: the highest is the best rating, the lowest the worst)."""

    id: int
    name: str
    value: int
    colour: str  # "#rrggbb"
    key: str  # one character, or "" for none


class Highlight(NamedTuple):
    """A tagged passage of a document.

    A NamedTuple rather than a dataclass: exports and imports make 100,000 of these, and a
    tuple is made several times faster than a frozen dataclass.
    """

    id: int
    uuid: str
    document_id: int
    start: int
    end: int
    tag_id: int
    quote: str
    prefix: str
    suffix: str
    note: str
    annotator: str
    created_at: str
    updated_at: str
    rating_id: int | None = None  # a verdict from the rating scale (on claims)
    # An orphan: a highlight that re-anchoring could not place in its document's new text.
    # Its offsets, quote and context stay those it had in the version of the text it was
    # orphaned from (the id of that DocumentVersion); None for a highlight placed in the text.
    orphaned_version: int | None = None

    @property
    def orphaned(self) -> bool:
        """Whether this highlight is an orphan: kept, but in no place of the current text."""
        return self.orphaned_version is not None


class Link(NamedTuple):
    """A typed link from one highlight to another ("this evidence supports that claim"), in the
    same document or across documents."""

    id: int
    uuid: str
    from_id: int  # highlight ids
    to_id: int
    type_id: int
    note: str
    annotator: str
    created_at: str
    updated_at: str


# What the highlighter needs of a highlight: (start, end, id, tag_id, rating_id, annotator), so
# that plain tuple order is start order. Plain tuples, because a document may have 100,000 of
# them, read in one go.
Span = tuple[int, int, int, int, int | None, str]

# What the highlight list keeps of every highlight, read in one go for the whole project:
# (id, document_id, start, end, tag_id, annotator, created_at, rating_id). Quotes and notes are
# read for the rows on screen only.
HighlightRow = tuple[int, int, int, int, int, str, str, int | None]


@dataclass(frozen=True, slots=True)
class HighlightFilter:
    """Which highlights an export or a listing covers; an empty field means all."""

    tag_names: tuple[str, ...] = ()
    document_ids: tuple[int, ...] = ()
    annotators: tuple[str, ...] = ()
    text: str = ""  # matched case-insensitively against quote and note
    # False: the highlights placed in the text (what views and exports show); True: orphans
    # only; None: both.
    orphaned: bool | None = False


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """A backup copy of a project, with what it holds."""

    path: Path
    made_at: datetime  # UTC
    documents: int
    highlights: int


def tag_name_problem(name: str, what: str = "tag") -> str | None:
    """Why `name` cannot be the name of a tag (or of a link type, a rating: `what`), or None."""
    if not name.strip():
        return f"a {what} needs a name"
    if name != name.strip():
        return f"a {what} name cannot start or end with a space"
    if len(name) > MAX_TAG_NAME_CHARS:
        return f"a {what} name may not be longer than {MAX_TAG_NAME_CHARS} characters"
    return None


def note_problem(note: str) -> str | None:
    if len(note) > MAX_NOTE_CHARS:
        return f"a note may not be longer than {MAX_NOTE_CHARS:,} characters"
    return None


def highlight_problem(
    uuid: str, note: str, annotator: str, created_at: str, updated_at: str
) -> str | None:
    """Why a highlight with these fields cannot be stored (its export could not carry it), or
    None. The offsets and the quote are checked against the text where it is known."""
    if (  # the common case, in one test: an import checks 100,000 highlights twice
        0 < len(uuid) <= MAX_ID_CHARS
        and len(note) <= MAX_NOTE_CHARS
        and len(annotator) <= MAX_ANNOTATOR_CHARS
        and is_timestamp(created_at)
        and is_timestamp(updated_at)
    ):
        return None
    if not 0 < len(uuid) <= MAX_ID_CHARS:
        return f"its id is empty or longer than {MAX_ID_CHARS} characters"
    problem = note_problem(note)
    if problem:
        return problem
    if len(annotator) > MAX_ANNOTATOR_CHARS:
        return f"its annotator's name is longer than {MAX_ANNOTATOR_CHARS} characters"
    for what, moment in (("creation", created_at), ("change", updated_at)):
        if not is_timestamp(moment):
            return (
                f"its {what} time “{moment[:40]}” is not a UTC time like 2026-11-24T03:12:51.123Z"
            )
    return None


@lru_cache(maxsize=4096)
def is_timestamp(text: str) -> bool:
    """Whether `text` is a time as stored (UTC, like 2026-11-24T03:12:51.123Z). Remembered:
    the highlights of an import share a few times, and each is checked twice."""
    return TIMESTAMP.fullmatch(text) is not None


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_document_details(title: str, published: str) -> None:
    """Refuse a document's details that no export could carry: an empty or too long title, a
    date not of the form YYYY-MM-DD."""
    if not title.strip():
        raise ClaimmarkError("A document needs a title.")
    if len(title) > MAX_TITLE_CHARS:
        raise ClaimmarkError(f"A title may be at most {MAX_TITLE_CHARS:,} characters.")
    if published:
        try:
            date.fromisoformat(published)
        except ValueError:
            raise ClaimmarkError(
                f"“{published}” is not a date of the form YYYY-MM-DD (or leave it empty)."
            ) from None
        if not _ISO_DATE.fullmatch(published):
            raise ClaimmarkError(f"“{published}” is not a date of the form YYYY-MM-DD.")
