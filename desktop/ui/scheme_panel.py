"""The link types and the rating scale of the project, under the tags: each a small list with its
colour and key; double-click or the context menu edits or deletes one, "Add…" adds one. What
they ask for is done by the scheme controller (scheme_editing.py)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import Changes
from desktop.core.model import Rating
from desktop.ui.session import Session
from desktop.ui.tag_panel import TagDialog, swatch

ITEM_ROLE = Qt.ItemDataRole.UserRole + 1


class _Section(QWidget):
    """A heading, a short list and an Add button."""

    add_requested = Signal()
    edit_requested = Signal(object)
    delete_requested = Signal(object)

    def __init__(self, heading: str, add_text: str, tip: str) -> None:
        super().__init__()
        title = QLabel(f"<b>{heading}</b>")
        self.list = QListWidget()
        self.list.setToolTip(tip)
        self.list.setAccessibleName(heading)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._menu)
        self.list.itemActivated.connect(lambda item: self.edit_requested.emit(item.data(ITEM_ROLE)))
        add = QToolButton()
        add.setText(add_text)
        add.clicked.connect(self.add_requested)
        row = QHBoxLayout()
        row.addWidget(title)
        row.addStretch()
        row.addWidget(add)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.list)

    def fill(self, items: list[tuple[str, str, object]]) -> None:
        """(text, colour, item) in order."""
        self.list.clear()
        for text, colour, item in items:
            entry = QListWidgetItem(swatch(colour), text)
            entry.setData(ITEM_ROLE, item)
            self.list.addItem(entry)
        rows = max(2, min(len(items), 6))
        self.list.setFixedHeight(self.list.sizeHintForRow(0) * rows + 6 if items else 40)

    def _menu(self, pos: QPoint) -> None:
        item = self.list.itemAt(pos)
        if item is None:
            return
        value = item.data(ITEM_ROLE)
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Edit…", lambda: self.edit_requested.emit(value))
        menu.addAction("Delete…", lambda: self.delete_requested.emit(value))
        menu.popup(self.list.viewport().mapToGlobal(pos))


class SchemePanel(QWidget):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("schemePanel")
        self.types = _Section(
            "Link types",
            "Add…",
            "What a link says (L links the highlight under the cursor); double-click to edit",
        )
        self.ratings = _Section(
            "Verdicts",
            "Add…",
            "The rating scale for claims, best first (V gives a verdict); double-click to edit",
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 4)
        layout.addWidget(self.types)
        layout.addWidget(self.ratings)
        layout.addStretch()
        session.changed.connect(self._on_changes)
        self._fill()

    def _on_changes(self, changes: Changes) -> None:
        if changes.relation_types or changes.ratings or changes.everything:
            self._fill()

    def _fill(self) -> None:
        summary = self.session.summary
        self.types.fill([(_label(t.name, t.key), t.colour, t) for t in summary.relation_types])
        self.ratings.fill(
            [(_label(f"{r.name} ({r.value})", r.key), r.colour, r) for r in summary.ratings]
        )


def _label(name: str, key: str) -> str:
    return f"{name}   [{key}]" if key else name


class RatingDialog(TagDialog):
    """Name, value on the scale, colour and key of a rating."""

    def __init__(self, parent: QWidget | None, rating: Rating | None, value: int) -> None:
        super().__init__(parent, rating, "#999999", noun="Verdict")
        self.value = QSpinBox()
        self.value.setRange(-99, 99)
        self.value.setValue(rating.value if rating else value)
        self.value.setToolTip("Its place on the scale: the highest is the best rating")
        self.form.insertRow(1, "&Value:", self.value)

    def values(self) -> tuple[str, int, str, str]:
        return self.name.text().strip(), self.value.value(), self.colour, self.key.text().strip()
