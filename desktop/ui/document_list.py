"""The list of documents: title, outlet, date, highlight count and a bar of tag shares.

The model shows the session's summary (documents, tags, counts) and follows its changes; the
list's current row is the document the session has open.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop.core.changes import Changes
from desktop.core.model import DocumentInfo
from desktop.core.summary import ProjectSummary
from desktop.core.wording import counted
from desktop.ui.session import Session

# The current annotator's progress on a document, as the list marks it: first on the row's
# second line, never cut off, in words and a shape (not by colour). "To do" is the rows unmarked.
STATUS_MARKS = {"to do": "", "in progress": "◐ in progress", "done": "✓ done"}
SEPARATOR = " · "

DOCUMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2  # the second line: status mark, then details
TAG_SHARES_ROLE = Qt.ItemDataRole.UserRole + 3
STATUS_ROLE = Qt.ItemDataRole.UserRole + 4  # the status mark ("" for to do)
DETAILS_ROLE = Qt.ItemDataRole.UserRole + 5  # outlet · date · highlight count

Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(QAbstractListModel):
    """Documents of the project with their highlight counts per tag."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.summary: ProjectSummary = session.summary
        self._docs: list[DocumentInfo] = list(self.summary.documents)
        self._rows: dict[int, int] = {}
        self._index_rows()
        session.changed.connect(self._on_changes)
        session.annotator_changed.connect(lambda _name: self._changed_all())
        session.shown_annotators_changed.connect(lambda _whose: self._changed_all())

    def _index_rows(self) -> None:
        self._rows = {d.id: i for i, d in enumerate(self._docs)}

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything or changes.documents:
            self.beginResetModel()
            self._docs = list(self.summary.documents)
            self._index_rows()
            self.endResetModel()
        elif changes.tags or changes.progress:
            self._changed_all()
        else:
            for document_id in changes.documents_touched():
                row = self._rows.get(document_id)
                if row is not None:
                    index = self.index(row)
                    self.dataChanged.emit(index, index)

    def row_of(self, document_id: int) -> int | None:
        return self._rows.get(document_id)

    def document(self, row: int) -> DocumentInfo:
        return self._docs[row]

    def _changed_all(self) -> None:
        if self._docs:
            self.dataChanged.emit(self.index(0), self.index(len(self._docs) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._docs)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._docs):
            return None
        doc = self._docs[index.row()]
        counts = self.summary.counts(doc.id, self.session.shown_annotators)
        total = sum(counts.values())
        if role == Qt.ItemDataRole.DisplayRole:
            return doc.title
        if role == STATUS_ROLE:
            return STATUS_MARKS[self.summary.status(doc.id, self.session.annotator)]
        if role == DETAILS_ROLE:
            parts = [p for p in (doc.outlet, doc.published) if p]
            parts.append(counted(total, "highlight"))
            return SEPARATOR.join(parts)
        if role == SUBTITLE_ROLE:
            mark = self.data(index, STATUS_ROLE)
            details = self.data(index, DETAILS_ROLE)
            return f"{mark}{SEPARATOR}{details}" if mark else details
        if role == TAG_SHARES_ROLE:
            return [(QColor(t.colour), counts.get(t.id, 0)) for t in self.summary.tags]
        if role == DOCUMENT_ID_ROLE:
            return doc.id
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"<b>{html.escape(doc.title)}</b>"]
            byline = " · ".join(p for p in (doc.author, doc.outlet, doc.published) if p)
            if byline:
                lines.append(html.escape(byline))
            shares = ", ".join(
                f"{counts.get(t.id, 0)} {html.escape(t.name)}" for t in self.summary.tags
            )
            lines.append(shares)
            lines.append(f"{self.summary.status(doc.id, self.session.annotator)} for you")
            pages = len(doc.page_starts)
            if pages:
                lines.append(counted(pages, "page"))
            if doc.url:
                lines.append(html.escape(doc.url))
            if doc.source != doc.url:
                lines.append(f"from {html.escape(doc.source)}")
            return "<p>" + "<br>".join(lines) + "</p>"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            status = self.summary.status(doc.id, self.session.annotator)
            return f"{doc.title}. {status}. {self.data(index, DETAILS_ROLE)}"
        return None


