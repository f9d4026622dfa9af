"""Edit > Find in All Documents (Ctrl+Shift+F): every place a text occurs in the project, as a
list; Enter or a double-click on one shows it in the text."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import ClaimmarkError
from desktop.core.search import Hit, find_in_documents
from desktop.core.wording import counted
from desktop.ui import dialogs
from desktop.ui.session import Session

HIT_ROLE = Qt.ItemDataRole.UserRole + 1
LIMIT = 2000


class CorpusSearch(QDialog):
    hit_chosen = Signal(object)  # Hit

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Find in All Documents")
        self.field = QLineEdit()
        self.field.setPlaceholderText("Text to find in every document…")
        self.field.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.results = QListWidget()
        self.results.setAccessibleName("Places found")
        self.results.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        layout = QVBoxLayout(self)
        layout.addWidget(self.field)
        layout.addWidget(self.count)
        layout.addWidget(self.results, 1)
        self._typing = QTimer(self)
        self._typing.setSingleShot(True)
        self._typing.setInterval(250)
        self._typing.timeout.connect(self.search)
        self.field.textChanged.connect(lambda _t: self._typing.start())
        self.field.returnPressed.connect(self._first)
        self.results.itemActivated.connect(lambda item: self.hit_chosen.emit(item.data(HIT_ROLE)))
        self.resize(640, 420)

    def open_with(self, text: str) -> None:
        self.show()
        self.raise_()
        self.activateWindow()
        if text:
            self.field.setText(text)
        self.field.setFocus()
        self.field.selectAll()

    def search(self) -> None:
        self._typing.stop()
        self.results.clear()
        needle = self.field.text()
        try:
            hits = find_in_documents(self.session.store, needle, LIMIT)
        except ClaimmarkError as e:
            self.count.setText(dialogs.sentence(str(e)))
            return
        for hit in hits:
            item = QListWidgetItem(self._describe(hit))  # list items show plain text
            item.setData(HIT_ROLE, hit)
            self.results.addItem(item)
        documents = len({h.document_id for h in hits})
        more = " (the first ones)" if len(hits) >= LIMIT else ""
        self.count.setText(
            f"{len(hits)} found in {counted(documents, 'document')}{more}" if needle.strip() else ""
        )

    def _describe(self, hit: Hit) -> str:
        info = self.session.summary.document(hit.document_id)
        text = self.session.store.text(hit.document_id)[hit.start : hit.end]
        title = info.title if info else str(hit.document_id)
        return f"{title}:  …{hit.before}[{text}]{hit.after}…"

    def _first(self) -> None:
        if self._typing.isActive():
            self.search()
        if self.results.count():
            self.results.setCurrentRow(0)
            self.results.setFocus()
            self.hit_chosen.emit(self.results.item(0).data(HIT_ROLE))
