"""The user's changes to a project as reversible operations.

Each operation knows how to do itself and how to undo itself against a store, and returns the
`Changes` it made. Doing it again after an undo (redo) takes the very same path as doing it the
first time: the record made for the first `do` (a highlight or a link with its id and uuid, a
tag with its id) is stored again as it was. What hangs on a deleted thing is kept with the
deletion and put back by its undo: a highlight's links, a tag's or a document's highlights with
their links, a link type's links, the verdicts given with a rating.

Orphans (highlights that re-anchoring could not place in a document's new text) are in no
view's records: an operation that touches one says so with the `orphans` flag of its Changes
(see changes.py) and leaves it out of `added`, `removed` and `changed`.

Operations are plain Python: the window wraps each in an undo command (ui/commands.py), the
command line and the tests run them directly. A step that cannot be done raises ClaimmarkError
and leaves the project as it was (every store call is one transaction).

A step on one highlight or link names the record it is made from (`expected`): if someone else
changed it since (a teammate on the same server, another window on the same file), the store
refuses with `Conflict` and writes nothing. A deletion (and the undo of an addition) is made from
the record as the operation saw or left it: any change since refuses it. A change of one field
(a retag, a note, a verdict, a link's type) and its undo are refused when that field changed
since; a change someone made to another field meanwhile stays.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Hashable, Sequence
from typing import Protocol

from desktop.core import anchoring, reanchor
from desktop.core.changes import Changes, highlights_changed
from desktop.core.errors import ClaimmarkError, Conflict
from desktop.core.model import (
    Document,
    DocumentInfo,
    DocumentVersion,
    Highlight,
    HighlightFilter,
    Link,
    NewDocument,
    Rating,
    RelationType,
    Tag,
    sha256_text,
)
from desktop.core.store import ProjectStore
from desktop.core.timeutil import utc_now
from desktop.core.wording import counted


class Operation(Protocol):
    """A change to a project that can be undone. One may also have a `remark`: what its last
    step left as it was, for people ("1 claim keeps the verdict given since")."""

    @property
    def label(self) -> str:
        """What it does, for people: "Highlight as claim", "Delete tag opinion"."""
        ...

    def do(self, store: ProjectStore) -> Changes: ...

    def undo(self, store: ProjectStore) -> Changes: ...


def _from_current(
    store: ProjectStore, seen: Highlight, field: Callable[[Highlight], object]
) -> Highlight:
    """The record to change a highlight's field from: the highlight as it is now if that field
    is still as `seen` has it, else `seen` itself, which the store then refuses (naming who
    changed it, where it can)."""
    now = store.highlight(seen.id)
    return now if field(now) == field(seen) else seen


def _link_from_current(store: ProjectStore, seen: Link, field: Callable[[Link], object]) -> Link:
    now = store.link(seen.id)
    return now if field(now) == field(seen) else seen


def _tag_name(store: ProjectStore, tag_id: int) -> str:
    return next((t.name for t in store.tags() if t.id == tag_id), "tag")


def _placed(highlights: Sequence[Highlight]) -> tuple[Highlight, ...]:
    """The highlights a view shows: those placed in their text, no orphans."""
    return tuple(h for h in highlights if not h.orphaned)


def _has_orphans(highlights: Sequence[Highlight]) -> bool:
    return any(h.orphaned for h in highlights)


def _changed(pairs: Sequence[tuple[Highlight, Highlight]]) -> Changes:
    """A change to highlights' fields (not their places), as views see it."""
    return Changes(
        changed=tuple((old, new) for old, new in pairs if not new.orphaned),
        orphans=any(new.orphaned for _old, new in pairs),
    )


class AddHighlight:
    """Highlight [start, end) of a document with a tag. Links made to it since (in another
    window, by a teammate) go with it when it is undone, and come back with it on redo."""

    def __init__(
        self, store: ProjectStore, document_id: int, start: int, end: int, tag_id: int
    ) -> None:
        self.highlight = anchoring.new_highlight(
            store.text(document_id), document_id, start, end, tag_id, store.annotator
        )
        self.links: list[Link] = []  # those the last undo took with it
        self.label = f"Highlight as {_tag_name(store, tag_id)}"

    def do(self, store: ProjectStore) -> Changes:
        if not self.links:  # one statement (one round trip to a server) for a key press
            self.highlight = store.insert_highlight(self.highlight)  # keeps its id once it has one
            return Changes(added=(self.highlight,))
        with store.batch():
            self.highlight = store.insert_highlight(self.highlight)
            links = store.insert_links(self.links)
        return Changes(added=(self.highlight,), links_added=tuple(links))

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():
            self.links = store.links_touching([self.highlight.id])
            removed = store.delete_highlight(self.highlight.id, expected=self.highlight)
        return Changes(
            removed=_placed([removed]),
            links_removed=tuple(self.links),
            orphans=removed.orphaned,
        )


