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
    Qt,
)
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.core.changes import Changes
from desktop.core.model import DocumentInfo
from desktop.core.summary import ProjectSummary
from desktop.ui.session import Session

# The current annotator's progress on a document, as the list shows it.
STATUS_MARKS = {"to do": "to do", "in progress": "◐ in progress", "done": "✓ done"}

DOCUMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
TAG_SHARES_ROLE = Qt.ItemDataRole.UserRole + 3

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
        counts = self.summary.counts(doc.id)
        total = sum(counts.values())
        if role == Qt.ItemDataRole.DisplayRole:
            return doc.title
        if role == SUBTITLE_ROLE:
            parts = [p for p in (doc.outlet, doc.published) if p]
            parts.append(f"{total} highlight{'s' if total != 1 else ''}")
            parts.append(STATUS_MARKS[self.summary.status(doc.id, self.session.annotator)])
            return " · ".join(parts)
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
            pages = len(doc.page_starts)
            if pages:
                lines.append(f"{pages} page{'s' if pages != 1 else ''}")
            if doc.url:
                lines.append(html.escape(doc.url))
            if doc.source != doc.url:
                lines.append(f"from {html.escape(doc.source)}")
            return "<p>" + "<br>".join(lines) + "</p>"
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{doc.title}. {self.data(index, SUBTITLE_ROLE)}"
        return None


class DocumentDelegate(QStyledItemDelegate):
    """Title on the first line, outlet · date · count on the second, then the tag bar."""

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
        subtle = palette.color(text_role)
        if not selected:
            subtle = palette.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(subtle)
        subtitle = option.fontMetrics.elidedText(
            index.data(SUBTITLE_ROLE) or "", Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(
            QRect(rect.left(), rect.top() + line, rect.width(), line),
            Qt.TextFlag.TextSingleLine,
            subtitle,
        )

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


class DocumentList(QListView):
    """Keyboard-navigable list; the current row is the open document."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("documentList")
        self.doc_model = model = DocumentListModel(session, self)
        self.setModel(model)
        self.setItemDelegate(DocumentDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Documents")
        self.selectionModel().currentRowChanged.connect(self._current_changed)
        session.document_opened.connect(self.select_document)
        model.modelReset.connect(lambda: self.select_document(session.document_id))

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.session.open_document(current.data(DOCUMENT_ID_ROLE))

    def select_document(self, document_id: int | None) -> None:
        """Make the open document the current (and only selected) row."""
        row = None if document_id is None else self.doc_model.row_of(document_id)
        blocker = self.selectionModel().blockSignals(True)
        if row is None:
            self.selectionModel().clear()
        else:
            index = self.doc_model.index(row)
            self.selectionModel().setCurrentIndex(
                index, self.selectionModel().SelectionFlag.ClearAndSelect
            )
            self.scrollTo(index)
        self.selectionModel().blockSignals(blocker)
