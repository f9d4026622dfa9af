"""The margin beside the text: links drawn as arcs between the highlights they join, coloured by
their type, with an arrow at the target; a link to another document as a marker with that
document's title; and each claim's verdict as a small badge.

It sits in the reading view's right margin and follows the session: it keeps the places of the
highlights that have links (read once when a document opens, then kept from change records),
and paints only what is on screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from desktop.core.changes import Changes
from desktop.core.model import Link
from desktop.ui.document_view import DocumentView
from desktop.ui.session import Session

WIDTH = 112  # px: the margin the view keeps on its right for this
BADGE_WIDTH = 46
LANE = 9  # px between the arcs of links that overlap in height


@dataclass(frozen=True, slots=True)
class Place:
    document_id: int
    start: int  # code points
    end: int


class LinkMargin(QWidget):
    def __init__(self, session: Session, view: DocumentView) -> None:
        super().__init__(view)
        self.session = session
        self.view = view
        self.setObjectName("linkMargin")
        self.places: dict[int, Place] = {}  # highlight id -> where it is, for linked highlights
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.set_right_margin(WIDTH)
        view.document_shown.connect(self._reload)
        view.geometry_changed.connect(self._fit)
        view.verticalScrollBar().valueChanged.connect(lambda _v: self.update())
        session.changed.connect(self._on_changes)
        self._fit()

    def _fit(self) -> None:
        viewport = self.view.viewport().geometry()
        self.setGeometry(QRect(viewport.right() + 1, viewport.top(), WIDTH, viewport.height()))

    # Keeping the places ------------------------------------------------------------------------

    def _links_here(self) -> list[Link]:
        doc = self.view.document_id
        return [
            link
            for link in self.session.summary.links.values()
            if any(self.places.get(end, Place(-1, 0, 0)).document_id == doc for end in link[2:4])
        ]

    def _reload(self) -> None:
        """A document is shown: read where the linked highlights are."""
        ids = list(self.session.summary.linked())
        store = self.session.store
        self.places = {i: Place(*p) for i, p in store.highlight_places(ids).items()}
        self.update()

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything:
            self._reload()
            return
        for h in changes.removed:
            self.places.pop(h.id, None)
        linked = self.session.summary.linked()
        for h in changes.added:  # an orphan placed again comes with its links
            if h.id in linked:
                self.places[h.id] = Place(h.document_id, h.start, h.end)
        if changes.links_added or changes.added:
            missing = [
                end
                for link in changes.links_added
                for end in (link.from_id, link.to_id)
                if end not in self.places
            ]
            if missing:
                found = self.session.store.highlight_places(missing)
                self.places.update((i, Place(*p)) for i, p in found.items())
        if changes or changes.documents:
            self.update()

    # Painting ----------------------------------------------------------------------------------

    def _y(self, start: int) -> float | None:
        """The middle of the line where code point `start` is, in this widget."""
        rect = self.view.rect_of(start)
        return None if rect is None else rect.center().y()

    def paintEvent(self, event: QPaintEvent) -> None:
        doc = self.view.document_id
        if doc is None or self.view.index is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        self._paint_verdicts(painter)
        self._paint_links(painter, doc)
        painter.end()

    def _paint_verdicts(self, painter: QPainter) -> None:
        summary = self.session.summary
        drawn_rows: set[int] = set()
        for span in self.view.visible_spans():
            rating = summary.rating(span.rating_id) if span.rating_id else None
            if rating is None:
                continue
            y = self.view.rect_of_qt(span.start)
            if y is None or round(y.top()) in drawn_rows:
                continue
            drawn_rows.add(round(y.top()))
            badge = QRectF(2, y.top() + 1, BADGE_WIDTH - 4, max(12.0, y.height() - 2))
            colour = QColor(rating.colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(badge, 4, 4)
            painter.setPen(QColor("black") if colour.lightness() > 140 else QColor("white"))
            text = painter.fontMetrics().elidedText(
                rating.name, Qt.TextElideMode.ElideRight, int(badge.width()) - 4
            )
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, text)

    def _paint_links(self, painter: QPainter, doc: int) -> None:
        summary = self.session.summary
        links = sorted(
            self._links_here(),
            key=lambda k: (
                abs(self.places[k.from_id].start - self.places[k.to_id].start)
                if k.from_id in self.places and k.to_id in self.places
                else 0
            ),
        )
        left = BADGE_WIDTH + 2
        height = self.height()
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for lane, link in enumerate(links):
            relation = summary.relation_type(link.type_id)
            colour = QColor(relation.colour if relation else "#999999")
            source, target = self.places.get(link.from_id), self.places.get(link.to_id)
            if source is None or target is None:
                continue
            if source.document_id == doc and target.document_id == doc:
                y1, y2 = self._y(source.start), self._y(target.start)
                if y1 is None or y2 is None or (max(y1, y2) < 0 or min(y1, y2) > height):
                    continue
                x = left + 6 + (lane % 6) * LANE
                self._arc(painter, colour, left, y1, y2, x)
            else:
                here, there = (source, target) if source.document_id == doc else (target, source)
                y = self._y(here.start)
                if y is None or not 0 <= y <= height:
                    continue
                info = summary.document(there.document_id)
                arrow = "→" if here is source else "←"
                title = info.title if info else "another document"
                painter.setPen(QPen(colour, 2))
                painter.drawLine(QPointF(left, y), QPointF(left + 8, y))
                painter.setPen(muted)
                text = painter.fontMetrics().elidedText(
                    f"{arrow} {title}", Qt.TextElideMode.ElideRight, self.width() - left - 12
                )
                painter.drawText(
                    QPoint(left + 11, round(y) + painter.fontMetrics().ascent() // 2), text
                )

    @staticmethod
    def _arc(
        painter: QPainter, colour: QColor, left: float, y1: float, y2: float, x: float
    ) -> None:
        """A bracket from the source's line to the target's, with an arrow at the target."""
        path = QPainterPath(QPointF(left, y1))
        path.cubicTo(QPointF(x, y1), QPointF(x, y2), QPointF(left, y2))
        painter.setPen(QPen(colour, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        head = QPainterPath(QPointF(left, y2))
        head.lineTo(QPointF(left + 6, y2 - 4))
        head.lineTo(QPointF(left + 6, y2 + 4))
        head.closeSubpath()
        painter.setBrush(colour)
        painter.drawPath(head)
