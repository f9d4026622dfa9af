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
from desktop.core.model import Highlight, Tag

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
        self._run(self.apply)

    def undo(self) -> None:
        self._run(self.revert)

    def _run(self, step: Callable[[], None]) -> None:
        """Run an undo or redo step; one that cannot be done leaves the stack, with a message."""
        try:
            step()
        except ClaimmarkError as e:
            self.session.failed.emit(f"Cannot {self.text().lower()}: {e}")
            self.setObsolete(True)

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
        self.session.store.insert_highlights([self.h], keep_ids=True)
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
    """A retag or a note edit: both swap one version of the highlight for another."""

    def __init__(self, session: Session, old: Highlight, new: Highlight, text: str) -> None:
        super().__init__(session, text)
        self.old = old
        self.new = new

    def apply(self) -> None:
        self.session.store.replace_highlight(self.new)
        self.session.announce_changed(self.old, self.new)

    def revert(self) -> None:
        self.session.store.replace_highlight(self.old)
        self.session.announce_changed(self.new, self.old)


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
        self.session.store.delete_tag(self.tag.id)
        self.session.refresh_tags()
        self.session.reloaded.emit()

    def revert(self) -> None:
        self.session.store.restore_tag(self.tag, self.highlights)
        self.session.refresh_tags()
        self.session.reloaded.emit()


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