class DocumentDelegate(QStyledItemDelegate):
    """Title on the first line; on the second the status mark, whole, then outlet · date ·
    count, cut to what fits; then the tag bar."""

    PADDING = 6
    BAR_HEIGHT = 4

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        line = option.fontMetrics.height()
        return QSize(200, self.PADDING * 2 + line * 2 + self.BAR_HEIGHT + 4)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        style = option.widget.style() if option.widget else None
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        if style is not None:
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, option.widget
            )
        palette = option.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        rect = option.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        line = option.fontMetrics.height()

        title_font = QFont(option.font)
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(palette.color(text_role))
        title = painter.fontMetrics().elidedText(
            index.data(Qt.ItemDataRole.DisplayRole) or "", Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(
            QRect(rect.left(), rect.top(), rect.width(), line), Qt.TextFlag.TextSingleLine, title
        )

        painter.setFont(option.font)
        second = QRect(rect.left(), rect.top() + line, rect.width(), line)
        details = index.data(DETAILS_ROLE) or ""
        mark = index.data(STATUS_ROLE) or ""
        if mark:  # in the text's colour, the rest subtler
            painter.drawText(second, Qt.TextFlag.TextSingleLine, mark)
            second.setLeft(second.left() + option.fontMetrics.horizontalAdvance(mark))
            details = SEPARATOR + details
        subtle = palette.color(text_role)
        if not selected:
            subtle = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(subtle)
        details = option.fontMetrics.elidedText(
            details, Qt.TextElideMode.ElideRight, second.width()
        )
        painter.drawText(second, Qt.TextFlag.TextSingleLine, details)

        shares = index.data(TAG_SHARES_ROLE) or []
        total = sum(n for _, n in shares)
        bar = QRect(rect.left(), rect.top() + 2 * line + 3, rect.width(), self.BAR_HEIGHT)
        painter.fillRect(bar, palette.color(QPalette.ColorRole.Midlight))
        if total:
            x = bar.left()
            for colour, n in shares:
                width = round(bar.width() * n / total)
                painter.fillRect(QRect(x, bar.top(), width, bar.height()), colour)
                x += width
        painter.restore()


# How the list can be ordered: (label, key of a document's info, reverse).
SORTS = (
    ("As imported", "id", False),
    ("Newest first", "published", True),
    ("Title", "title", False),
    ("Outlet", "outlet", False),
    ("Most highlights", "highlights", True),
)


class DocumentFilter(QSortFilterProxyModel):
    """The documents whose title, outlet or author holds the search text, in the chosen order."""

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents = model
        self.setSourceModel(model)
        self.needle = ""
        self.key = "id"

    def set_search(self, text: str) -> None:
        self.beginFilterChange()
        self.needle = text.strip().casefold()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_order(self, key: str, reverse: bool) -> None:
        self.key = key
        self.invalidate()
        self.sort(0, Qt.SortOrder.DescendingOrder if reverse else Qt.SortOrder.AscendingOrder)

    def filterAcceptsRow(self, row: int, parent: Index) -> bool:
        if not self.needle:
            return True
        d = self.documents.document(row)
        return any(self.needle in part.casefold() for part in (d.title, d.outlet, d.author))

    def lessThan(self, left: Index, right: Index) -> bool:
        a, b = self.documents.document(left.row()), self.documents.document(right.row())
        if self.key == "highlights":
            summary = self.documents.summary
            whose = self.documents.session.shown_annotators
            return summary.highlights_in(a.id, whose) < summary.highlights_in(b.id, whose)
        first, second = getattr(a, self.key), getattr(b, self.key)
        if isinstance(first, str):
            return (first.casefold(), a.id) < (second.casefold(), b.id)
        return bool(first < second)


class DocumentList(QListView):
    """Keyboard-navigable list; the current row is the open document."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("documentList")
        self.doc_model = model = DocumentListModel(session, self)
        self.shown = DocumentFilter(model, self)
        self.setModel(self.shown)
        self.setItemDelegate(DocumentDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Documents")
        # Set while the list itself moves its current row (a search hiding it, or showing the
        # open document): only the reader's choice of a row opens a document.
        self._following = False
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        session.document_opened.connect(self.select_document)
        model.modelReset.connect(lambda: self.select_document(session.document_id))
        self.shown.layoutChanged.connect(lambda: self.select_document(session.document_id))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid() and not self._following:
            self.session.open_document(current.data(DOCUMENT_ID_ROLE))

    def search(self, text: str) -> None:
        """List the documents that hold `text`. Qt moves the current row off one the search
        hides; only the reader's choice (a click, the arrow keys, Enter) opens a document,
        so the open one stays open, and selected while it is listed."""
        following, self._following = self._following, True
        try:
            self.shown.set_search(text)
        finally:
            self._following = following
        self.select_document(self.session.document_id)

    def select_document(self, document_id: int | None) -> None:
        """Make the open document the current and only selected row, if it is listed (else
        none). Every way of opening a document comes here, through the session.

        The selection model's signals stay on: the view repaints the rows they name, and
        without them the row of the document open before stayed drawn as selected."""
        row = None if document_id is None else self.doc_model.row_of(document_id)
        index = self.shown.mapFromSource(self.doc_model.index(row)) if row is not None else None
        selection = self.selectionModel()
        following, self._following = self._following, True
        try:
            if index is None or not index.isValid():
                selection.clear()
            else:
                selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
                self.scrollTo(index)
        finally:
            self._following = following


class DocumentPanel(QWidget):
    """The documents: a search field and an order over the list."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = DocumentList(session)
        self.search = QLineEdit()
        self.search.setObjectName("documentSearch")
        self.search.setPlaceholderText("Find a document…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Titles, outlets and authors that hold the text")
        self.order = QComboBox()
        self.order.setAccessibleName("Order of the documents")
        for label, key, reverse in SORTS:
            self.order.addItem(label, (key, reverse))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(3)
        layout.addWidget(self.search)
        layout.addWidget(self.order)
        layout.addWidget(self.list, 1)
        self.search.textChanged.connect(self.list.search)
        self.search.returnPressed.connect(self.list.setFocus)
        self.order.currentIndexChanged.connect(
            lambda _i: self.list.shown.set_order(*self.order.currentData())
        )
