"""The list of documents: title, outlet, date, highlight count and a bar of tag shares."""

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
    Signal,
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

from desktop.core.model import DocumentInfo, Highlight, Tag

DOCUMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
TAG_SHARES_ROLE = Qt.ItemDataRole.UserRole + 3

Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(QAbstractListModel):
    """Documents of the project with their highlight counts per tag."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._docs: list[DocumentInfo] = []
        self._counts: dict[int, dict[int, int]] = {}
        self._tags: list[Tag] = []

    def reset(
        self, docs: list[DocumentInfo], counts: dict[int, dict[int, int]], tags: list[Tag]
    ) -> None:
        self.beginResetModel()
        self._docs = docs
        self._counts = {d: dict(c) for d, c in counts.items()}
        self._tags = tags
        self.endResetModel()

    def set_tags(self, tags: list[Tag]) -> None:
        self._tags = tags
        self._changed_all()

    def count_changed(self, h: Highlight, delta: int) -> None:
        per_tag = self._counts.setdefault(h.document_id, {})
        per_tag[h.tag_id] = per_tag.get(h.tag_id, 0) + delta
        row = self.row_of(h.document_id)
        if row is not None:
            index = self.index(row)
            self.dataChanged.emit(index, index)

    def counts(self, document_id: int) -> dict[int, int]:
        return self._counts.get(document_id, {})

    def row_of(self, document_id: int) -> int | None:
        return next((i for i, d in enumerate(self._docs) if d.id == document_id), None)

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
        counts = self._counts.get(doc.id, {})
        total = sum(counts.values())
        if role == Qt.ItemDataRole.DisplayRole:
            return doc.title
        if role == SUBTITLE_ROLE:
            parts = [p for p in (doc.outlet, doc.published) if p]
            parts.append(f"{total} highlight{'s' if total != 1 else ''}")
            return " · ".join(parts)
        if role == TAG_SHARES_ROLE:
            return [(QColor(t.colour), counts.get(t.id, 0)) for t in self._tags]
        if role == DOCUMENT_ID_ROLE:
            return doc.id
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"<b>{html.escape(doc.title)}</b>"]
            byline = " · ".join(p for p in (doc.author, doc.outlet, doc.published) if p)
            if byline:
                lines.append(html.escape(byline))
            shares = ", ".join(f"{counts.get(t.id, 0)} {html.escape(t.name)}" for t in self._tags)
            lines.append(shares)
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

    document_chosen = Signal(int)

    def __init__(self, model: DocumentListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("documentList")
        self.setModel(model)
        self.setItemDelegate(DocumentDelegate(self))
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setUniformItemSizes(True)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setAccessibleName("Documents")
        self.selectionModel().currentRowChanged.connect(self._current_changed)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.document_chosen.emit(current.data(DOCUMENT_ID_ROLE))

    def select_document(self, document_id: int) -> None:
        model = self.model()
        assert isinstance(model, DocumentListModel)
        row = model.row_of(document_id)
        if row is not None:
            blocker = self.selectionModel().blockSignals(True)
            self.setCurrentIndex(model.index(row))
            self.selectionModel().blockSignals(blocker)
            self.scrollTo(model.index(row))