class DeleteHighlight:
    """Delete a highlight with its links; undo brings both back."""

    def __init__(self, highlight: Highlight) -> None:
        self.highlight = highlight
        self.links: list[Link] = []
        self.label = "Delete orphaned highlight" if highlight.orphaned else "Delete highlight"

    def do(self, store: ProjectStore) -> Changes:
        with store.batch():
            # As they are now: another window may have changed them since they were shown.
            self.links = store.links_touching([self.highlight.id])
            self.highlight = store.delete_highlight(self.highlight.id, expected=self.highlight)
        return Changes(
            removed=_placed([self.highlight]),
            links_removed=tuple(self.links),
            orphans=self.highlight.orphaned,
        )

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():
            added = store.insert_highlight(self.highlight)
            links = store.insert_links(self.links)
        return Changes(added=_placed([added]), links_added=tuple(links), orphans=added.orphaned)


class ChangeHighlight:
    """A retag or a note edit. Undo puts back only the field it changed (and the update time),
    so a change another window made to the other field meanwhile stays."""

    def __init__(
        self, highlight: Highlight, *, tag_id: int | None = None, note: str | None = None
    ) -> None:
        if (tag_id is None) == (note is None):
            raise ValueError("change either the tag or the note")
        self.highlight = highlight
        self.current = highlight  # as this operation last saw or left it
        self.tag_id = tag_id
        self.note = note
        self.changed_at = utc_now()
        self.label = "Retag highlight" if tag_id is not None else "Edit note"

    def _field(self, h: Highlight) -> object:
        return h.tag_id if self.tag_id is not None else h.note

    def do(self, store: ProjectStore) -> Changes:
        before = _from_current(store, self.current, self._field)
        self.current = store.update_highlight(
            before.id,
            tag_id=self.tag_id,
            note=self.note,
            updated_at=self.changed_at,
            expected=before,
        )
        return _changed([(before, self.current)])

    def undo(self, store: ProjectStore) -> Changes:
        old = self.highlight
        before = _from_current(store, self.current, self._field)
        self.current = store.update_highlight(
            old.id,
            tag_id=None if self.tag_id is None else old.tag_id,
            note=None if self.note is None else old.note,
            updated_at=old.updated_at,
            expected=before,
        )
        return _changed([(before, self.current)])


class AddTag:
    def __init__(self, name: str, colour: str, key: str) -> None:
        self.tag = Tag(0, name, colour, key, -1)
        self.label = f"Add tag {name}"

    def do(self, store: ProjectStore) -> Changes:
        self.tag = store.insert_tag(self.tag)
        return Changes(tags=True)

    def undo(self, store: ProjectStore) -> Changes:
        used = store.tag_usage(self.tag.id)
        if used:  # made since, in another window or by an import: not ours to delete
            raise ClaimmarkError(
                f"the tag “{self.tag.name}” now holds {counted(used, 'highlight')}"
                "; delete it from the tag panel if that is what you want."
            )
        store.delete_tag(self.tag.id)
        return Changes(tags=True)


class EditTag:
    """A tag's new name, colour and key."""

    def __init__(self, old: Tag, name: str, colour: str, key: str) -> None:
        self.old = old
        self.new = Tag(old.id, name, colour, key, old.position)
        self.label = f"Edit tag {old.name}"

    def _set(self, store: ProjectStore, tag: Tag) -> Changes:
        store.update_tag(tag.id, name=tag.name, colour=tag.colour, key=tag.key)
        return Changes(tags=True)

    def do(self, store: ProjectStore) -> Changes:
        return self._set(store, self.new)

    def undo(self, store: ProjectStore) -> Changes:
        return self._set(store, self.old)


