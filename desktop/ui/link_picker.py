"""A small picker of the claims to link to, filterable by typing (L twice while linking)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, QStringListModel, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from desktop.core import argument
from desktop.core.model import Highlight, HighlightFilter
from desktop.ui.session import Session

QUOTE_CHARS = 140


class LinkPicker(QDialog):
    def __init__(self, parent: QWidget, choices: list[tuple[int, str]]) -> None:
        """`choices`: (highlight id, text shown)."""
        super().__init__(parent)
        self.setWindowTitle("Link to a Claim")
        self._ids = [i for i, _ in choices]
        self.model = QStringListModel([text for _, text in choices], self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type to filter the claims…")
        self.filter.setClearButtonEnabled(True)
        self.list = QListView()
        self.list.setModel(self.proxy)
        self.list.setUniformItemSizes(True)
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        hint = QLabel("Enter links to the chosen claim; Esc goes back to the text.")
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.list)
        layout.addWidget(hint)
        self.filter.textChanged.connect(self._filter)
        self.filter.returnPressed.connect(self.accept)
        self.list.activated.connect(lambda _index: self.accept())
        self.filter.installEventFilter(self)
        self._select_first()
        self.resize(640, 420)

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._select_first()

    def _select_first(self) -> None:
        if self.proxy.rowCount():
            self.list.setCurrentIndex(self.proxy.index(0, 0))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Up and Down in the filter field move through the list."""
        if (
            watched is self.filter
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            self.list.keyPressEvent(event)
            return True
        return super().eventFilter(watched, event)

    def chosen(self) -> int | None:
        index = self.list.currentIndex()
        if not index.isValid():
            return None
        return self._ids[self.proxy.mapToSource(index).row()]


def claim_choices(session: Session, exclude: Highlight | None) -> list[tuple[int, str]]:
    """Every claim of the project as (id, "quote — document title"), by document and place."""
    summary = session.summary
    ids = argument.tag_ids_named(summary.tags, argument.CLAIM)
    claims = [t.name for t in summary.tags if t.id in ids]
    if not claims:
        return []
    choices = []
    for h in session.store.iter_highlights(HighlightFilter(tag_names=tuple(claims))):
        if exclude is not None and h.id == exclude.id:
            continue
        info = summary.document(h.document_id)
        quote = " ".join(h.quote.split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        choices.append((h.id, f"{quote}  —  {info.title if info else h.document_id}"))
    return choices


def pick_highlight(parent: QWidget, session: Session, exclude: Highlight | None) -> int | None:
    """Ask for a claim to link to; its highlight id, or None."""
    choices = claim_choices(session, exclude)
    if not choices:
        session.failed.emit("There are no claims to link to yet.")
        return None
    dialog = LinkPicker(parent, choices)
    try:
        return dialog.chosen() if dialog.exec() else None
    finally:
        dialog.deleteLater()
