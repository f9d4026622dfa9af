"""The user's changes to a project as reversible operations.

Each operation knows how to do itself and how to undo itself against a store, and returns the
`Changes` it made. Doing it again after an undo (redo) takes the very same path as doing it the
first time: the record made for the first `do` (a highlight with its id and uuid, a tag with its
id) is stored again as it was. What hangs on a deleted thing is kept with the deletion and put
back by its undo: a tag's or a document's highlights.

Operations are plain Python: the window wraps each in an undo command (ui/commands.py), the
command line and the tests run them directly. A step that cannot be done raises ClaimmarkError
and leaves the project as it was (every store call is one transaction).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from desktop.core import anchoring
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import Document, Highlight, Tag
from desktop.core.store import ProjectStore
from desktop.core.timeutil import utc_now


class Operation(Protocol):
    """A change to a project that can be undone."""

    @property
    def label(self) -> str:
        """What it does, for people: "Highlight as claim", "Delete tag opinion"."""
        ...

    def do(self, store: ProjectStore) -> Changes: ...

    def undo(self, store: ProjectStore) -> Changes: ...


def _tag_name(store: ProjectStore, tag_id: int) -> str:
    return next((t.name for t in store.tags() if t.id == tag_id), "tag")


class AddHighlight:
    """Highlight [start, end) of a document with a tag."""

    def __init__(
        self, store: ProjectStore, document_id: int, start: int, end: int, tag_id: int
    ) -> None:
        self.highlight = anchoring.new_highlight(
            store.text(document_id), document_id, start, end, tag_id, store.annotator
        )
        self.label = f"Highlight as {_tag_name(store, tag_id)}"

    def do(self, store: ProjectStore) -> Changes:
        self.highlight = store.insert_highlight(self.highlight)  # keeps its id once it has one
        return Changes(added=(self.highlight,))

    def undo(self, store: ProjectStore) -> Changes:
        return Changes(removed=(store.delete_highlight(self.highlight.id),))


class DeleteHighlight:
    def __init__(self, highlight: Highlight) -> None:
        self.highlight = highlight
        self.label = "Delete highlight"

    def do(self, store: ProjectStore) -> Changes:
        # As it is now: another window may have changed it since it was shown.
        self.highlight = store.delete_highlight(self.highlight.id)
        return Changes(removed=(self.highlight,))

    def undo(self, store: ProjectStore) -> Changes:
        return Changes(added=(store.insert_highlight(self.highlight),))


class ChangeHighlight:
    """A retag or a note edit. Undo puts back only the field it changed (and the update time),
    so a change another window made to the other field meanwhile stays."""

    def __init__(
        self, highlight: Highlight, *, tag_id: int | None = None, note: str | None = None
    ) -> None:
        if (tag_id is None) == (note is None):
            raise ValueError("change either the tag or the note")
        self.highlight = highlight
        self.tag_id = tag_id
        self.note = note
        self.changed_at = utc_now()
        self.label = "Retag highlight" if tag_id is not None else "Edit note"

    def do(self, store: ProjectStore) -> Changes:
        before = store.highlight(self.highlight.id)
        after = store.update_highlight(
            self.highlight.id, tag_id=self.tag_id, note=self.note, updated_at=self.changed_at
        )
        return Changes(changed=((before, after),))

    def undo(self, store: ProjectStore) -> Changes:
        old = self.highlight
        before = store.highlight(old.id)
        after = store.update_highlight(
            old.id,
            tag_id=None if self.tag_id is None else old.tag_id,
            note=None if self.note is None else old.note,
            updated_at=old.updated_at,
        )
        return Changes(changed=((before, after),))


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
                f"the tag “{self.tag.name}” now holds {used} highlight{'s' if used != 1 else ''}"
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
        self.label = f"Delete tag {tag.name}"

    def do(self, store: ProjectStore) -> Changes:
        # What it holds now, which may be more than the first time (other windows, imports).
        self.tag, self.highlights = store.delete_tag(self.tag.id)
        return Changes(removed=tuple(self.highlights), tags=True)

    def undo(self, store: ProjectStore) -> Changes:
        store.restore_tag(self.tag, self.highlights)
        return Changes(added=tuple(self.highlights), tags=True)


class DeleteDocument:
    """Delete a document with its highlights; undo brings both back."""

    def __init__(self, document_id: int, title: str) -> None:
        self.document_id = document_id
        self.document: Document | None = None
        self.highlights: list[Highlight] = []
        self.label = f"Delete document {title[:40]}"

    def do(self, store: ProjectStore) -> Changes:
        self.document, self.highlights = store.delete_document(self.document_id)
        return Changes(removed=tuple(self.highlights), documents=True)

    def undo(self, store: ProjectStore) -> Changes:
        assert self.document is not None  # done before it is undone
        store.restore_document(self.document, self.highlights)
        return Changes(added=tuple(self.highlights), documents=True)
