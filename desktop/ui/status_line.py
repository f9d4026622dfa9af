"""The status bar's lasting part: the project on the left, the open document and the counts on
the right, computed once per change from the session's summary.

Both are the bar's normal widgets: a temporary message (showMessage) has the whole bar while it
lasts, and they come back after it. (The document's part as a permanent widget stayed while the
project's was hidden for a message, and stretched over the room the message is drawn in.)"""

from __future__ import annotations

from PySide6.QtCore import QObject, QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStatusBar

from desktop.core.changes import Changes
from desktop.core.wording import counted
from desktop.ui.dialogs import short_path
from desktop.ui.session import Session


class ElidedLabel(QLabel):
    """A plain-text label that shortens the first part of its text with "…" to the room it
    has, keeping the rest (the counts after a title) whole when it can."""

    def __init__(self, mode: Qt.TextElideMode = Qt.TextElideMode.ElideRight) -> None:
        super().__init__()
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(80)
        self.mode = mode
        self.main = ""
        self.tail = ""

    def setText(self, text: str, tail: str = "") -> None:
        self.main, self.tail = text, tail
        self._elide()

    def text(self) -> str:
        return self.main + self.tail

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        return QSize(self.fontMetrics().horizontalAdvance(self.text()) + 8, hint.height())

    def _elide(self) -> None:
        metrics = self.fontMetrics()
        room = max(10, self.width() - 4 - metrics.horizontalAdvance(self.tail))
        super().setText(metrics.elidedText(self.main, self.mode, room) + self.tail)


class StatusLine(QObject):
    def __init__(self, session: Session, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.session = session
        self.project_label = ElidedLabel(Qt.TextElideMode.ElideMiddle)  # a path: its ends matter
        self.document_label = ElidedLabel()
        bar.addWidget(self.project_label, 1)
        bar.addWidget(self.document_label, 2)
        session.changed.connect(self._on_changes)
        session.document_opened.connect(lambda _id: self.update())
        session.annotator_changed.connect(lambda _name: self.update())
        session.shown_annotators_changed.connect(lambda _whose: self.update())
        self.update()

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything or changes.documents or changes.progress or changes.highlight_count:
            self.update()

    def update(self) -> None:
        summary, store = self.session.summary, self.session.store
        self.project_label.setText(
            f"Project: {short_path(store.location)} · Annotator: {self.session.annotator}"
        )
        doc = self.session.document_id
        info = None if doc is None else summary.document(doc)
        whose = self.session.shown_annotators  # blind mode counts mine only
        total = summary.total_of(whose)
        if info is None:
            self.document_label.setText(f"No document open · {total} highlights in the project")
            return
        here = summary.highlights_in(info.id, whose)
        status = summary.status(info.id, self.session.annotator)
        self.document_label.setText(
            info.title,
            f" · {counted(here, 'highlight')} here, {status} for you · {total} in the project",
        )
