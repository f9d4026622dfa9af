"""Undo and redo: one QUndoCommand per user operation, each step saved in the store.

The operation itself has already run (and committed) when its command is pushed, so the first
`redo()` that QUndoStack.push calls does nothing. Undoing a deletion puts back the same highlight,
with its id and uuid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoCommand

from desktop.core.errors import ClaimmarkError
from desktop.core.model import Document, Highlight, Tag

if TYPE_CHECKING:
    from desktop.ui.session import Session


class Command(QUndoCommand):
    def __init__(self, session: Session, text: str) -> None:
        super().__init__(text)
        self.session = session
        self._pushed = False

    def redo(self) -> None:
        if not self._pushed:  # the operation ran before the push
            self._pushed = True
            return
        self._run(self.apply, "redo")

    def undo(self) -> None:
        self._run(self.revert, "undo")

    def _run(self, step: Callable[[], None], verb: str) -> None:
        """Run an undo or redo step. One that cannot be done (the project changed under it, in
        another window or by an import) leaves the stack, and the user is told why; the project
        is left as it is, and the window shows it as it is."""
        try:
            step()
        except ClaimmarkError as e:
            self.session.failed.emit(f"Cannot {verb} “{self.text()}”: {e}")
            self.setObsolete(True)
            self.session.reloaded.emit()

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddHighlight(Command):
    def __init__(self, session: Session, h: Highlight) -> None:
        tag = session.tag(h.tag_id)
        super().__init__(session, f"Highlight as {tag.name if tag else 'tag'}")
        self.h = h

    def apply(self) -> None:
        if not self.session.store.insert_highlights([self.h], keep_ids=True):
            raise ClaimmarkError("the highlight is in the project again already (imported?)")
        self.session.announce_added(self.h)

    def revert(self) -> None:
        self.session.store.delete_highlight(self.h.id)
        self.session.announce_removed(self.h)


class DeleteHighlight(AddHighlight):
    def __init__(self, session: Session, h: Highlight) -> None:
        super().__init__(session, h)
        self.setText("Delete highlight")

    def apply(self) -> None:
        AddHighlight.revert(self)

    def revert(self) -> None:
        AddHighlight.apply(self)


class ChangeHighlight(Command):
    """A retag or a note edit: puts one field back as it was, or again as it was made."""

    def __init__(
        self, session: Session, old: Highlight, new: Highlight, field: str, text: str
    ) -> None:
        super().__init__(session, text)
        self.old = old
        self.new = new
        self.field = field  # "tag_id" or "note": the other is left as it is now

    def apply(self) -> None:
        self._swap(self.old, self.new)

    def revert(self) -> None:
        self._swap(self.new, self.old)

    def _swap(self, before: Highlight, after: Highlight) -> None:
        store = self.session.store
        shown = store.highlight(after.id)  # as it is now (another window may have edited it)
        store.replace_highlight(after, self.field)
        now = store.highlight(after.id)
        self.session.announce_changed(shown, now)


class AddTag(Command):
    def __init__(self, session: Session, tag: Tag) -> None:
        super().__init__(session, f"Add tag {tag.name}")
        self.tag = tag

    def apply(self) -> None:
        self.session.store.restore_tag(self.tag, [])
        self.session.refresh_tags()

    def revert(self) -> None:
        used = self.session.store.tag_usage(self.tag.id)
        if used:  # made since, in another window or by an import: not ours to delete
            raise ClaimmarkError(
                f"the tag “{self.tag.name}” now holds {used} highlight{'s' if used != 1 else ''}"
                "; delete it from the tag panel if that is what you want."
            )
        self.session.store.delete_tag(self.tag.id)
        self.session.refresh_tags()


class EditTag(Command):
    def __init__(self, session: Session, old: Tag, new: Tag) -> None:
        super().__init__(session, f"Edit tag {old.name}")
        self.old = old
        self.new = new

    def _set(self, tag: Tag) -> None:
        self.session.store.update_tag(tag.id, name=tag.name, colour=tag.colour, key=tag.key)
        self.session.refresh_tags()

    def apply(self) -> None:
        self._set(self.new)

    def revert(self) -> None:
        self._set(self.old)


class DeleteTag(Command):
    def __init__(self, session: Session, tag: Tag, highlights: Sequence[Highlight]) -> None:
        super().__init__(session, f"Delete tag {tag.name}")
        self.tag = tag
        self.highlights = list(highlights)

    def apply(self) -> None:
        # What it holds now, which may be more than the first time (other windows, imports).
        _, self.highlights = self.session.store.delete_tag(self.tag.id)
        self.session.refresh_tags(reload=True)

    def revert(self) -> None:
        self.session.store.restore_tag(self.tag, self.highlights)
        self.session.refresh_tags(reload=True)


class ReorderTags(Command):
    def __init__(self, session: Session, old: list[int], new: list[int]) -> None:
        super().__init__(session, "Reorder tags")
        self.old = old
        self.new = new

    def apply(self) -> None:
        self.session.store.set_tag_order(self.new)
        self.session.refresh_tags()

    def revert(self) -> None:
        self.session.store.set_tag_order(self.old)
        self.session.refresh_tags()


class DeleteDocument(Command):
    def __init__(
        self, session: Session, document: Document, highlights: Sequence[Highlight]
    ) -> None:
        super().__init__(session, f"Delete document {document.title[:40]}")
        self.document = document
        self.highlights = list(highlights)

    def apply(self) -> None:
        _, self.highlights = self.session.store.delete_document(self.document.id)
        self.session.reload()

    def revert(self) -> None:
        self.session.store.restore_document(self.document, self.highlights)
        self.session.reload()
