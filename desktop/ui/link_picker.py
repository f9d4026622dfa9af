"""A small picker of the claims to link to, filterable by typing (L twice while linking).

The open document's claims come first, and the one nearest the link's source is chosen, so
that Enter links within the document unless the reader chooses otherwise. Claims of other
documents show their document's title beside the quote. Quotes are cut to the width (the whole
quote is in the tooltip), never scrolled sideways.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QEvent, QObject, QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.core import argument
from desktop.core.model import Highlight, HighlightFilter
from desktop.ui.dialogs import plain_tooltip
from desktop.ui.session import Session

QUOTE_CHARS = 300  # of a quote on its row: the view cuts it to the width anyway
ID_ROLE = Qt.ItemDataRole.UserRole + 1
FILTER_ROLE = Qt.ItemDataRole.UserRole + 2  # what typing filters: the quote and the title
TITLE_CHARS = 28  # the width of the document column, in average characters


class Claim(NamedTuple):
    """A claim the picker offers."""

    id: int
    document_id: int
    start: int
    quote: str
    title: str  # of its document


class LinkPicker(QDialog):
    def __init__(
        self,
        parent: QWidget,
        claims: list[Claim],
        open_document: int | None = None,
        near: int = 0,
    ) -> None:
        """`claims` in the order shown; `open_document` and `near` (a place in it) choose the
        claim selected at first and after each filtering: the nearest of that document."""
        super().__init__(parent)
        self.setWindowTitle("Link to a Claim")
        self._open_document = open_document
        self._near = near
        self._claims = {c.id: c for c in claims}
        self.model = QStandardItemModel(0, 2, self)
        for claim in claims:
            self.model.appendRow(self._row(claim, claim.document_id == open_document))
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterRole(FILTER_ROLE)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Type to filter the claims (quote or document)…")
        self.filter.setClearButtonEnabled(True)
        self.list = QTreeView()
        self.list.setModel(self.proxy)
        self.list.setAccessibleName("Claims")
        self.list.setRootIsDecorated(False)
        self.list.setItemsExpandable(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setHeaderHidden(True)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(1, self.list.fontMetrics().averageCharWidth() * TITLE_CHARS)
        self.list.setColumnHidden(1, all(c.document_id == open_document for c in claims))
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
        self._select_nearest()
        self.resize(640, 420)

    @staticmethod
    def _row(claim: Claim, here: bool) -> list[QStandardItem]:
        quote = QStandardItem(" ".join(claim.quote[: QUOTE_CHARS * 2].split())[:QUOTE_CHARS])
        quote.setData(claim.id, ID_ROLE)
        quote.setData(f"{claim.quote}\n{claim.title}", FILTER_ROLE)
        quote.setToolTip(plain_tooltip(claim.quote))
        document = QStandardItem("" if here else claim.title)
        if not here:
            document.setToolTip(plain_tooltip(claim.title))
        return [quote, document]

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text)
        self._select_nearest()

    def _select_nearest(self) -> None:
        """The listed claim of the open document nearest the source; else the first listed."""
        best, distance = None, None
        for row in range(self.proxy.rowCount()):
            claim = self._claims[self.proxy.index(row, 0).data(ID_ROLE)]
            if claim.document_id != self._open_document:
                continue
            if distance is None or abs(claim.start - self._near) < distance:
                best, distance = row, abs(claim.start - self._near)
        if best is None and self.proxy.rowCount():
            best = 0
        if best is not None:
            self.list.setCurrentIndex(self.proxy.index(best, 0))

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
        return int(index.siblingAtColumn(0).data(ID_ROLE))


def claim_choices(session: Session, exclude: Highlight | None) -> list[Claim]:
    """Every claim of the project (of the annotators shown: blind mode, mine), the open
    document's first, then the others', each by document and place."""
    summary, whose = session.summary, session.shown_annotators
    ids = argument.tag_ids_named(summary.tags, argument.CLAIM)
    names = [t.name for t in summary.tags if t.id in ids]
    if not names:
        return []
    claims = []
    for h in session.store.iter_highlights(HighlightFilter(tag_names=tuple(names))):
        if (exclude is not None and h.id == exclude.id) or (
            whose is not None and h.annotator not in whose
        ):
            continue
        info = summary.document(h.document_id)
        title = info.title if info else str(h.document_id)
        claims.append(Claim(h.id, h.document_id, h.start, h.quote, title))
    claims.sort(key=lambda c: c.document_id != session.document_id)  # stable: keeps the order
    return claims


def pick_highlight(parent: QWidget, session: Session, exclude: Highlight | None) -> int | None:
    """Ask for a claim to link to; its highlight id, or None."""
    claims = claim_choices(session, exclude)
    if not claims:
        session.failed.emit("There are no claims to link to yet.")
        return None
    here = session.document_id
    near = exclude.start if exclude is not None and exclude.document_id == here else 0
    dialog = LinkPicker(parent, claims, here, near)
    try:
        return dialog.chosen() if dialog.exec() else None
    finally:
        dialog.deleteLater()
