"""The narrow interface every project store implements.

Two backends stand behind it: a project file (`sqlite_store.py`, the default) and a project on a
PostgreSQL server (`pg_store.py`, team mode). Open one with `project.open_project(location)`,
which picks the backend from the location. Every mutating method is one transaction, committed
before it returns, unless it runs inside `batch()`, which makes the whole block one transaction.

Changes to one highlight or link may name the record as the caller last read it (`expected`):
the change is made only if the record is still so, and otherwise raises `Conflict` (someone
else changed it meanwhile) or `NotFound` (deleted meanwhile), writing nothing. Another window on
the same file and a teammate on the same server are the same case. A new version of a document
(`update_document`, `restore_version`) and the highlights it moves (`set_highlight_places`) are
checked the same way: against the document's text and the highlights' places as read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol

from desktop.core.changes import Changes
from desktop.core.model import (
    BackupInfo,
    Document,
    DocumentInfo,
    DocumentVersion,
    Highlight,
    HighlightFilter,
    HighlightRow,
    Link,
    NewDocument,
    Rating,
    RelationType,
    Span,
    Tag,
)


class ChangeFeed(Protocol):
    """Other connections' changes to a project as they commit (a server store's): a window
    watches `fileno()` and calls `read()` when it is readable."""

    @property
    def connected(self) -> bool:
        """Whether both the feed and its store are connected."""
        ...

    def fileno(self) -> int:
        """The socket to watch for readability; -1 while not connected."""
        ...

    def read(self) -> list[Changes]:
        """What others changed since the last read, a record per change in the order they
        were committed (none if nothing changed); raises ConnectionLost when the connection
        is gone."""
        ...

    def skip_seen(self) -> None:
        """Leave out what the store's last `snapshot()` saw: call it when everything was re-read
        in that snapshot."""
        ...

    def reconnect(self) -> None:
        """Connect the store and the feed again (ProjectError while the server is away); what
        changed meanwhile is not in the feed: re-read everything afterwards."""
        ...

    def close(self) -> None: ...


class ProjectStore(Protocol):
    """Documents, tags and highlights of one project."""

    location: str  # what it was opened from: a path, or a libpq connection string
    annotator: str  # recorded on new highlights
    read_only: bool

    @property
    def name(self) -> str:
        """The project's name for people (a window title)."""
        ...

    def close(self) -> None: ...

    def batch(self) -> AbstractContextManager[None]:
        """Make every mutation inside the block one transaction."""
        ...

    def snapshot(self) -> AbstractContextManager[None]:
        """Make every read inside the block see one state of the project."""
        ...

    def data_version(self) -> int:
        """A number that changes when another connection commits a change: compare two
        readings to know whether someone else changed the project meanwhile."""
        ...

    def change_feed(self) -> ChangeFeed | None:
        """Others' changes as they commit (a server store), or None (a file)."""
        ...

    # Backups: safe to call from a background thread (they use connections of their own).
    def make_backup(self) -> Path: ...

    def backups(self) -> list[BackupInfo]:
        """Backups of this project, newest first."""
        ...

    def changed_since_backup(self) -> bool: ...

    # Documents
    def documents(self) -> list[DocumentInfo]: ...

    def document(self, document_id: int) -> Document: ...

    def set_document_details(
        self, document_id: int, title: str, author: str, outlet: str, published: str, url: str
    ) -> DocumentInfo:
        """A document's title, author, outlet, date and address (its text stays as it is)."""
        ...

    def text(self, document_id: int) -> str:
        """A document's text (cheap to ask again for the same document)."""
        ...

    def document_by_sha256(self, sha256: str) -> DocumentInfo | None: ...

    def add_documents(self, documents: Sequence[NewDocument]) -> list[DocumentInfo]:
        """Store new documents; ones whose text is already stored are skipped."""
        ...

    def delete_document(self, document_id: int) -> tuple[Document, list[Highlight]]:
        """Delete a document and its highlights; returns both so the deletion can be undone."""
        ...

    def restore_document(self, document: Document, highlights: Sequence[Highlight]) -> None: ...

    # Versions of a document (see operations.UpdateDocument)
    def update_document(
        self,
        document_id: int,
        document: NewDocument,
        replaced_at: str | None = None,
        expected: DocumentInfo | None = None,
    ) -> DocumentVersion:
        """Give a document a new text and metadata (its `imported_at` becomes `replaced_at`,
        default now), keeping its id, highlights and links; its text and metadata as they were
        become a new version of it, which is returned. Refused when the text is the document's
        already or another document's; with `expected`, also when the document's text is no
        longer the one `expected` had (Conflict: updated by someone else meanwhile)."""
        ...

    def restore_version(
        self, version: DocumentVersion, expected: DocumentInfo | None = None
    ) -> None:
        """Put a document back to one of its versions, text and metadata; that version is no
        longer kept as one (the undo of update_document). With `expected`, only if the
        document's text is still the one `expected` had (else Conflict)."""
        ...

    def document_versions(self, document_id: int) -> list[DocumentVersion]:
        """A document's earlier versions, with their texts, oldest first (deleting the document
        deletes them)."""
        ...

    def restore_document_versions(self, versions: Sequence[DocumentVersion]) -> None:
        """Put back versions with their ids (the undo of deleting their document)."""
        ...

    # Tags
    def tags(self) -> list[Tag]: ...

    def add_tag(self, name: str, colour: str, key: str = "") -> Tag: ...

    def insert_tag(self, tag: Tag) -> Tag:
        """Store a tag; id 0 gets a new id, a negative position puts it last."""
        ...

    def update_tag(
        self,
        tag_id: int,
        *,
        name: str | None = None,
        colour: str | None = None,
        key: str | None = None,
    ) -> Tag: ...

    def set_tag_order(self, tag_ids: Sequence[int]) -> list[Tag]: ...

    def delete_tag(self, tag_id: int) -> tuple[Tag, list[Highlight]]:
        """Delete a tag and its highlights; returns both so the deletion can be undone."""
        ...

    def tag(self, tag_id: int) -> Tag: ...

    def tag_usage(self, tag_id: int) -> int:
        """How many highlights have this tag."""
        ...

    def restore_tag(self, tag: Tag, highlights: Sequence[Highlight]) -> None:
        """Put back a deleted tag and its highlights with their ids."""
        ...

    # Highlights
    def add_highlight(
        self, document_id: int, start: int, end: int, tag_id: int, note: str = ""
    ) -> Highlight: ...

    def insert_highlight(self, highlight: Highlight) -> Highlight:
        """Store one complete highlight (id 0 gets a new id); returns it as stored."""
        ...

    def insert_highlights(self, highlights: Sequence[Highlight], *, keep_ids: bool) -> int:
        """Insert complete highlights (undo, import); those whose uuid exists are skipped."""
        ...

    def update_highlight(
        self,
        highlight_id: int,
        *,
        tag_id: int | None = None,
        note: str | None = None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        """Change the tag or note (None keeps it); `updated_at` defaults to now."""
        ...

    def set_rating(
        self,
        highlight_id: int,
        rating_id: int | None,
        updated_at: str | None = None,
        expected: Highlight | None = None,
    ) -> Highlight:
        """Give a highlight a verdict from the rating scale, or take it away (None)."""
        ...

    def delete_highlight(self, highlight_id: int, expected: Highlight | None = None) -> Highlight:
        """Delete a highlight; its links go with it (read them first with links_touching)."""
        ...

    def highlight(self, highlight_id: int) -> Highlight: ...

    def highlights(self, where: HighlightFilter = HighlightFilter()) -> list[Highlight]:
        """The highlights `where` selects (by default those placed in their text, no orphans),
        by document and start."""
        ...

    def iter_highlights(
        self, where: HighlightFilter = HighlightFilter()
    ) -> Iterator[Highlight]: ...

    def spans(self, document_id: int) -> list[Span]:
        """(start, end, id, tag_id, rating_id, annotator) of a document's highlights placed in
        its text, in start order."""
        ...

    def highlight_rows(self) -> Iterator[HighlightRow]:
        """Every highlight placed in its text (no orphans), without its texts."""
        ...

    # Orphans: highlights that re-anchoring could not place in a document's new text. They
    # keep their tag, note, links and the offsets, quote and context they had in the version
    # they were orphaned from (Highlight.orphaned_version), and are left out of spans,
    # highlight_rows, highlight_counts, annotator_counts, highlight_places,
    # highlight_ids_matching and (by default) highlights; `highlight(id)` and links_touching
    # still give them.
    def orphans(self, document_id: int | None = None) -> list[Highlight]:
        """The orphans of a document (of every document, for None)."""
        ...

    def orphan_counts(self) -> dict[int, int]:
        """{document id: how many orphans it has}, for documents that have any."""
        ...

    def set_highlight_places(
        self, highlights: Sequence[Highlight], expected: Sequence[Highlight] | None = None
    ) -> list[Highlight]:
        """Store where each highlight is: offsets, quote, prefix, suffix, orphaned_version and
        updated_at, by id (its other fields stay as stored). One placed in its text must be on
        its quote there, or nothing is stored. Returns those that exist, as stored (one deleted
        meanwhile is skipped). With `expected` (each highlight as it was read, by id), nothing
        is stored unless every one is still there and in the place it had then (its offsets,
        quote and orphan mark): else Conflict or NotFound. A change made meanwhile to its tag,
        note or verdict is no conflict: it stays."""
        ...

    def highlight_texts(self, ids: Sequence[int] | None) -> dict[int, tuple[str, str]]: ...

    def highlight_places(self, ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
        """{id: (document id, start, end)} of these highlights (those that exist)."""
        ...

    def highlight_ids_by_uuid(self, uuids: Sequence[str]) -> dict[str, int]:
        """{uuid: id} of the highlights with these uuids (those that exist)."""
        ...

    def export_records(
        self,
        kind: str,
        fields: Sequence[str],
        where: HighlightFilter = HighlightFilter(),
        separator: bytes = b",\n",
    ) -> Iterator[bytes]:
        """The records of `kind` that `where` selects, each one compact JSON object in UTF-8
        (escaped as orjson escapes) with `fields` as its keys in that order, `separator`
        between two: built by the database and given in pieces of any size to write one after
        the other, for exports of any size (a long text may come in several pieces). Kinds and
        fields: "documents" (id,
        title, author, outlet, published, source, source_offset, url, page_starts, sha256,
        text), "highlights" (id = uuid, document_id, start, end, quote, prefix, suffix, tag,
        rating, note, annotator, created_at, updated_at; in document and start order),
        "relations" (links between selected highlights: id = uuid, from_id and to_id = their
        uuids, type, note, annotator, created_at, updated_at) and "done" (annotator,
        document_id, done_at)."""
        ...

    def highlight_ids_matching(self, text: str) -> set[int]: ...

    def annotator_counts(self) -> dict[tuple[int, str], dict[int, int]]:
        """Placed highlights per document, annotator and tag:
        {(document_id, annotator): {tag_id: count}}."""
        ...

    def highlight_counts(self) -> dict[int, dict[int, int]]:
        """Placed highlights per document and tag: {document_id: {tag_id: count}}."""
        ...

    # Link types
    def relation_types(self) -> list[RelationType]: ...

    def relation_type(self, type_id: int) -> RelationType: ...

    def insert_relation_type(self, relation_type: RelationType) -> RelationType:
        """Store a link type; id 0 gets a new id, a negative position puts it last."""
        ...

    def update_relation_type(
        self,
        type_id: int,
        *,
        name: str | None = None,
        colour: str | None = None,
        key: str | None = None,
    ) -> RelationType: ...

    def set_relation_type_order(self, type_ids: Sequence[int]) -> list[RelationType]: ...

    def delete_relation_type(self, type_id: int) -> tuple[RelationType, list[Link]]:
        """Delete a link type with its links; returns both so the deletion can be undone."""
        ...

    def restore_relation_type(
        self, relation_type: RelationType, links: Sequence[Link]
    ) -> list[Link]:
        """Put back a deleted link type and those of its links whose highlights are there."""
        ...

    def relation_type_usage(self, type_id: int) -> int:
        """How many links have this type."""
        ...

    # The rating scale
    def ratings(self) -> list[Rating]:
        """The rating scale, best first."""
        ...

    def rating(self, rating_id: int) -> Rating: ...

    def insert_rating(self, rating: Rating) -> Rating: ...

    def update_rating(self, rating: Rating) -> Rating: ...

    def rating_usage(self, rating_id: int) -> int:
        """How many highlights have this verdict."""
        ...

    def delete_rating(self, rating_id: int) -> tuple[Rating, list[Highlight]]:
        """Delete a rating; the highlights that had it (returned as they were) lose it, and
        keep their change time (`updated_at`)."""
        ...

    def restore_rating(self, rating: Rating, rated: Sequence[Highlight]) -> list[Highlight]:
        """Put back a deleted rating, and give it back to those of `rated` (the highlights
        delete_rating returned) that are still as the deletion left them: without a verdict
        and with the change time they had (a verdict given since, even one taken away again,
        stays). Returns those it gave it back to, as stored."""
        ...

    # Links
    def links(self) -> list[Link]: ...

    def link(self, link_id: int) -> Link: ...

    def links_touching(self, highlight_ids: Sequence[int]) -> list[Link]:
        """The links from or to any of these highlights."""
        ...

    def insert_link(self, link: Link) -> Link:
        """Store one link (id 0 gets a new id); returns it as stored."""
        ...

    def insert_links(self, links: Sequence[Link]) -> list[Link]:
        """Put back complete links with their ids; returns those put back (a link already
        there, or whose highlight or type is gone, is skipped)."""
        ...

    def update_link(
        self,
        link_id: int,
        *,
        type_id: int | None = None,
        note: str | None = None,
        updated_at: str | None = None,
        expected: Link | None = None,
    ) -> Link: ...

    def delete_link(self, link_id: int, expected: Link | None = None) -> Link: ...

    # Annotators' progress
    def done(self) -> dict[tuple[str, int], str]:
        """{(annotator, document id): when they marked it done}."""
        ...

    def set_done(self, annotator: str, document_id: int, done_at: str | None) -> None:
        """Mark a document done by an annotator at `done_at`, or not done (None)."""
        ...

    def annotators(self) -> list[str]:
        """Everyone who made a highlight or marked a document done, by name."""
        ...

    # Settings
    def setting(self, key: str) -> str | None: ...

    def settings(self) -> dict[str, str]:
        """Every setting of the project."""
        ...

    def set_setting(self, key: str, value: str) -> None: ...
