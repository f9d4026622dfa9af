"""Tags from the keyboard and the tag panel: one action per tag (its key tags the selection),
and adding, editing, moving and deleting tags as undoable operations."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QWidget

from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.model import Tag
from desktop.core.operations import Operation
from desktop.core.schema import free_colour
from desktop.core.wording import counted
from desktop.ui import dialogs, tag_panel
from desktop.ui.editing import Editing
from desktop.ui.session import Session
from desktop.ui.tag_panel import TagPanel


class TagEditing(QObject):
    def __init__(
        self,
        session: Session,
        editing: Editing,
        panel: TagPanel,
        menu: QMenu,
        text: QWidget,
        window: QMainWindow,
        reserved_keys: Callable[[], dict[str, str]],
    ) -> None:
        """`menu` gets an item per tag, `text` the tags' keys; a tag may not take one of
        `reserved_keys()` (single keys of the text's own actions: key -> what it does)."""
        super().__init__(window)
        self.session = session
        self.editing = editing
        self.menu = menu
        self.text = text
        self.window = window
        self.reserved_keys = reserved_keys
        self.tag_actions: list[QAction] = []
        self._menu_tail = menu.actions()  # the fixed items, after the tags
        panel.tag_clicked.connect(editing.apply_tag)
        panel.add_requested.connect(self.add_tag)
        panel.edit_requested.connect(self.edit_tag)
        panel.move_requested.connect(self.move_tag)
        panel.delete_requested.connect(self.delete_tag)
        session.changed.connect(self._on_changes)
        self._rebuild_actions()

    def _on_changes(self, changes: Changes) -> None:
        if changes.tags or changes.everything:
            self._rebuild_actions()

    def _rebuild_actions(self) -> None:
        """One action per tag, keyed by the tag's key, firing only in the text."""
        for action in self.tag_actions:
            self.text.removeAction(action)
            self.menu.removeAction(action)
            action.deleteLater()
        self.tag_actions = []
        first = self._menu_tail[0] if self._menu_tail else None
        for tag in self.session.summary.tags:
            action = QAction(f"Tag as {tag.name.replace('&', '&&')}", self)
            if tag.key:
                action.setShortcut(QKeySequence(tag.key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, t=tag.id: self.editing.apply_tag(t))
            self.text.addAction(action)
            self.menu.insertAction(first, action)
            self.tag_actions.append(action)

    # Managing tags -------------------------------------------------------------------------

    def add_tag(self) -> None:
        colour = free_colour({t.colour.upper() for t in self.session.summary.tags})
        self._tag_dialog(None, colour, lambda *values: operations.AddTag(*values))

    def edit_tag(self, tag: Tag) -> None:
        self._tag_dialog(tag, tag.colour, lambda *values: operations.EditTag(tag, *values))

    def _tag_dialog(
        self, tag: Tag | None, colour: str, operation: Callable[[str, str, str], Operation]
    ) -> None:
        """Ask for a tag's name, colour and key until they are accepted or the user cancels."""
        dialog = tag_panel.TagDialog(self.window, tag, colour)

        def operation_for() -> Operation | str | None:
            name, colour, key = dialog.values()
            taken = self.reserved_keys().get(key.casefold()) if key else None
            if taken:
                return f"The key {key} is taken by {taken}; choose another."
            if tag is not None and (name, colour.upper(), key) == (
                tag.name,
                tag.colour.upper(),
                tag.key,
            ):
                return None  # nothing changed: nothing to undo
            return operation(name, colour, key)

        edit_in_dialog(self.session, self.window, dialog, operation_for)

    def move_tag(self, tag: Tag, delta: int) -> None:
        order = [t.id for t in self.session.summary.tags]
        i = order.index(tag.id)
        j = max(0, min(len(order) - 1, i + delta))
        if i != j:
            new_order = order[:]
            new_order.insert(j, new_order.pop(i))
            self.session.run(operations.ReorderTags(order, new_order))

    def delete_tag(self, tag: Tag) -> None:
        used = self.session.store.tag_usage(tag.id)
        text = f"Delete the tag “{tag.name}”?"
        if used:
            text += (
                f"\n\nIt holds {counted(used, 'highlight')}, which will be deleted "
                "with it. You can undo this (Ctrl+Z)."
            )
        if dialogs.ask(self.window, text, "Delete Tag"):
            self.session.run(operations.DeleteTag(tag))


def edit_in_dialog(
    session: Session,
    parent: QWidget,
    dialog: QDialog,
    operation_for: Callable[[], Operation | str | None],
) -> None:
    """Show `dialog` until what it holds is saved or the user cancels. `operation_for()` reads
    the dialog: the operation to run, None when nothing changed (the dialog closes), or a
    message to show before asking again. A refused operation asks again too."""
    try:
        while dialog.exec():
            outcome = operation_for()
            if outcome is None:
                return
            if isinstance(outcome, str):
                dialogs.show_message(parent, outcome)
            elif session.run(outcome):
                return
    finally:
        dialog.deleteLater()
