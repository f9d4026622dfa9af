"""The tag panel: a button per tag (colour, name, key, count in the open document), and the
dialog that edits a tag. The panel follows the session; what its buttons and menus ask for is
done by the tag controller (tag_editing.py)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import Changes
from desktop.core.model import Rating, RelationType, Tag
from desktop.ui.session import Session


def swatch(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class TagButton(QPushButton):
    """Applies its tag. It never takes focus, so the selection in the text stays."""

    def __init__(self, tag: Tag, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.tag = tag
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setIcon(swatch(tag.colour, 16))
        self.set_count(0)
        self.setToolTip(
            "Tag the selected passage"
            + (f" (key {tag.key})" if tag.key else "")
            + "; right-click to edit, move or delete this tag"
        )
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setStyleSheet(
            "QPushButton { text-align: left; padding: 6px 8px; "
            f"border-left: 6px solid {tag.colour}; }}"
        )

    def set_count(self, count: int) -> None:
        key = f"   [{self.tag.key}]" if self.tag.key else ""
        self.setText(f"{self.tag.name.replace('&', '&&')}{key}   {count}")
        self.setAccessibleName(f"Tag {self.tag.name}, {count} in this document")


class TagPanel(QWidget):
    """Buttons for the tags, in order, with counts for the open document."""

    tag_clicked = Signal(int)  # tag id
    add_requested = Signal()
    edit_requested = Signal(object)  # Tag
    move_requested = Signal(object, int)  # Tag, -1 or +1
    delete_requested = Signal(object)  # Tag
    guidelines_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("tagPanel")
        self._buttons: list[TagButton] = []
        heading = QLabel("<b>Tags</b>")
        hint = QLabel("Select a passage, then press a tag's key or click the tag.")
        hint.setWordWrap(True)
        hint.setTextFormat(Qt.TextFormat.PlainText)
        self._button_box = QVBoxLayout()
        self._button_box.setSpacing(4)
        add = QToolButton()
        add.setText("Add tag…")
        add.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        add.clicked.connect(self.add_requested)
        guide = QToolButton()
        guide.setText("Guidelines")
        guide.setToolTip("What counts as a claim, evidence or opinion (F1)")
        guide.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        guide.clicked.connect(self.guidelines_requested)
        tools = QHBoxLayout()
        tools.addWidget(add)
        tools.addWidget(guide)
        tools.addStretch()
        # The buttons scroll when they are more than fit (dozens of tags, a big font on a small
        # screen) rather than being squeezed until their names are cut.
        listed = QWidget()
        listed_layout = QVBoxLayout(listed)
        listed_layout.setContentsMargins(0, 0, 0, 0)
        listed_layout.addLayout(self._button_box)
        listed_layout.addLayout(tools)
        listed_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidget(listed)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # a click on a tag leaves the text's
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(hint)
        layout.addWidget(scroll, 1)
        self.set_tags(session.summary.tags)
        session.changed.connect(self._on_changes)
        session.document_opened.connect(lambda _id: self._show_counts())
        session.shown_annotators_changed.connect(lambda _whose: self._show_counts())

    def _on_changes(self, changes: Changes) -> None:
        if changes.tags or changes.everything:
            self.set_tags(self.session.summary.tags)
        self._show_counts()

    def _show_counts(self) -> None:
        doc = self.session.document_id
        whose = self.session.shown_annotators  # blind mode: mine only
        self.set_counts(self.session.summary.counts(doc, whose) if doc is not None else {})

    def set_tags(self, tags: list[Tag]) -> None:
        for button in self._buttons:
            self._button_box.removeWidget(button)
            button.hide()
            button.deleteLater()
        self._buttons = []
        for tag in tags:
            button = TagButton(tag, self)
            button.clicked.connect(lambda _checked=False, t=tag: self.tag_clicked.emit(t.id))
            button.customContextMenuRequested.connect(
                lambda pos, b=button: self._menu(b, b.mapToGlobal(pos))
            )
            self._button_box.addWidget(button)
            self._buttons.append(button)

    def set_counts(self, counts: dict[int, int]) -> None:
        """Highlights per tag in the open document."""
        for button in self._buttons:
            button.set_count(counts.get(button.tag.id, 0))

    def buttons(self) -> list[TagButton]:
        return list(self._buttons)

    def _menu(self, button: TagButton, where: object) -> None:
        tag = button.tag
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.addAction("Edit…", lambda: self.edit_requested.emit(tag))
        menu.addAction("Move up", lambda: self.move_requested.emit(tag, -1))
        menu.addAction("Move down", lambda: self.move_requested.emit(tag, 1))
        menu.addSeparator()
        menu.addAction("Delete…", lambda: self.delete_requested.emit(tag))
        menu.popup(where)  # type: ignore[arg-type]


class TagDialog(QDialog):
    """Name, colour and key of a new or existing tag (or link type, or verdict: `noun`)."""

    def __init__(
        self,
        parent: QWidget | None,
        tag: Tag | RelationType | Rating | None,
        colour: str,
        noun: str = "Tag",
    ) -> None:
        super().__init__(parent)
        self.noun = noun
        self.setWindowTitle(f"Edit {noun}" if tag else f"Add {noun}")
        self.name = QLineEdit(tag.name if tag else "")
        self.name.setMaxLength(60)
        self.key = QLineEdit(tag.key if tag else "")
        self.key.setMaxLength(1)
        self.key.setPlaceholderText("none")
        self.key.setToolTip(f"One character to press for this {noun.lower()}; empty for none")
        self.colour = tag.colour if tag else colour
        self.colour_button = QPushButton()
        self.colour_button.clicked.connect(self._pick_colour)
        self._show_colour()
        self.form = QFormLayout()
        self.form.addRow("&Name:", self.name)
        self.form.addRow("&Colour:", self.colour_button)
        self.form.addRow("&Key:", self.key)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(buttons)

    def _show_colour(self) -> None:
        self.colour_button.setIcon(swatch(self.colour, 16))
        self.colour_button.setText(self.colour)

    def _pick_colour(self) -> None:
        chosen = QColorDialog.getColor(QColor(self.colour), self, f"{self.noun} Colour")
        if chosen.isValid():
            self.colour = chosen.name().upper()
            self._show_colour()

    def values(self) -> tuple[str, str, str]:
        return self.name.text().strip(), self.colour, self.key.text().strip()
