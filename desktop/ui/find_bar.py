"""Ctrl+F: find text in the open document, step through the hits, mark them all."""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from desktop.ui.document_view import DocumentView


def find_all(text: str, needle: str) -> list[tuple[int, int]]:
    """Case-insensitive matches of `needle` in `text`, as code point spans."""
    if not needle:
        return []
    return [m.span() for m in re.finditer(re.escape(needle), text, re.IGNORECASE)]


class FindBar(QWidget):
    """A search field under the text; Enter/F3 next, Shift+Enter/Shift+F3 previous, Esc closes.

    It searches the document the view shows, marks the hits there and selects the chosen one.
    """

    hits_changed = Signal(list)  # [(start, end)] in code points
    hit_chosen = Signal(int, int)  # start, end
    closed = Signal()

    def __init__(self, view: DocumentView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.setObjectName("findBar")
        self.field = QLineEdit()
        self.field.setObjectName("findField")
        self.field.setPlaceholderText("Find in document…")
        self.field.setClearButtonEnabled(True)
        self.status = QLabel()
        previous = QToolButton()
        previous.setText("↑")
        previous.setToolTip("Previous (Shift+F3)")
        following = QToolButton()
        following.setText("↓")
        following.setToolTip("Next (F3)")
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(QLabel("Find:"))
        layout.addWidget(self.field, 1)
        layout.addWidget(previous)
        layout.addWidget(following)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.text = ""
        self.hits: list[tuple[int, int]] = []
        self.current = -1
        self._typing = QTimer(self)  # search once typing pauses, not at every key
        self._typing.setSingleShot(True)
        self._typing.setInterval(120)
        self._typing.timeout.connect(self._search)
        self.field.textChanged.connect(lambda _text: self._typing.start())
        self.field.returnPressed.connect(self.next)
        previous.clicked.connect(self.previous)
        following.clicked.connect(self.next)
        close.clicked.connect(self.close_bar)
        self.field.installEventFilter(self)
        self.hide()
        view.document_shown.connect(lambda: self.set_text(view.text))
        self.hits_changed.connect(view.set_search_hits)
        self.hit_chosen.connect(view.select_span)
        self.closed.connect(view.setFocus)

    def set_text(self, text: str) -> None:
        """The document to search (re-runs the search)."""
        self.text = text
        self._search()

    def open_bar(self) -> None:
        """Show the bar with the focus in it, searching for the selected text if any."""
        selected = self.view.selection_span()
        initial = self.view.text[selected[0] : selected[1]] if selected else ""
        if "\n" in initial:
            initial = ""
        self.show()
        if initial:
            self.field.setText(initial)
        self._search()  # the document may have changed while the bar was closed
        self.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.field.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.hits_changed.emit([])
        self.closed.emit()

    def _search(self) -> None:
        self._typing.stop()
        self.hits = find_all(self.text, self.field.text()) if self.isVisible() else []
        self.current = -1
        self.hits_changed.emit(self.hits)
        self._show_status()

    def _show_status(self) -> None:
        if not self.field.text():
            self.status.setText("")
        elif not self.hits:
            self.status.setText("not found")
        elif self.current < 0:
            self.status.setText(f"{len(self.hits)} found")
        else:
            self.status.setText(f"{self.current + 1} of {len(self.hits)}")

    def _go(self, step: int) -> None:
        if self._typing.isActive():  # Enter before the pause: search now
            self._search()
        if not self.hits:
            return
        if self.current >= 0:
            self.current = (self.current + step) % len(self.hits)
        else:  # the first step goes from the cursor
            here = self.view.cursor_position()
            after = [i for i, (start, _end) in enumerate(self.hits) if start >= here]
            before = [i for i, (start, _end) in enumerate(self.hits) if start < here]
            if step > 0:
                self.current = after[0] if after else 0
            else:
                self.current = before[-1] if before else len(self.hits) - 1
        self._show_status()
        self.hit_chosen.emit(*self.hits[self.current])

    def next(self) -> None:
        self._go(1)

    def previous(self) -> None:
        self._go(-1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Esc closes; Shift+Enter goes back (QLineEdit would take both keys itself)."""
        if watched is self.field and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() == Qt.Key.Key_Escape:
                self.close_bar()
                return True
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and (
                event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            ):
                self.previous()
                return True
        return super().eventFilter(watched, event)
