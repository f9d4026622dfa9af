"""The margin beside the text: links drawn as arcs between the highlights they join, coloured by
their type, with an arrow at the target; a link to another document as a marker with that
document's title; each claim's verdict as a small badge; a ✎ where a highlight with a note
starts. Only what belongs to highlights the text shows is drawn: in blind mode, or with one
annotator's highlights shown, others' verdicts, notes and links are hidden here too.

It sits in the reading view's right margin and follows the session: it keeps the places of the
highlights that have links (read once when a document opens, then kept from change records),
and paints only what is on screen.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QWidget

from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import Link, Rating
from desktop.ui.document_view import DocumentView
from desktop.ui.highlighter import QtSpan
from desktop.ui.session import Session

WIDTH = 160  # px: the most the view keeps on its right for this, and the least:
MIN_WIDTH = 110
BADGE_WIDTH = 84
LANE = 9  # px between the arcs of links that overlap in height


def margin_width(view_width: int) -> int:
    """The margin's width in a view `view_width` pixels wide: narrower on a small screen, where
    the text needs the room more."""
    return max(MIN_WIDTH, min(WIDTH, view_width // 5))


@dataclass(frozen=True, slots=True)
class Place:
    document_id: int
    start: int  # code points
    end: int


# What the margin draws, in its own coordinates: worked out, then painted.


@dataclass(frozen=True, slots=True)
class Badge:
    """A claim's verdict, beside the line where the claim starts."""

    highlight_id: int
    rating: Rating
    rect: QRectF


@dataclass(frozen=True, slots=True)
class NoteMark:
    """A ✎ beside the line where a highlight with a note starts."""

    highlight_id: int
    rect: QRectF


@dataclass(frozen=True, slots=True)
class Arc:
    """A link between two highlights of the open document (y: their lines' middles)."""

    link: Link
    colour: QColor
    y1: float
    y2: float
    x: float  # how far out the arc bows: links overlapping in height get lanes of their own


@dataclass(frozen=True, slots=True)
class Marker:
    """A link to (or from) a highlight of another document, named by its title."""

    link: Link
    colour: QColor
    y: float
    text: str


@dataclass(frozen=True, slots=True)
class Drawing:
    badges: list[Badge]
    notes: list[NoteMark]
    arcs: list[Arc]
    markers: list[Marker]


