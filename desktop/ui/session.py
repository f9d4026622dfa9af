"""The open project as the window sees it: the store, the undo stack, and change signals.

Every change made in the window goes through here as an undoable command (imports, which run
in the background, are not; a backup undoes them). The store call runs first and
commits; only when it succeeded is the command pushed and the change announced, so nothing is
shown as done that is not saved.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight, Tag
from desktop.core.sqlite_store import SqliteStore
from desktop.ui import commands

log = logging.getLogger(__name__)
T = TypeVar("T")


class Session(QObject):
    """One open project."""

    highlight_added = Signal(object)  # Highlight
    highlight_removed = Signal(object)  # Highlight
    highlight_changed = Signal(object, object)  # old, new Highlight
    tags_changed = Signal()
    reloaded = Signal()  # anything may have changed (import, another window, restore)
    failed = Signal(str)  # a message for the user

    def __init__(self, store: SqliteStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self.tags: list[Tag] = store.tags()
        self._seen_version = store.data_version()

    # Helpers ------------------------------------------------------------------------------

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run a store operation; on failure report it and return None.

        Operations used this way return a value on success (the record they made or changed).
        """
        try:
            return action()
        except ClaimmarkError as e:
            log.warning("operation failed: %s", e)
            self.failed.emit(str(e))
            return None

    def tag(self, tag_id: int) -> Tag | None:
        return next((t for t in self.tags if t.id == tag_id), None)

    def reload(self) -> None:
        """Re-read everything (after an import, or a change made by another window)."""
        self.tags = self.store.tags()
        self._seen_version = self.store.data_version()
        self.reloaded.emit()

    def changed_elsewhere(self) -> bool:
        """True when another connection has committed since we last looked."""
        try:
            return self.store.data_version() != self._seen_version
        except Exception:  # a closed or broken connection: nothing to refresh from
            log.exception("cannot read the data version")
            return False

    # Undoable operations -------------------------------------------------------------------

    def create_highlight(
        self, document_id: int, start: int, end: int, tag_id: int
    ) -> Highlight | None:
        h = self.attempt(lambda: self.store.add_highlight(document_id, start, end, tag_id))
        if h is not None:
            self._push(commands.AddHighlight(self, h))
            self.announce_added(h)
        return h

    def delete_highlight(self, h: Highlight) -> bool:
        if self.attempt(lambda: self.store.delete_highlight(h.id)) is None:
            return False
        self._push(commands.DeleteHighlight(self, h))
        self.announce_removed(h)
        return True

    def retag_highlight(self, h: Highlight, tag_id: int) -> Highlight | None:
        if h.tag_id == tag_id:
            return h
        action = lambda: self.store.retag_highlight(h.id, tag_id)  # noqa: E731
        return self._change(h, action, "tag_id", "Retag highlight")

    def set_note(self, h: Highlight, note: str) -> Highlight | None:
        if h.note == note:
            return h
        return self._change(h, lambda: self.store.set_note(h.id, note), "note", "Edit note")

    def _change(
        self, h: Highlight, action: Callable[[], Highlight], field: str, text: str
    ) -> Highlight | None:
        new = self.attempt(action)
        if new is not None:
            self._push(commands.ChangeHighlight(self, h, new, field, text))
            self.announce_changed(h, new)
        return new

    def delete_document(self, document_id: int) -> bool:
        result = self.attempt(lambda: self.store.delete_document(document_id))
        if result is None:
            return False
        self._push(commands.DeleteDocument(self, *result))
        self.reload()
        return True

    def add_tag(self, name: str, colour: str, key: str) -> Tag | None:
        tag = self.attempt(lambda: self.store.add_tag(name, colour, key))
        if tag is not None:
            self._push(commands.AddTag(self, tag))
            self.refresh_tags()
        return tag

    def edit_tag(self, tag: Tag, name: str, colour: str, key: str) -> Tag | None:
        new = self.attempt(lambda: self.store.update_tag(tag.id, name=name, colour=colour, key=key))
        if new is not None and new != tag:
            self._push(commands.EditTag(self, tag, new))
            self.refresh_tags()
        return new

    def delete_tag(self, tag: Tag) -> bool:
        result = self.attempt(lambda: self.store.delete_tag(tag.id))
        if result is None:
            return False
        _, removed = result
        self._push(commands.DeleteTag(self, tag, removed))
        self.refresh_tags(reload=True)
        return True

    def move_tag(self, tag: Tag, delta: int) -> None:
        order = [t.id for t in self.tags]
        i = order.index(tag.id)
        j = max(0, min(len(order) - 1, i + delta))
        if i == j:
            return
        new_order = order[:]
        new_order.insert(j, new_order.pop(i))
        if self.attempt(lambda: self.store.set_tag_order(new_order)) is None:
            return
        self._push(commands.ReorderTags(self, order, new_order))
        self.refresh_tags()

    def _push(self, command: commands.Command) -> None:
        self.undo_stack.push(command)

    # Announcements (also used by the commands on undo and redo) ---------------------------

    def announce_added(self, h: Highlight) -> None:
        self.highlight_added.emit(h)

    def announce_removed(self, h: Highlight) -> None:
        self.highlight_removed.emit(h)

    def announce_changed(self, old: Highlight, new: Highlight) -> None:
        self.highlight_changed.emit(old, new)

    def refresh_tags(self, *, reload: bool = False) -> None:
        """Re-read the tags; `reload` when highlights changed with them (a tag deletion)."""
        self.tags = self.store.tags()
        if reload:
            self.reloaded.emit()  # redraws the tags too
        else:
            self.tags_changed.emit()