class ReorderTags:
    def __init__(self, old: Sequence[int], new: Sequence[int]) -> None:
        self.old = list(old)
        self.new = list(new)
        self.label = "Reorder tags"

    def do(self, store: ProjectStore) -> Changes:
        store.set_tag_order(self.new)
        return Changes(tags=True)

    def undo(self, store: ProjectStore) -> Changes:
        store.set_tag_order(self.old)
        return Changes(tags=True)


class DeleteTag:
    """Delete a tag with its highlights; undo brings both back."""

    def __init__(self, tag: Tag) -> None:
        self.tag = tag
        self.highlights: list[Highlight] = []
        self.links: list[Link] = []
        self.label = f"Delete tag {tag.name}"

    def do(self, store: ProjectStore) -> Changes:
        # What it holds now, which may be more than the first time (other windows, imports),
        # under the name it has now (renamed elsewhere since an undo?).
        with store.batch():
            name = store.tag(self.tag.id).name
            held = [
                h.id for h in store.highlights(HighlightFilter(tag_names=(name,), orphaned=None))
            ]
            self.links = store.links_touching(held)
            self.tag, self.highlights = store.delete_tag(self.tag.id)
        return Changes(
            removed=_placed(self.highlights),
            links_removed=tuple(self.links),
            tags=True,
            orphans=_has_orphans(self.highlights),
        )

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():
            store.restore_tag(self.tag, self.highlights)
            links = store.insert_links(self.links)
        return Changes(
            added=_placed(self.highlights),
            links_added=tuple(links),
            tags=True,
            orphans=_has_orphans(self.highlights),
        )


class DeleteDocument:
    """Delete a document with its highlights (orphans too) and earlier versions; undo brings
    all of them back."""

    def __init__(self, document_id: int, title: str) -> None:
        self.document_id = document_id
        self.document: Document | None = None
        self.highlights: list[Highlight] = []
        self.versions: list[DocumentVersion] = []
        self.links: list[Link] = []  # also those to highlights in other documents
        self.done: dict[str, str] = {}  # annotator -> when they marked it done
        self.label = f"Delete document {title[:40]}"

    def do(self, store: ProjectStore) -> Changes:
        with store.batch():
            held = [s[2] for s in store.spans(self.document_id)]
            held += [h.id for h in store.orphans(self.document_id)]
            self.links = store.links_touching(held)
            self.done = {a: t for (a, d), t in store.done().items() if d == self.document_id}
            self.versions = store.document_versions(self.document_id)
            self.document, self.highlights = store.delete_document(self.document_id)
        return Changes(
            removed=_placed(self.highlights),
            links_removed=tuple(self.links),
            documents=True,
            orphans=_has_orphans(self.highlights),
        )

    def undo(self, store: ProjectStore) -> Changes:
        assert self.document is not None  # done before it is undone
        with store.batch():
            store.restore_document(self.document, self.highlights)
            store.restore_document_versions(self.versions)
            links = store.insert_links(self.links)
            for annotator, done_at in self.done.items():
                store.set_done(annotator, self.document_id, done_at)
        return Changes(
            added=_placed(self.highlights),
            links_added=tuple(links),
            documents=True,
            orphans=_has_orphans(self.highlights),
        )


def _rating_of(h: Highlight) -> object:
    return h.rating_id


class SetRating:
    """Give a claim a verdict from the rating scale, or take it away (None)."""

    def __init__(self, highlight: Highlight, rating: Rating | None) -> None:
        self.highlight = highlight
        self.current = highlight  # as this operation last saw or left it
        self.rating_id = None if rating is None else rating.id
        self.changed_at = utc_now()
        self.label = f"Verdict {rating.name}" if rating is not None else "Clear verdict"

    def do(self, store: ProjectStore) -> Changes:
        before = _from_current(store, self.current, _rating_of)
        self.current = store.set_rating(before.id, self.rating_id, self.changed_at, before)
        return _changed([(before, self.current)])

    def undo(self, store: ProjectStore) -> Changes:
        old = self.highlight
        before = _from_current(store, self.current, _rating_of)
        self.current = store.set_rating(old.id, old.rating_id, old.updated_at, before)
        return _changed([(before, self.current)])


# Links --------------------------------------------------------------------------------------


