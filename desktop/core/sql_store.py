"""What both SQL stores do the same way: the reads and changes whose SQL SQLite and PostgreSQL
both accept, written once.

The statements here use `?` placeholders; each store runs them with `_run` (PgStore turns `?`
into psycopg's `%s`). What the two engines do differently stays in each store's own module:
how a new id comes back, transactions, errors, bulk inserts, exports and the rest.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, fields
from typing import Any, Generic, Protocol, TypeVar

from desktop.core import anchoring, store_rules
from desktop.core.errors import ClaimmarkError, NotFound
from desktop.core.model import (
    Document,
    DocumentInfo,
    Highlight,
    HighlightFilter,
    Link,
    Rating,
    RelationType,
    Span,
    Tag,
    note_problem,
)

# A document's columns are its record's fields, by name, in their order.
DOC_FIELDS = tuple(f.name for f in fields(DocumentInfo))
DOC_COLUMNS = ", ".join(DOC_FIELDS)
HL_COLUMNS = (
    "id, uuid, document_id, start_pos, end_pos, tag_id, quote, prefix, suffix, note, annotator,"
    " created_at, updated_at, rating_id, orphaned_version"
)
# Highlights placed in the current text, as views, counts and exports see them (not orphans).
PLACED = "orphaned_version IS NULL"
LINK_COLUMNS = "id, uuid, from_id, to_id, type_id, note, annotator, created_at, updated_at"


def page_starts_column(page_starts: Sequence[int]) -> str:
    """A page map as stored: a JSON array of offsets, or "" for a document without pages."""
    return json.dumps(list(page_starts), separators=(",", ":")) if page_starts else ""


def page_starts_from_column(value: str) -> tuple[int, ...]:
    return tuple(json.loads(value)) if value else ()


# Fields stored in a form of their own: (to the column, from the column).
_CODECS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "page_starts": (page_starts_column, page_starts_from_column),
}


def column_value(name: str, value: Any) -> Any:
    """A document field's value as its column holds it."""
    codec = _CODECS.get(name)
    return value if codec is None else codec[0](value)


def doc_info(row: Sequence[Any]) -> DocumentInfo:
    """A document's record from a row of DOC_COLUMNS."""
    return DocumentInfo(
        *(
            value if name not in _CODECS else _CODECS[name][1](value)
            for name, value in zip(DOC_FIELDS, row, strict=True)
        )
    )


NamedRecord = TypeVar("NamedRecord", Tag, RelationType)


@dataclass(frozen=True)
class NamedKind(Generic[NamedRecord]):
    """A table of named, coloured, keyed records in an order: the tags, or the link types."""

    table: str
    what: str  # one of them, for people
    record: Callable[..., NamedRecord]


TAGS = NamedKind("tags", "tag", Tag)
RELATION_TYPES = NamedKind("relation_types", "link type", RelationType)


