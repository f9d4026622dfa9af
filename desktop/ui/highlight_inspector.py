"""The highlight under the cursor, in the right column: its tag, verdict and note, and its links,
each a jump target (Enter or double-click; Delete removes the link, undoably)."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap, QShowEvent
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight, Link
from desktop.core.wording import counted
from desktop.ui.session import Session

LINK_ROLE = Qt.ItemDataRole.UserRole + 1
QUOTE_CHARS = 60


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(10, 10)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _short(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class HighlightInspector(QWidget):
    jump_requested = Signal(int)  # highlight id
    delete_link_requested = Signal(object)  # Link

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("highlightInspector")
        self.highlight: Highlight | None = None
        # While hidden (another tab, the side panel off) nothing is read: what to show, and
        # whether it is to be read again when shown.
        self._wanted: int | None = None
        self._stale = False
        heading = QLabel("<b>This highlight</b>")
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.links = QListWidget()
        self.links.setObjectName("highlightLinks")
        self.links.setAccessibleName("Links of the highlight under the cursor")
        self.links.setToolTip("Enter or double-click: go there. Delete: remove the link.")
        self.links.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.links.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(heading)
        layout.addWidget(self.summary)
        layout.addWidget(self.links, 1)
        self.links.itemActivated.connect(self._activated)
        remove = QAction("Delete Link", self.links)
        remove.setShortcuts([QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)])
        remove.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        remove.triggered.connect(self._delete_current)
        self.links.addAction(remove)
        session.changed.connect(self._on_changes)
        session.shown_annotators_changed.connect(lambda _whose: self.show_highlight(self._wanted))
        self._fill()

    def show_highlight(self, highlight_id: int | None) -> None:
        """Show the highlight with this id (None: the cursor is in none); while hidden, once
        shown again."""
        self._wanted = highlight_id
        self._stale = not self.isVisible()
        if self._stale:
            return
        h = None
        if highlight_id is not None:
            try:
                h = self.session.store.highlight(highlight_id)
            except ClaimmarkError:
                h = None
        self.highlight = h
        self._fill()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.show_highlight(self._wanted)

    def _on_changes(self, changes: Changes) -> None:
        if not self.isVisible():
            self._stale = True  # its verdict, note or links may have changed: read when shown
            return
        h = self.highlight
        if h is None:
            return
        touched = {x.id for x in changes.removed} | {new.id for _old, new in changes.changed}
        if (
            changes.everything
            or changes.links
            or changes.relation_types
            or changes.ratings
            or changes.tags
            or h.id in touched
        ):
            self.show_highlight(h.id)

    def _fill(self) -> None:
        self.links.clear()
        h = self.highlight
        if h is None:
            self.summary.setText("Put the cursor in a highlight to see its verdict and links.")
            self.links.setEnabled(False)
            return
        summary = self.session.summary
        tag = summary.tag(h.tag_id)
        rating = summary.rating(h.rating_id)
        lines = [f"{tag.name if tag else '?'} · {h.annotator}"]
        if rating is not None:
            lines.append(f"Verdict: {rating.name}")
        if h.note:
            lines.append(f"Note: {_short(h.note, 120)}")
        links = summary.links_of(h.id, self.session.shown_annotators)  # blind mode: mine
        lines.append(counted(len(links), "link") + (":" if links else ""))
        self.summary.setText("\n".join(lines))
        self.links.setEnabled(bool(links))
        others = [k.to_id if k.from_id == h.id else k.from_id for k in links]
        places = self.session.store.highlight_places(others)
        texts = self.session.store.highlight_texts(others)
        for link, other in zip(links, others, strict=True):
            relation = summary.relation_type(link.type_id)
            name = relation.name if relation else "?"
            phrase = f"{name} →" if link.from_id == h.id else f"← {name}"
            quote = _short(texts.get(other, ("", ""))[0])
            place = places.get(other)
            where = ""
            if place is not None and place[0] != h.document_id:
                info = summary.document(place[0])
                where = f"  ({_short(info.title, 40) if info else 'another document'})"
            item = QListWidgetItem(f"{phrase} “{quote}”{where}")
            item.setToolTip(f"<p>{html.escape(item.text())}</p>")  # never read as markup
            item.setData(LINK_ROLE, link)
            if relation is not None:
                item.setIcon(_swatch(relation.colour))
            self.links.addItem(item)
        self.links.setCurrentRow(0)

    def _activated(self, item: QListWidgetItem) -> None:
        link: Link = item.data(LINK_ROLE)
        h = self.highlight
        if h is not None:
            self.jump_requested.emit(link.to_id if link.from_id == h.id else link.from_id)

    def _delete_current(self) -> None:
        item = self.links.currentItem()
        if item is not None:
            self.delete_link_requested.emit(item.data(LINK_ROLE))