class AddLink:
    """Link one highlight to another ("this evidence supports that claim")."""

    def __init__(self, store: ProjectStore, from_id: int, to_id: int, type_id: int) -> None:
        if from_id == to_id:
            raise ClaimmarkError("A highlight cannot be linked to itself.")
        now = utc_now()
        self.link = Link(
            0, str(uuid.uuid4()), from_id, to_id, type_id, "", store.annotator, now, now
        )
        self.label = f"Link: {store.relation_type(type_id).name}"

    def do(self, store: ProjectStore) -> Changes:
        self.link = store.insert_link(self.link)  # keeps its id once it has one
        return Changes(links_added=(self.link,))

    def undo(self, store: ProjectStore) -> Changes:
        return Changes(links_removed=(store.delete_link(self.link.id, expected=self.link),))


class DeleteLink:
    def __init__(self, link: Link) -> None:
        self.link = link
        self.label = "Delete link"

    def do(self, store: ProjectStore) -> Changes:
        self.link = store.delete_link(self.link.id, expected=self.link)
        return Changes(links_removed=(self.link,))

    def undo(self, store: ProjectStore) -> Changes:
        if not store.insert_links([self.link]):
            raise ClaimmarkError("one of the linked highlights is gone (deleted elsewhere?)")
        return Changes(links_added=(self.link,))


class ChangeLink:
    """A link's new type or note; undo puts back only that field."""

    def __init__(self, link: Link, *, type_id: int | None = None, note: str | None = None) -> None:
        if (type_id is None) == (note is None):
            raise ValueError("change either the type or the note")
        self.link = link
        self.current = link  # as this operation last saw or left it
        self.type_id = type_id
        self.note = note
        self.changed_at = utc_now()
        self.label = "Change link type" if type_id is not None else "Edit link note"

    def _field(self, link: Link) -> object:
        return link.type_id if self.type_id is not None else link.note

    def do(self, store: ProjectStore) -> Changes:
        before = _link_from_current(store, self.current, self._field)
        self.current = store.update_link(
            before.id,
            type_id=self.type_id,
            note=self.note,
            updated_at=self.changed_at,
            expected=before,
        )
        return Changes(links_changed=((before, self.current),))

    def undo(self, store: ProjectStore) -> Changes:
        old = self.link
        before = _link_from_current(store, self.current, self._field)
        self.current = store.update_link(
            old.id,
            type_id=None if self.type_id is None else old.type_id,
            note=None if self.note is None else old.note,
            updated_at=old.updated_at,
            expected=before,
        )
        return Changes(links_changed=((before, self.current),))


# Link types, kept as tags are --------------------------------------------------------------------


class AddRelationType:
    def __init__(self, name: str, colour: str, key: str) -> None:
        self.item = RelationType(0, name, colour, key, -1)
        self.label = f"Add link type {name}"

    def do(self, store: ProjectStore) -> Changes:
        self.item = store.insert_relation_type(self.item)
        return Changes(relation_types=True)

    def undo(self, store: ProjectStore) -> Changes:
        used = store.relation_type_usage(self.item.id)
        if used:
            raise ClaimmarkError(
                f"the link type “{self.item.name}” now holds {counted(used, 'link')}"
                "; delete it from the panel if that is what you want."
            )
        store.delete_relation_type(self.item.id)
        return Changes(relation_types=True)


class EditRelationType:
    def __init__(self, old: RelationType, name: str, colour: str, key: str) -> None:
        self.old = old
        self.new = RelationType(old.id, name, colour, key, old.position)
        self.label = f"Edit link type {old.name}"

    def _set(self, store: ProjectStore, item: RelationType) -> Changes:
        store.update_relation_type(item.id, name=item.name, colour=item.colour, key=item.key)
        return Changes(relation_types=True)

    def do(self, store: ProjectStore) -> Changes:
        return self._set(store, self.new)

    def undo(self, store: ProjectStore) -> Changes:
        return self._set(store, self.old)


class DeleteRelationType:
    """Delete a link type with its links; undo brings both back."""

    def __init__(self, relation_type: RelationType) -> None:
        self.item = relation_type
        self.links: list[Link] = []
        self.label = f"Delete link type {relation_type.name}"

    def do(self, store: ProjectStore) -> Changes:
        self.item, self.links = store.delete_relation_type(self.item.id)
        return Changes(links_removed=tuple(self.links), relation_types=True)

    def undo(self, store: ProjectStore) -> Changes:
        links = store.restore_relation_type(self.item, self.links)
        return Changes(links_added=tuple(links), relation_types=True)