class Cursor(Protocol):
    """What the shared code reads from a statement run: both drivers' cursors have it."""

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class SqlStore(ABC):
    """The part of a project store that is the same SQL on SQLite and on PostgreSQL."""

    annotator: str
    _text_cache: tuple[int, str, str] | None  # (document id, sha256, text)

    # What each store provides ----------------------------------------------------------

    @abstractmethod
    def _run(self, sql: str, params: Sequence[object] = ()) -> Cursor:
        """Run one statement written with `?` placeholders, as the store runs every one."""

    @abstractmethod
    def batch(self) -> AbstractContextManager[None]: ...

    @abstractmethod
    def _insert_named(self, kind: NamedKind[Any], item: Tag | RelationType) -> int:
        """Store a tag or link type; id 0 gets a new id, a negative position puts it last.
        Returns its id."""

    @abstractmethod
    def _update_named(
        self,
        kind: NamedKind[Any],
        item_id: int,
        name: str | None,
        colour: str | None,
        key: str | None,
    ) -> None: ...

    @abstractmethod
    def _set_order(self, kind: NamedKind[Any], ids: Sequence[int]) -> None: ...

    @abstractmethod
    def insert_highlight(self, highlight: Highlight) -> Highlight: ...

    @abstractmethod
    def insert_highlights(self, highlights: Sequence[Highlight], *, keep_ids: bool) -> int: ...

    @abstractmethod
    def iter_highlights(
        self, where: HighlightFilter = HighlightFilter()
    ) -> Iterator[Highlight]: ...

    @abstractmethod
    def insert_links(self, links: Sequence[Link]) -> list[Link]: ...

    # Documents ---------------------------------------------------------------------------

    def documents(self) -> list[DocumentInfo]:
        rows = self._run(f"SELECT {DOC_COLUMNS} FROM documents ORDER BY id")
        return [doc_info(r) for r in rows]

    def document(self, document_id: int) -> Document:
        row = self._run(
            f"SELECT {DOC_COLUMNS}, text FROM documents WHERE id = ?", (document_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no document {document_id} in this project.")
        info = doc_info(row[:-1])
        self._text_cache = (document_id, info.sha256, row[-1])
        return Document(info, row[-1])

    def text(self, document_id: int) -> str:
        """A document's text; the last one read is kept (highlighting reads it at each key)
        for as long as the document has that text (another window, or a teammate, may give
        it a new version)."""
        row = self._run("SELECT sha256 FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFound(f"There is no document {document_id} in this project.")
        if self._text_cache is not None and self._text_cache[:2] == (document_id, row[0]):
            return self._text_cache[2]
        return self.document(document_id).text

    def document_by_sha256(self, sha256: str) -> DocumentInfo | None:
        row = self._run(
            f"SELECT {DOC_COLUMNS} FROM documents WHERE sha256 = ?", (sha256,)
        ).fetchone()
        return None if row is None else doc_info(row)

    def _check_new_text(self, old: Document, digest: str) -> None:
        """Refuse a new text (its `digest`) for the document `old` that it has already, or
        that another document has."""
        if digest == old.info.sha256:
            raise ClaimmarkError(f"“{old.title}” has this text already: nothing to update.")
        other = self.document_by_sha256(digest)
        if other is not None:
            raise ClaimmarkError(
                f"this text is in the project already, as document {other.id} "
                f"“{other.title}”; delete that one first to make it a version of "
                f"“{old.title}”."
            )

    def _check_earlier_text(self, info: DocumentInfo) -> None:
        """Refuse to put a document back to an earlier version (`info`) whose text another
        document has now."""
        other = self.document_by_sha256(info.sha256)
        if other is not None and other.id != info.id:
            raise ClaimmarkError(
                f"the earlier text of “{info.title}” is in the project again, as document "
                f"{other.id} “{other.title}”."
            )

    # Tags and link types: named, coloured, keyed, in an order -----------------------------

    def _named(
        self, table: str, where: str = "", params: Sequence[object] = ()
    ) -> list[store_rules.NamedRow]:
        rows: list[store_rules.NamedRow] = self._run(
            f"SELECT id, name, colour, key, position FROM {table} {where} ORDER BY position, id",
            params,
        ).fetchall()
        return rows

    def _all_named(self, kind: NamedKind[NamedRecord]) -> list[NamedRecord]:
        return [kind.record(*r) for r in self._named(kind.table)]

    def _one_named(self, kind: NamedKind[NamedRecord], item_id: int) -> NamedRecord:
        found = self._named(kind.table, "WHERE id = ?", (item_id,))
        if not found:
            raise NotFound(f"There is no {kind.what} {item_id} in this project.")
        return kind.record(*found[0])

    def tags(self) -> list[Tag]:
        return self._all_named(TAGS)

    def tag(self, tag_id: int) -> Tag:
        return self._one_named(TAGS, tag_id)

    def add_tag(self, name: str, colour: str, key: str = "") -> Tag:
        return self.insert_tag(Tag(0, name, colour, key, -1))

    def insert_tag(self, tag: Tag) -> Tag:
        """Store a tag; an id of 0 gets a new id, a negative position puts it last."""
        return self.tag(self._insert_named(TAGS, tag))

    def update_tag(
        self,
        tag_id: int,
        *,
        name: str | None = None,
        colour: str | None = None,
        key: str | None = None,
    ) -> Tag:
        self._update_named(TAGS, tag_id, name, colour, key)
        return self.tag(tag_id)

    def set_tag_order(self, tag_ids: Sequence[int]) -> list[Tag]:
        self._set_order(TAGS, tag_ids)
        return self.tags()

    def restore_tag(self, tag: Tag, highlights: Sequence[Highlight]) -> None:
        with self.batch():
            self.insert_tag(tag)
            self.insert_highlights(highlights, keep_ids=True)

    def tag_usage(self, tag_id: int) -> int:
        return int(
            self._run("SELECT count(*) FROM highlights WHERE tag_id = ?", (tag_id,)).fetchone()[0]
        )

    def relation_types(self) -> list[RelationType]:
        return self._all_named(RELATION_TYPES)

    def relation_type(self, type_id: int) -> RelationType:
        return self._one_named(RELATION_TYPES, type_id)

    def insert_relation_type(self, relation_type: RelationType) -> RelationType:
        """Store a link type; id 0 gets a new id, a negative position puts it last."""
        return self.relation_type(self._insert_named(RELATION_TYPES, relation_type))

    def update_relation_type(
        self,
        type_id: int,
        *,
        name: str | None = None,
        colour: str | None = None,
        key: str | None = None,
    ) -> RelationType:
        self._update_named(RELATION_TYPES, type_id, name, colour, key)
        return self.relation_type(type_id)

    def set_relation_type_order(self, type_ids: Sequence[int]) -> list[RelationType]:
        self._set_order(RELATION_TYPES, type_ids)
        return self.relation_types()

    def delete_relation_type(self, type_id: int) -> tuple[RelationType, list[Link]]:
        """Delete a link type with its links; returns both so the deletion can be undone."""
        relation_type = self.relation_type(type_id)
        with self.batch():
            removed = self._select_links("WHERE type_id = ?", (type_id,))
            self._run("DELETE FROM links WHERE type_id = ?", (type_id,))
            self._run("DELETE FROM relation_types WHERE id = ?", (type_id,))
        return relation_type, removed

    def restore_relation_type(
        self, relation_type: RelationType, links: Sequence[Link]
    ) -> list[Link]:
        """Put back a deleted link type and those of its links whose highlights are there."""
        with self.batch():
            self.insert_relation_type(relation_type)
            return self.insert_links(links)

    def relation_type_usage(self, type_id: int) -> int:
        """How many links have this type."""
        return int(
            self._run("SELECT count(*) FROM links WHERE type_id = ?", (type_id,)).fetchone()[0]
        )

    # The rating scale --------------------------------------------------------------------

    def ratings(self) -> list[Rating]:
        """The rating scale, best first."""
        rows = self._run("SELECT id, name, value, colour, key FROM ratings ORDER BY value DESC")
        return [Rating(*r) for r in rows]

    def rating(self, rating_id: int) -> Rating:
        row = self._run(
            "SELECT id, name, value, colour, key FROM ratings WHERE id = ?", (rating_id,)
        ).fetchone()
        if row is None:
            raise NotFound(f"There is no rating {rating_id} in this project.")
        return Rating(*row)

    def _check_rating(self, rating: Rating) -> None:
        store_rules.check_rating([r for r in self.ratings() if r.id != rating.id], rating)

    def rating_usage(self, rating_id: int) -> int:
        """How many highlights have this verdict."""
        return int(
            self._run(
                "SELECT count(*) FROM highlights WHERE rating_id = ?", (rating_id,)
            ).fetchone()[0]
        )

    # Links -------------------------------------------------------------------------------

    def _select_links(self, where: str, params: Sequence[object]) -> list[Link]:
        rows = self._run(f"SELECT {LINK_COLUMNS} FROM links {where}", params)
        return list(map(Link._make, rows))

    def links(self) -> list[Link]:
        """Every link of the project, in the order they were made."""
        return self._select_links("ORDER BY id", ())

    def link(self, link_id: int) -> Link:
        found = self._select_links("WHERE id = ?", (link_id,))
        if not found:
            raise NotFound(f"There is no link {link_id} (it may have been deleted).")
        return found[0]

    # Annotators' progress ------------------------------------------------------------------

    def done(self) -> dict[tuple[str, int], str]:
        """{(annotator, document id): when they marked it done}."""
        rows = self._run("SELECT annotator, document_id, done_at FROM documents_done")
        return {(a, d): t for a, d, t in rows}

    def set_done(self, annotator: str, document_id: int, done_at: str | None) -> None:
        """Mark a document done by an annotator at `done_at`, or not done (None)."""
        with self.batch():
            if done_at is None:
                self._run(
                    "DELETE FROM documents_done WHERE annotator = ? AND document_id = ?",
                    (annotator, document_id),
                )
            else:
                self.document(document_id)
                self._run(
                    "INSERT INTO documents_done (annotator, document_id, done_at)"
                    " VALUES (?, ?, ?) ON CONFLICT (annotator, document_id)"
                    " DO UPDATE SET done_at = excluded.done_at",
                    (annotator, document_id, done_at),
                )

    # Settings ----------------------------------------------------------------------------

    def setting(self, key: str) -> str | None:
        """A project setting (the fact-checker's name and URL for ClaimReview), or None."""
        row = self._run("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def settings(self) -> dict[str, str]:
        return dict(self._run("SELECT key, value FROM settings").fetchall())

    def set_setting(self, key: str, value: str) -> None:
        with self.batch():
            self._run(
                "INSERT INTO settings (key, value) VALUES (?, ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    # Highlights --------------------------------------------------------------------------

    def add_highlight(
        self, document_id: int, start: int, end: int, tag_id: int, note: str = ""
    ) -> Highlight:
        store_rules.refuse(note_problem(note))
        text = self.text(document_id)
        highlight = anchoring.new_highlight(
            text, document_id, start, end, tag_id, self.annotator, note
        )
        return self.insert_highlight(highlight)

    def highlight(self, highlight_id: int) -> Highlight:
        found = self._select_highlights("WHERE id = ?", (highlight_id,))
        if not found:
            raise NotFound(f"There is no highlight {highlight_id} (it may have been deleted).")
        return found[0]

    def _select_highlights(self, where: str, params: Sequence[object]) -> list[Highlight]:
        rows = self._run(f"SELECT {HL_COLUMNS} FROM highlights {where}", params)
        return list(map(Highlight._make, rows))

    def _check_placements(self, highlights: Sequence[Highlight]) -> None:
        """Refuse a highlight placed in its document's text (not an orphan) that is not on its
        quote there (see set_highlight_places)."""
        texts: dict[int, str] = {}
        for h in highlights:
            if h.orphaned:
                continue
            if h.document_id not in texts:
                texts[h.document_id] = self.document(h.document_id).text
            store_rules.check_placement(texts[h.document_id], h)

    def highlights(self, where: HighlightFilter = HighlightFilter()) -> list[Highlight]:
        return list(self.iter_highlights(where))

    def spans(self, document_id: int) -> list[Span]:
        rows: list[Span] = self._run(
            "SELECT start_pos, end_pos, id, tag_id, rating_id, annotator FROM highlights"
            f" WHERE document_id = ? AND {PLACED} ORDER BY start_pos, end_pos, id",
            (document_id,),
        ).fetchall()
        return rows

    def orphans(self, document_id: int | None = None) -> list[Highlight]:
        """The orphans of a document (of every document, for None), in the order of their
        places in the versions they were orphaned from."""
        where, params = f"WHERE NOT ({PLACED})", list[object]()
        if document_id is not None:
            where, params = f"WHERE document_id = ? AND NOT ({PLACED})", [document_id]
        return self._select_highlights(
            f"{where} ORDER BY document_id, orphaned_version, start_pos, id", params
        )

    def orphan_counts(self) -> dict[int, int]:
        """{document id: how many orphans it has}, for documents that have any."""
        rows = self._run(
            f"SELECT document_id, count(*) FROM highlights WHERE NOT ({PLACED})"
            " GROUP BY document_id"
        )
        return {d: n for d, n in rows}

    def annotator_counts(self) -> dict[tuple[int, str], dict[int, int]]:
        """Placed highlights per document, annotator and tag:
        {(document_id, annotator): {tag_id: count}}."""
        counts: dict[tuple[int, str], dict[int, int]] = {}
        rows = self._run(
            f"SELECT document_id, annotator, tag_id, count(*) FROM highlights WHERE {PLACED}"
            " GROUP BY document_id, annotator, tag_id"
        )
        for document_id, annotator, tag_id, n in rows:
            counts.setdefault((document_id, annotator), {})[tag_id] = n
        return counts

    def highlight_counts(self) -> dict[int, dict[int, int]]:
        counts: dict[int, dict[int, int]] = {}
        rows = self._run(
            f"SELECT document_id, tag_id, count(*) FROM highlights WHERE {PLACED}"
            " GROUP BY document_id, tag_id"
        )
        for document_id, tag_id, n in rows:
            counts.setdefault(document_id, {})[tag_id] = n
        return counts
