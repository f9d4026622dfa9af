"""The Orphans panel: the highlights of the open document that could not be placed in its new
text when it was updated (see core/operations.UpdateDocument), with their tag, quote, note and
links. The reader places one on a passage (select it in the text, then P or Place Here) or
deletes it (Delete); both are undoable. Old Text shows the version the orphan was made on,
with its passage selected.

A view like the others: it follows the session (the open document, and `Changes.orphans`) and
asks the store; what the buttons do is the controller's (updating.py). It lists whose orphans
the highlight list shows highlights of (only mine in blind mode).
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import Changes
from desktop.core.model import Highlight
from desktop.core.wording import counted
from desktop.ui.session import Session

ORPHAN_ROLE = Qt.ItemDataRole.UserRole + 1
QUOTE_CHARS = 70
OTHER_TITLES = 3  # documents with orphans named in the heading, besides the open one


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(10, 10)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


def _short(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class OrphansPanel(QWidget):
    place_requested = Signal(object)  # the orphan (Highlight) to place on the text's selection
    delete_requested = Signal(object)  # the orphan to delete
    old_text_requested = Signal(object)  # the orphan whose old text to show
    orphans_here = Signal(int)  # how many orphans the open document has, after each change

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("orphansPanel")
        self.document_id: int | None = None
        self.heading = QLabel()
        self.heading.setTextFormat(Qt.TextFormat.PlainText)
        self.heading.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("orphansList")
        self.list.setAccessibleName("Orphaned highlights of the open document")
        self.list.setWordWrap(True)
        self.place_button = QPushButton("&Place Here")
        self.place_button.setToolTip(
            "Place the chosen orphan on the passage selected in the text (P in the text)"
        )
        self.old_button = QPushButton("&Old Text…")
        self.old_button.setToolTip("Show the orphan in the version of the text it was made on")
        self.delete_button = QPushButton("De&lete")
        self.delete_button.setToolTip("Delete the chosen orphan, with its links (Delete)")
        buttons = QHBoxLayout()
        for button in (self.place_button, self.old_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)

        self.place_button.clicked.connect(lambda: self._request(self.place_requested))
        self.old_button.clicked.connect(lambda: self._request(self.old_text_requested))
        self.delete_button.clicked.connect(lambda: self._request(self.delete_requested))
        for keys, signal in (
            ((Qt.Key.Key_Delete, Qt.Key.Key_Backspace), self.delete_requested),
            ((Qt.Key.Key_P,), self.place_requested),
        ):
            action = QAction(self.list)
            action.setShortcuts([QKeySequence(k) for k in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _on=False, s=signal: self._request(s))
            self.list.addAction(action)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        session.document_opened.connect(self._open)
        session.changed.connect(self._on_changes)
        session.shown_annotators_changed.connect(lambda _whose: self.refresh())
        self._open(session.document_id)

    # Following the session ---------------------------------------------------------------------

    def _open(self, document_id: int | None) -> None:
        self.document_id = document_id
        self.refresh()

    def _shown(self, orphans: list[Highlight]) -> list[Highlight]:
        whose = self.session.shown_annotators
        return orphans if whose is None else [h for h in orphans if h.annotator in whose]

    def _on_changes(self, changes: Changes) -> None:
        # Orphans are in no change record, so most changes (a highlight added, a link made)
        # leave this list as it is; re-reading it on each would cost a query per key press.
        shown_touched = (changes.tags and self.list.count()) or self._links_touch_shown(changes)
        if changes.orphans or changes.everything or shown_touched:
            self.refresh()
        elif changes.documents:
            self._fill_heading(self.orphans())

    def _links_touch_shown(self, changes: Changes) -> bool:
        """Whether a link added, removed or changed ends in an orphan this list shows."""
        if not changes.links or not self.list.count():
            return False
        shown = {self.list.item(row).data(ORPHAN_ROLE).id for row in range(self.list.count())}
        links = [*changes.links_added, *changes.links_removed]
        links += [link for pair in changes.links_changed for link in pair]
        return any(link.from_id in shown or link.to_id in shown for link in links)

    def refresh(self) -> None:
        """Read the open document's orphans again, keeping the chosen one (or its row)."""
        current = self.current_orphan()
        row = self.list.currentRow()
        orphans = self.orphans()
        self.list.clear()
        summary = self.session.summary
        for h in orphans:
            tag = summary.tag(h.tag_id)
            links = len(summary.links_of(h.id))
            parts = [f"{tag.name if tag else '?'}: “{_short(h.quote, QUOTE_CHARS)}”"]
            if h.note:
                parts.append(f"note: {_short(h.note, QUOTE_CHARS)}")
            if links:
                parts.append(counted(links, "link"))
            item = QListWidgetItem(" · ".join(parts))
            item.setData(ORPHAN_ROLE, h)
            item.setToolTip(_tooltip(h))
            if tag is not None:
                item.setIcon(_swatch(tag.colour))
            self.list.addItem(item)
        if orphans:
            ids = [h.id for h in orphans]
            keep = ids.index(current.id) if current is not None and current.id in ids else row
            self.list.setCurrentRow(max(0, min(keep, len(orphans) - 1)))
        self._fill_heading(orphans)
        self._enable()
        self.orphans_here.emit(len(orphans))

    def orphans(self) -> list[Highlight]:
        if self.document_id is None:
            return []
        document_id = self.document_id
        return self._shown(
            self.session.attempt(lambda: self.session.store.orphans(document_id)) or []
        )

    def _fill_heading(self, orphans: list[Highlight]) -> None:
        if orphans:
            text = (
                f"{counted(len(orphans), 'highlight')} of this document could not be "
                "placed in its new text. Select the passage where one belongs and press P "
                "(Place Here), or delete it."
            )
        elif self.document_id is None:
            text = "No document is open."
        else:
            text = "No orphaned highlights in this document."
        counts: dict[int, int] = {}
        if self.session.shown_annotators is None:
            counts = self.session.attempt(self.session.store.orphan_counts) or {}
        else:  # orphans are few: count those shown
            for h in self._shown(self.session.attempt(self.session.store.orphans) or []):
                counts[h.document_id] = counts.get(h.document_id, 0) + 1
        elsewhere = [(d, n) for d, n in counts.items() if d != self.document_id]
        if elsewhere:
            summary = self.session.summary
            named = [
                f"“{_short(info.title, 40)}” ({n})"
                for d, n in elsewhere[:OTHER_TITLES]
                if (info := summary.document(d)) is not None
            ]
            more = len(elsewhere) - len(named)
            text += "\nOrphans in other documents: " + ", ".join(named)
            text += f" and {more} more" if more > 0 else ""
        self.heading.setText(text)

    def _enable(self) -> None:
        chosen = self.current_orphan() is not None
        for button in (self.place_button, self.old_button, self.delete_button):
            button.setEnabled(chosen)

    # Choosing ----------------------------------------------------------------------------------

    def current_orphan(self) -> Highlight | None:
        item = self.list.currentItem()
        orphan: Highlight | None = None if item is None else item.data(ORPHAN_ROLE)
        return orphan

    def _request(self, signal: SignalInstance) -> None:
        orphan = self.current_orphan()
        if orphan is not None:
            signal.emit(orphan)


def _tooltip(h: Highlight) -> str:
    """The orphan's passage in its old context, and its note, as escaped text."""
    passage = f"…{h.prefix}[{h.quote}]{h.suffix}…"
    text = html.escape(passage)
    if h.note:
        text += "\n\nNote: " + html.escape(h.note)
    return "<p style='white-space:pre-wrap'>" + text + "</p>"