# The rating scale -------------------------------------------------------------------------------


class AddRating:
    def __init__(self, name: str, value: int, colour: str, key: str) -> None:
        self.rating = Rating(0, name, value, colour, key)
        self.label = f"Add rating {name}"

    def do(self, store: ProjectStore) -> Changes:
        self.rating = store.insert_rating(self.rating)
        return Changes(ratings=True)

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():  # one transaction: refused, it leaves everything as it was
            _rating, rated = store.delete_rating(self.rating.id)
            if rated:  # given since, in another window or by a teammate: not ours to take away
                raise ClaimmarkError(
                    f"the rating “{self.rating.name}” has been given since; delete it from the "
                    "panel if that is what you want."
                )
        return Changes(ratings=True)


class EditRating:
    def __init__(self, old: Rating, name: str, value: int, colour: str, key: str) -> None:
        self.old = old
        self.new = Rating(old.id, name, value, colour, key)
        self.label = f"Edit rating {old.name}"

    def do(self, store: ProjectStore) -> Changes:
        store.update_rating(self.new)
        return Changes(ratings=True)

    def undo(self, store: ProjectStore) -> Changes:
        store.update_rating(self.old)
        return Changes(ratings=True)


class DeleteRating:
    """Delete a rating; the claims that had it lose their verdict. Undo puts the rating back
    and gives it back to those claims, except to one whose verdict changed since (given, or
    given and taken away, in another window or by a teammate): that one stays as it is, and
    `kept` names it."""

    def __init__(self, rating: Rating) -> None:
        self.rating = rating
        self.rated: list[Highlight] = []
        self.kept: list[Highlight] = []  # as they had it; the last undo did not give it back
        self.label = f"Delete rating {rating.name}"

    def do(self, store: ProjectStore) -> Changes:
        self.kept = []
        self.rating, self.rated = store.delete_rating(self.rating.id)
        after = [h._replace(rating_id=None) for h in self.rated]
        return _changed(list(zip(self.rated, after, strict=True))) | Changes(ratings=True)

    def undo(self, store: ProjectStore) -> Changes:
        given = store.restore_rating(self.rating, self.rated)
        ids = {h.id for h in given}
        self.kept = [h for h in self.rated if h.id not in ids]
        return _changed([(h._replace(rating_id=None), h) for h in given]) | Changes(ratings=True)

    @property
    def remark(self) -> str:
        """What the last undo left as it was, for the status bar ("" when nothing)."""
        if not self.kept:
            return ""
        n = len(self.kept)
        claims = "1 claim keeps" if n == 1 else f"{n} claims keep"
        return f"{claims} the verdict given since"


# Annotators' progress ---------------------------------------------------------------------------


class MarkDone:
    """Mark a document done (or not done) for the annotator."""

    def __init__(self, store: ProjectStore, document_id: int, done: bool) -> None:
        self.annotator = store.annotator
        self.document_id = document_id
        self.done_at = utc_now() if done else None
        self.before: str | None = None
        self.label = "Mark document done" if done else "Mark document not done"

    def do(self, store: ProjectStore) -> Changes:
        self.before = store.done().get((self.annotator, self.document_id))
        store.set_done(self.annotator, self.document_id, self.done_at)
        return Changes(progress=True)

    def undo(self, store: ProjectStore) -> Changes:
        store.set_done(self.annotator, self.document_id, self.before)
        return Changes(progress=True)


class EditDocument:
    """A document's title, author, outlet, date and address."""

    def __init__(
        self, old: DocumentInfo, title: str, author: str, outlet: str, published: str, url: str
    ) -> None:
        self.old = old
        self.new = (title, author, outlet, published, url)
        self.label = f"Edit details of {old.title[:40]}"

    def do(self, store: ProjectStore) -> Changes:
        store.set_document_details(self.old.id, *self.new)
        return Changes(documents=True)

    def undo(self, store: ProjectStore) -> Changes:
        o = self.old
        store.set_document_details(o.id, o.title, o.author, o.outlet, o.published, o.url)
        return Changes(documents=True)


# New versions of documents, and their orphans -----------------------------------------------


