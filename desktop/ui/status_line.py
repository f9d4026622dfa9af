"""The status bar's lasting part: the project on the left, the open document and the counts on
the right, computed once per change from the session's summary."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QLabel, QStatusBar

from desktop.core.changes import Changes
from desktop.ui.dialogs import plural, short_path
from desktop.ui.session import Session


class StatusLine(QObject):
    def __init__(self, session: Session, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.session = session
        self.project_label = QLabel()
        self.project_label.setTextFormat(Qt.TextFormat.PlainText)
        self.document_label = QLabel()
        self.document_label.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.project_label)
        bar.addPermanentWidget(self.document_label)
        session.changed.connect(self._on_changes)
        session.document_opened.connect(lambda _id: self.update())
        session.annotator_changed.connect(lambda _name: self.update())
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
        if info is None:
            self.document_label.setText(
                f"No document open · {summary.total} highlights in the project"
            )
            return
        here = summary.highlights_in(info.id)
        status = summary.status(info.id, self.session.annotator)
        self.document_label.setText(
            f"{info.title[:60]} · {plural(here, 'highlight')} here, {status} for you · "
            f"{summary.total} in the project"
        )