class LinkMargin(QWidget):
    def __init__(self, session: Session, view: DocumentView) -> None:
        super().__init__(view)
        self.session = session
        self.view = view
        self.setObjectName("linkMargin")
        self.places: dict[int, Place] = {}  # highlight id -> where it is, for linked highlights
        # (start, link id) of every link end in the open document, sorted: what is on screen is
        # found with a bisect, so painting costs the same with 10 or 10,000 links.
        self.ends: list[tuple[int, int]] = []
        self._has_note: dict[int, bool] = {}  # highlight id -> whether it has a note (on screen)
        self.drawn: Drawing | None = None  # what the last paint drew
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        view.reserve_right_margin(margin_width)
        view.document_shown.connect(self._reload)
        view.geometry_changed.connect(self._fit)
        view.visibility_changed.connect(self.update)  # blind mode, whose or which tags shown
        view.verticalScrollBar().valueChanged.connect(lambda _v: self.update())
        session.changed.connect(self._on_changes)
        self._fit()

    def _fit(self) -> None:
        """Beside the viewport, as wide as the view keeps for it (margin_width)."""
        viewport = self.view.viewport().geometry()
        width = self.view.right_margin()
        self.setGeometry(QRect(viewport.right() + 1, viewport.top(), width, viewport.height()))

    # Keeping the places ------------------------------------------------------------------------

    def _links_here(self) -> list[Link]:
        """The links with an end in the open document."""
        links = self.session.summary.links
        return [links[i] for i in sorted({i for _, i in self.ends})]

    def _index_ends(self) -> None:
        doc = self.view.document_id
        ends = []
        for link in self.session.summary.links.values():
            for end in (link.from_id, link.to_id):
                place = self.places.get(end)
                if place is not None and place.document_id == doc:
                    ends.append((place.start, link.id))
        ends.sort()
        self.ends = ends

    def _follow_ends(self, changes: Changes) -> None:
        """Keep the sorted ends in step with the links a change added and removed."""
        doc = self.view.document_id
        removed = [*changes.links_removed, *(old for old, _new in changes.links_changed)]
        added = [*changes.links_added, *(new for _old, new in changes.links_changed)]
        for link, keep in [*((k, False) for k in removed), *((k, True) for k in added)]:
            for end in (link.from_id, link.to_id):
                place = self.places.get(end)
                if place is None or place.document_id != doc:
                    continue
                entry = (place.start, link.id)
                i = bisect_left(self.ends, entry)
                present = i < len(self.ends) and self.ends[i] == entry
                if keep and not present:
                    self.ends.insert(i, entry)
                elif not keep and present:
                    del self.ends[i]

    def _on_screen(self, visible: tuple[int, int]) -> list[Link]:
        """The links with an end on screen (Qt positions `visible`)."""
        to_cp = self.view.positions.to_code_point
        lo = bisect_left(self.ends, (to_cp(visible[0]), -1))
        hi = bisect_right(self.ends, (to_cp(visible[1]) + 1, 1 << 62))
        links = self.session.summary.links
        return [links[i] for i in {i for _, i in self.ends[lo:hi]} if i in links]

    def _reload(self) -> None:
        """A document is shown: read where the linked highlights are."""
        ids = list(self.session.summary.linked())
        store = self.session.store
        self.places = {i: Place(*p) for i, p in store.highlight_places(ids).items()}
        self._index_ends()
        self.update()

    def _on_changes(self, changes: Changes) -> None:
        for h in (*changes.added, *changes.removed, *(new for _old, new in changes.changed)):
            self._has_note.pop(h.id, None)
        if changes.everything:
            self._has_note.clear()
            self._reload()
            return
        # An orphan placed again comes with its links; a highlight that became an orphan keeps
        # its links but has no place any more (the summary is up to date with this change).
        new_ends = {end for link in changes.links_added for end in (link.from_id, link.to_id)}
        is_linked = self.session.summary.is_linked

        def linked_before(highlight_id: int) -> bool:
            return is_linked(highlight_id) and highlight_id not in new_ends

        placed_again = [h for h in changes.added if linked_before(h.id)]
        orphaned = any(linked_before(h.id) for h in changes.removed)
        for h in placed_again:
            self.places[h.id] = Place(h.document_id, h.start, h.end)
        if changes.links_added:
            missing = [
                end
                for link in changes.links_added
                for end in (link.from_id, link.to_id)
                if end not in self.places
            ]
            if missing:
                found = self.session.store.highlight_places(missing)
                self.places.update((i, Place(*p)) for i, p in found.items())
        if changes.documents or placed_again or orphaned:
            for h in changes.removed:
                self.places.pop(h.id, None)
            self._index_ends()
        else:
            self._follow_ends(changes)
            for h in changes.removed:  # their links went with them, above
                self.places.pop(h.id, None)
        if changes:
            self.update()

    # Painting ----------------------------------------------------------------------------------

    def _y(self, start: int, visible: tuple[int, int]) -> float:
        """The middle of the line where code point `start` is, in this widget; above or below
        it for a place off screen (whose line is not laid out: asking would lay out the text
        up to it)."""
        qt = self.view.positions.to_qt(start)
        if qt < visible[0]:
            return -LANE
        if qt >= visible[1]:
            return self.height() + LANE
        rect = self.view.rect_of_qt(qt)
        return -LANE if rect is None else rect.center().y()

    def paintEvent(self, event: QPaintEvent) -> None:
        doc = self.view.document_id
        if doc is None or self.view.index is None:
            self.drawn = None
            return
        drawing = self.drawing(doc)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        small = QFont(self.font())
        small.setPointSizeF(max(7.0, small.pointSizeF() * 0.8))
        painter.setFont(small)
        self._paint(painter, drawing)
        painter.end()
        self.drawn = drawing

    def drawing(self, doc: int) -> Drawing:
        """What to draw for the part of document `doc` on screen: only what belongs to the
        highlights the text shows (its tags and annotators), so that blind mode, or one
        annotator's highlights, hides others' verdicts, notes and links here too."""
        spans = self.view.visible_spans()
        arcs, markers = self._links(doc)
        return Drawing(self._badges(spans), self._notes(spans), arcs, markers)

    def _badges(self, spans: list[QtSpan]) -> list[Badge]:
        """A verdict's badge beside the line where its claim starts (one per line)."""
        summary = self.session.summary
        badges: list[Badge] = []
        rows: set[int] = set()
        for span in spans:
            rating = summary.rating(span.rating_id) if span.rating_id else None
            if rating is None:
                continue
            line = self.view.rect_of_qt(span.start)
            if line is None or line.top() in rows:
                continue
            rows.add(line.top())
            rect = QRectF(2, line.top() + 1, BADGE_WIDTH - 4, max(12.0, line.height() - 2))
            badges.append(Badge(span.id, rating, rect))
        return badges

    def _notes(self, spans: list[QtSpan]) -> list[NoteMark]:
        """A ✎ beside each line where a highlight with a note starts."""
        unknown = [s.id for s in spans if s.id not in self._has_note]
        if unknown:
            try:
                texts = self.session.store.highlight_texts(unknown)
            except ClaimmarkError:  # a server out of reach: no markers until it is back
                return []
            self._has_note.update((i, bool(texts.get(i, ("", ""))[1])) for i in unknown)
        marks: list[NoteMark] = []
        rows: set[int] = set()
        for span in spans:
            if not self._has_note.get(span.id):
                continue
            line = self.view.rect_of_qt(span.start)
            if line is None or line.top() in rows:
                continue
            rows.add(line.top())
            marks.append(NoteMark(span.id, QRectF(BADGE_WIDTH - 2, line.top(), 14, line.height())))
        return marks

    def _links(self, doc: int) -> tuple[list[Arc], list[Marker]]:
        """Arcs for the links on screen between two shown highlights of this document, markers
        for those from a shown one to another document; only links by annotators shown."""
        summary = self.session.summary
        visible = self.view.visible_range()
        links = sorted(
            (k for k in self._on_screen(visible) if self._shown(k, doc)), key=self._length
        )
        left = BADGE_WIDTH + 14
        height = self.height()
        arcs: list[Arc] = []
        markers: list[Marker] = []
        for lane, link in enumerate(links):
            relation = summary.relation_type(link.type_id)
            colour = QColor(relation.colour if relation else "#999999")
            source, target = self.places[link.from_id], self.places[link.to_id]
            if source.document_id == doc and target.document_id == doc:
                y1, y2 = self._y(source.start, visible), self._y(target.start, visible)
                if 0 <= y1 <= height or 0 <= y2 <= height:  # else a line across says nothing
                    arcs.append(Arc(link, colour, y1, y2, left + 6 + (lane % 6) * LANE))
            else:
                here, there = (source, target) if source.document_id == doc else (target, source)
                y = self._y(here.start, visible)
                if 0 <= y <= height:
                    info = summary.document(there.document_id)
                    title = info.title if info else "another document"
                    arrow = "→" if here is source else "←"
                    markers.append(Marker(link, colour, y, f"{arrow} {title}"))
        return arcs, markers

    def _shown(self, link: Link, doc: int) -> bool:
        """Whether a link is drawn: made by an annotator shown, its ends placed, and its ends
        in this document shown."""
        visibility = self.view.visibility
        whose = visibility.annotators
        if whose is not None and link.annotator not in whose:
            return False
        for end in (link.from_id, link.to_id):
            place = self.places.get(end)
            if place is None:
                return False
            if (
                place.document_id == doc
                and not visibility.everything
                and not self.view.shows(end, place.start)
            ):
                return False
        return True

    def _paint(self, painter: QPainter, drawing: Drawing) -> None:
        metrics = painter.fontMetrics()
        for badge in drawing.badges:
            colour = QColor(badge.rating.colour)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colour)
            painter.drawRoundedRect(badge.rect, 4, 4)
            painter.setPen(QColor("black") if colour.lightness() > 140 else QColor("white"))
            name = metrics.elidedText(
                badge.rating.name, Qt.TextElideMode.ElideRight, int(badge.rect.width()) - 4
            )
            painter.drawText(badge.rect, Qt.AlignmentFlag.AlignCenter, name)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        for mark in drawing.notes:
            painter.drawText(mark.rect, Qt.AlignmentFlag.AlignCenter, "✎")
        left = BADGE_WIDTH + 14
        for arc in drawing.arcs:
            self._arc(painter, arc.colour, left, arc.y1, arc.y2, arc.x)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText)
        for marker in drawing.markers:
            painter.setPen(QPen(marker.colour, 2))
            painter.drawLine(QPointF(left, marker.y), QPointF(left + 8, marker.y))
            painter.setPen(muted)
            text = metrics.elidedText(
                marker.text, Qt.TextElideMode.ElideRight, self.width() - left - 12
            )
            painter.drawText(QPoint(left + 11, round(marker.y) + metrics.ascent() // 2), text)

    def _length(self, link: Link) -> int:
        """How far apart a link's ends are: short links get the inner lanes."""
        source, target = self.places.get(link.from_id), self.places.get(link.to_id)
        return abs(source.start - target.start) if source and target else 0

    @staticmethod
    def _arc(
        painter: QPainter, colour: QColor, left: float, y1: float, y2: float, x: float
    ) -> None:
        """A bracket from the source's line to the target's, with an arrow at the target (a
        small loop when both are on one line)."""
        if abs(y1 - y2) < 4:
            y1, y2 = y1 - 5, y2 + 5
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