class UpdateDocument:
    """Give a document the text of a new version and re-anchor its highlights to it.

    Each highlight placed in the old text is looked for in the new one (reanchor.py): kept,
    moved or matched fuzzily, it takes its quote and context from the new text; not found, it
    becomes an orphan and keeps the offsets, quote and context it had in the old text, which
    stays as a version of the document. Orphans of earlier versions are looked for too, from
    the text of their version (a passage deleted and then put back finds its highlight again).
    Links, tags, notes and verdicts stay in every case. Undo puts back the old text and
    metadata and every highlight as it was.

    It is made from the text the document had when it was asked for: if someone else updated
    the document since, it is refused (Conflict) rather than laid over their version unseen.
    """

    def __init__(self, store: ProjectStore, document_id: int, new: NewDocument) -> None:
        document = store.document(document_id)
        if sha256_text(new.text) == document.info.sha256:
            raise ClaimmarkError(f"“{document.title}” has this text already: nothing to update.")
        self.document_id = document_id
        self.new = new
        self.based_on = document.info  # the text it replaces
        self.label = f"Update document {document.title[:40]}"
        self.version: DocumentVersion | None = None  # the old text, once kept as a version
        self.updated: DocumentInfo | None = None  # the document as the update left it
        self.outcomes: list[reanchor.Outcome] = []  # of each highlight of the document
        self.orphaned: list[tuple[Highlight, str]] = []  # the orphans it left, and why
        self._ids: set[int] = set()  # the document's highlights when it was done
        self._before: list[Highlight] = []  # those it changed, as they were
        self._after: list[Highlight] = []  # and as it left them

    @property
    def summary(self) -> reanchor.Summary:
        """How many highlights were kept, moved, matched fuzzily and orphaned."""
        return reanchor.summarize(self.outcomes)

    def do(self, store: ProjectStore) -> Changes:
        # Re-anchoring only reads: it runs before the transaction, and again inside it if
        # another window changed the document or its highlights meanwhile. Every write names
        # what it was planned from (`expected`), so that a teammate's change on a server that
        # slips in between is refused rather than overwritten.
        seen, highlights, outcomes = self._plan(store)
        now = utc_now()
        with store.batch():
            if self._read(store) != seen:
                seen, highlights, outcomes = self._plan(store)
            version = store.update_document(self.document_id, self.new, now, self.based_on)
            pairs = [
                (h, _replaced(h, outcome, self.new.text, version.id, now))
                for h, outcome in zip(highlights, outcomes, strict=True)
            ]
            pairs = [(old, new) for old, new in pairs if new != old]
            stored = {
                h.id: h
                for h in store.set_highlight_places(
                    [new for _old, new in pairs], expected=[old for old, _new in pairs]
                )
            }
            planned = {h.id for h in highlights}
            if any(s[2] not in planned for s in store.spans(self.document_id)):
                raise Conflict(
                    f"highlights were made in the old text of “{seen[0].title}” while it was "
                    "being updated (by someone else?); nothing was changed: update it again."
                )
        pairs = [(old, stored[old.id]) for old, _new in pairs]  # all there: one transaction
        self.version = version
        self.updated = store.document_by_sha256(sha256_text(self.new.text))
        self.outcomes = outcomes
        self._ids = planned
        self._before = [old for old, _new in pairs]
        self._after = [new for _old, new in pairs]
        reasons = {o.key: str(o.reason) for o in outcomes}
        changed = {h.id: h for h in self._after}
        self.orphaned = [
            (changed.get(h.id, h), reasons[h.id])
            for h in highlights
            if changed.get(h.id, h).orphaned
        ]
        return highlights_changed(pairs) | Changes(
            documents=True,
            everything=True,  # the text itself changed: every view shows it again
        )

    def undo(self, store: ProjectStore) -> Changes:
        assert self.version is not None  # done before it is undone
        title = self.version.document.title
        with store.batch():
            if store.document(self.document_id).info.sha256 != sha256_text(self.new.text):
                raise Conflict(f"“{title}” has been changed since (in another window?)")
            where = HighlightFilter(document_ids=(self.document_id,))
            if any(h.id not in self._ids for h in store.highlights(where)):
                raise ClaimmarkError(
                    f"highlights have been made in the new text of “{title}” since (in another "
                    "window?), and would not fit the old one"
                )
            store.restore_version(self.version, expected=self.updated)
            # Refused if one was moved, placed or deleted since: it would not be where undo
            # puts it back (a retag or a note meanwhile stays).
            restored = {
                h.id: h for h in store.set_highlight_places(self._before, expected=self._after)
            }
        pairs = [(h, restored[h.id]) for h in self._after]
        return highlights_changed(pairs) | Changes(documents=True, everything=True)

    def _read(self, store: ProjectStore) -> tuple[DocumentInfo, list[Highlight]]:
        """The document as it is (without its text) and all its highlights, orphans too."""
        where = HighlightFilter(document_ids=(self.document_id,), orphaned=None)
        return store.document(self.document_id).info, store.highlights(where)

    def _plan(
        self, store: ProjectStore
    ) -> tuple[tuple[DocumentInfo, list[Highlight]], list[Highlight], list[reanchor.Outcome]]:
        """What was read, the document's highlights, and where re-anchoring puts each: placed
        ones from the document's text, orphans from the text of the version they are from."""
        seen = self._read(store)
        highlights = seen[1]
        old_texts: dict[int | None, str] = {None: store.document(self.document_id).text}
        if any(h.orphaned for h in highlights):
            old_texts.update(
                (v.id, v.document.text) for v in store.document_versions(self.document_id)
            )
        outcomes: dict[Hashable, reanchor.Outcome] = {}
        for version_id, text in old_texts.items():
            group = [h for h in highlights if h.orphaned_version == version_id]
            outcomes.update((o.key, o) for o in _reanchor(text, self.new.text, group))
        return (
            seen,
            highlights,
            [
                outcomes.get(h.id)
                or reanchor.Outcome(
                    h.id, reanchor.Status.ORPHANED, reason=reanchor.Reason.NOT_FOUND
                )
                for h in highlights
            ],
        )


def _reanchor(old_text: str, new_text: str, highlights: list[Highlight]) -> list[reanchor.Outcome]:
    anchors = [
        reanchor.Anchor(h.id, h.start, h.end, h.quote, h.prefix, h.suffix) for h in highlights
    ]
    return reanchor.reanchor(old_text, new_text, anchors)


def _replaced(
    h: Highlight, outcome: reanchor.Outcome, text: str, version_id: int, now: str
) -> Highlight:
    """A highlight as re-anchoring leaves it: in its new place with the quote and context
    there, or else an orphan (of the version `version_id`, unless it was one already). Its
    change time is now when its place, quote or state changed, not for new context alone."""
    if outcome.start is None or outcome.end is None:
        return h if h.orphaned else h._replace(orphaned_version=version_id, updated_at=now)
    start, end = outcome.start, outcome.end
    prefix, suffix = anchoring.context(text, start, end)
    quote = text[start:end]
    moved = h.orphaned or (start, end, quote) != (h.start, h.end, h.quote)
    return h._replace(
        start=start,
        end=end,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        orphaned_version=None,
        updated_at=now if moved else h.updated_at,
    )


class PlaceOrphan:
    """Place an orphan on a passage of its document's text that the user chose: it takes the
    passage (trimmed of spaces at its edges) as its quote, with the context there."""

    def __init__(self, store: ProjectStore, orphan: Highlight, start: int, end: int) -> None:
        if not orphan.orphaned:
            raise ClaimmarkError("This highlight is in its place in the text already.")
        text = store.text(orphan.document_id)
        start, end = anchoring.trim_span(text, start, end)
        if start >= end:
            raise ClaimmarkError("Select the passage to place the orphaned highlight on first.")
        prefix, suffix = anchoring.context(text, start, end)
        self.orphan = orphan
        self.placed = orphan._replace(
            start=start,
            end=end,
            quote=text[start:end],
            prefix=prefix,
            suffix=suffix,
            orphaned_version=None,
            updated_at=utc_now(),
        )
        self.label = f"Place orphaned {_tag_name(store, orphan.tag_id)}"

    def do(self, store: ProjectStore) -> Changes:
        with store.batch():
            if not store.highlight(self.orphan.id).orphaned:
                raise Conflict("it has been placed already (in another window?)")
            [self.placed] = store.set_highlight_places([self.placed], expected=[self.orphan])
        return Changes(added=(self.placed,), orphans=True)

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():
            shown = store.highlight(self.orphan.id)
            # Refused if it was moved or deleted since it was placed.
            store.set_highlight_places([self.orphan], expected=[self.placed])
        return Changes(removed=(shown,), orphans=True)
