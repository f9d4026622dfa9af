"""The reading view: one document as plain text, with its highlights drawn per block.

The text is set with setPlainText only, so markup in a document shows as the characters it is.
Positions leave this widget as code points (see textpos.py); Qt's positions stay inside, and
copied text comes from the stored text. The view follows the session: it shows the document the
session opens and draws each change to its highlights from the change record.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, QMimeData, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QKeyEvent,
    QMouseEvent,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QTextCharFormat,
    QTextCursor,
    QTextOption,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QToolTip, QWidget

from desktop.core import anchoring
from desktop.core.changes import Changes
from desktop.core.digest import parse_byline
from desktop.core.errors import ClaimmarkError
from desktop.core.model import Document, Highlight, Span, Tag
from desktop.ui.dialogs import local_time
from desktop.ui.highlighter import BlockFormatter, QtSpan, SpanIndex, Visibility
from desktop.ui.session import Session
from desktop.ui.textpos import DisplayMap

log = logging.getLogger(__name__)

MAX_SEARCH_MARKS = 2000
# A change to more of the open document's highlights than this re-reads its spans at once
# (deleting a tag with thousands of highlights) instead of removing them one by one.
BULK_SPAN_CHANGES = 200
READING_WIDTH_CHARS = 90  # a comfortable line length, in average characters


def reading_font() -> QFont:
    """A serif text font when one is installed, at a comfortable size."""
    font = QFont()
    font.setFamilies(["Noto Serif", "DejaVu Serif", "Georgia", "Liberation Serif", "serif"])
    font.setStyleHint(QFont.StyleHint.Serif)
    base = QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont).pointSizeF()
    font.setPointSizeF(max(11.0, base * 1.2))
    return font


class DocumentView(QPlainTextEdit):
    """Shows one document read-only; selection and cursor are reported in code points."""

    note_requested = Signal()  # double-click inside a highlight
    document_shown = Signal()  # another document (or none, or the same again) is shown
    geometry_changed = Signal()  # the viewport moved or changed size (margins, resize)
    link_dragged = Signal(int, int)  # Alt+drag from one highlight (id) to another
    current_highlight_changed = Signal(object)  # highlight id or None
    visibility_changed = Signal()  # other highlights shown (tags, annotators: set_visibility)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("documentView")
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        self.setFont(reading_font())
        self.document().setDocumentMargin(16)
        self.setPlaceholderText("No document open. Pick one on the left, or import with Ctrl+I.")
        self.formatter = BlockFormatter(self.document())
        self.formatter.set_base_point_size(self.font().pointSizeF())
        self.formatter.set_dark(self.palette().color(QPalette.ColorRole.Base).lightness() < 128)
        self.document_id: int | None = None
        self.text = ""
        self.positions = DisplayMap("")
        self.index: SpanIndex | None = None
        self._right_margin_for: Callable[[int], int] = lambda _width: 0  # see right_margin()
        self._drag_from: int | None = None  # a highlight an Alt+drag started in
        self._current: QtSpan | None = None  # the highlight a key, Delete or N acts on
        self._search_hits: list[tuple[int, int]] = []
        # Which highlight is under the cursor is worked out once per turn of the event loop,
        # not at each of the several signals one key press gives.
        self._current_stale = False
        self._current_timer = QTimer(self)
        self._current_timer.setSingleShot(True)
        self._current_timer.setInterval(0)
        self._current_timer.timeout.connect(self._update_current)
        self.cursorPositionChanged.connect(self._schedule_current)
        self.selectionChanged.connect(self._schedule_current)
        self.formatter.set_tags(session.summary.tags)
        session.document_opened.connect(self._open)
        session.changed.connect(self._on_changes)

    # Following the session -----------------------------------------------------------------

    def _open(self, document_id: int | None) -> None:
        if document_id is None:
            self.clear_document()
        elif document_id != self.document_id:
            self.load(document_id)

    def load(self, document_id: int) -> bool:
        """Read a document and its highlights from the store and show it (again, if it is the
        one shown); False, with a message, when it cannot be read."""
        store = self.session.store
        try:
            doc = store.document(document_id)
            spans = store.spans(document_id)
        except ClaimmarkError as e:
            self.session.failed.emit(str(e))
            return False
        self.show_document(doc, spans, self.session.summary.tags)
        return True

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything:
            self._reload()
            return
        if changes.tags:
            self.set_tags(self.session.summary.tags)
        doc = self.document_id
        if doc is None or doc not in changes.documents_touched():
            return
        if changes.highlight_count > BULK_SPAN_CHANGES:
            self._reload_spans()
            return
        for h in changes.removed:
            if h.document_id == doc:
                self.remove_span(h.id)
        for h in changes.added:
            if h.document_id == doc:
                self.add_span(h)
        for old, new in changes.changed:
            if new.document_id == doc and (old.tag_id, old.rating_id) != (
                new.tag_id,
                new.rating_id,
            ):
                self.replace_span(new)

    def _reload(self) -> None:
        """Anything may have changed: show the document again where the reader was."""
        self.formatter.set_tags(self.session.summary.tags)
        current = self.document_id
        if current is None or self.session.summary.document(current) is None:
            return  # the session opens another one
        # The line first on screen, not the scroll bar's value: that counts lines, and the
        # new text's are laid out anew (a long paragraph's count only once it is on screen),
        # so the same value may show another line.
        top = self.first_visible()
        cursor = self.textCursor()
        anchor, position = cursor.anchor(), cursor.position()
        if not self.load(current):
            return
        self.show_from(top)
        scroll = self.verticalScrollBar().value()
        restored = self.textCursor()
        restored.setPosition(min(anchor, self.positions.length_qt))
        restored.setPosition(
            min(position, self.positions.length_qt), QTextCursor.MoveMode.KeepAnchor
        )
        self.setTextCursor(restored)
        self.verticalScrollBar().setValue(scroll)

    def _reload_spans(self) -> None:
        if self.document_id is None:
            return
        self.index = SpanIndex(self.session.store.spans(self.document_id), self.positions)
        self.formatter.index = self.index
        self.formatter.invalidate_all()
        self._schedule_current()
        self.viewport().update()

    def describe(self, ids: list[int]) -> str:
        """Tooltip text for the highlights with these ids ("" when none can be read). A tooltip
        never reports an error: one deleted elsewhere, or a server out of reach, is left out."""
        items = []
        for highlight_id in ids:
            try:
                h = self.session.store.highlight(highlight_id)
            except ClaimmarkError as e:
                log.info("no tooltip for highlight %s: %s", highlight_id, e)
                continue
            tag = self.session.summary.tag(h.tag_id)
            info = self.session.summary.document(h.document_id)
            pages = info.pages_of(h.start, h.end) if info is not None else ""
            items.append(
                (tag.name if tag else "?", h.note, h.annotator, local_time(h.created_at), pages)
            )
        return describe_highlights(items) if items else ""

    # Showing a document ------------------------------------------------------------------

    def show_document(self, doc: Document, spans: Iterable[Span], tags: Iterable[Tag]) -> None:
        self.positions = DisplayMap(doc.text)
        self.index = SpanIndex(spans, self.positions)
        self.formatter.set_tags(tags)
        self.formatter.index = self.index
        self.document_id = doc.id
        self.text = doc.text
        self._search_hits = []
        self.formatter.byline_block = None
        self.setPlainText(self.positions.display)  # plain text: never read as markup
        self.positions.display = ""  # the widget has it now; no second copy of a long text
        shown = self.document().characterCount() - 1
        if shown != self.positions.length_qt:  # would shift every highlight: say so loudly
            log.error(
                "document %s: view holds %d positions, expected %d",
                doc.id,
                shown,
                self.positions.length_qt,
            )
        self._style_byline()
        self._update_current()  # the highlight at the cursor here, signalled to the panels
        self._refresh_overlays()
        self.document_shown.emit()

    def _style_byline(self) -> None:
        """Grey the byline (author, outlet, date) when one of the first lines is one."""
        start = 0
        for number, line in enumerate(self.text.split("\n", 4)[:4]):
            if number > 0 and parse_byline(line) is not None:
                block = self.document().findBlock(self.positions.to_qt(start))
                self.formatter.byline_block = block.blockNumber()
                return
            start += len(line) + 1

    def clear_document(self) -> None:
        self.formatter.index = None
        self.index = None
        self.document_id = None
        self.text = ""
        self.positions = DisplayMap("")
        self._search_hits = []
        self.setPlainText("")
        self._update_current()  # none, and said so
        self._refresh_overlays()
        self.document_shown.emit()

    def set_tags(self, tags: Iterable[Tag]) -> None:
        self.formatter.set_tags(tags)
        self._refresh_overlays()  # the current highlight's colour may have changed
        self.viewport().update()

    @property
    def visibility(self) -> Visibility:
        return self.formatter.show

    def set_visibility(self, show: Visibility) -> None:
        """Which highlights to draw (tags, annotators), and whose faintly."""
        if self.formatter.show != show:
            self.formatter.set_visibility(show)
            self._update_current()
            self.viewport().update()
            self.visibility_changed.emit()

    def zoom(self, steps: int) -> None:
        font = self.font()
        font.setPointSizeF(max(7.0, min(40.0, font.pointSizeF() + steps)))
        self.setFont(font)
        self.formatter.set_base_point_size(font.pointSizeF())
        self._fit_reading_width()
        self.viewport().update()

    # Spans -------------------------------------------------------------------------------

    def add_span(self, h: Highlight) -> None:
        """Draw a new highlight."""
        if self.index is None:
            return
        qt = self.index.add(h)
        self._redraw(qt.start, qt.end)

    def remove_span(self, span_id: int) -> None:
        if self.index is None:
            return
        qt = self.index.remove(span_id)
        if qt is not None:
            self._redraw(qt.start, qt.end)

    def replace_span(self, h: Highlight) -> None:
        self.remove_span(h.id)
        self.add_span(h)

    def _redraw(self, start: int, end: int) -> None:
        self.formatter.invalidate_range(start, end)
        self._schedule_current()
        self.viewport().update()

    # Positions ---------------------------------------------------------------------------

    def selection_span(self) -> tuple[int, int] | None:
        """The selection in code points, white space trimmed; None if nothing is selected."""
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self.positions.to_code_point(cursor.selectionStart())
        end = self.positions.to_code_point(cursor.selectionEnd())
        start, end = anchoring.trim_span(self.text, start, end)
        return (start, end) if end > start else None

    def cursor_position(self) -> int:
        return self.positions.to_code_point(self.textCursor().position())

    def _shown(self, spans: list[QtSpan]) -> list[QtSpan]:
        """Those of `spans` the view shows (their tag and annotator)."""
        return self.formatter.show.filter(spans)

    def _mine_first(self, spans: list[QtSpan]) -> list[QtSpan]:
        """`spans` (innermost first) with the annotator's own before others' on the same
        passage: several annotators marking one passage is common, and a key acts on mine."""
        me = self.session.annotator
        return sorted(spans, key=lambda s: (s.end - s.start, s.start, s.annotator != me))

    def highlight_on(self, start: int, end: int) -> QtSpan | None:
        """A shown highlight spanning exactly [start, end) (code points), if there is one: the
        annotator's own if there is one of theirs."""
        if self.index is None:
            return None
        span = (self.positions.to_qt(start), self.positions.to_qt(end))
        same = [s for s in self.index.overlapping(*span) if (s.start, s.end) == span]
        shown = self._mine_first(self._shown(same))
        return shown[0] if shown else None

    def shows(self, highlight_id: int, start: int) -> bool:
        """Whether the highlight starting at code point `start` is drawn (its tag and its
        annotator are shown)."""
        if self.index is None:
            return False
        qt = self.positions.to_qt(start)
        return any(s.id == highlight_id for s in self._shown(self.index.overlapping(qt, qt + 1)))

    def spans_at_cursor(self) -> list[QtSpan]:
        """Highlights under the cursor (or exactly the selection), innermost first, the
        annotator's own first of those on one passage."""
        if self.index is None:
            return []
        selected = self.selection_span()
        exact = self.highlight_on(*selected) if selected else None
        if exact is not None:
            return [exact]
        pos = self.textCursor().position()
        found = self.index.at(pos)
        if not found and pos > 0:
            found = [s for s in self.index.at(pos - 1) if s.end == pos]
        return self._mine_first(self._shown(found))

    def put_cursor_at(self, point: QPoint) -> None:
        """Move the cursor to a point of the viewport (dropping the selection)."""
        self.setTextCursor(self.cursorForPosition(point))

    def spans_at_point(self, point: QPoint) -> list[QtSpan]:
        """Shown highlights at a point of the viewport, innermost first."""
        if self.index is None:
            return []
        return self._shown(self.index.at(self.cursorForPosition(point).position()))

    def select_span(self, start: int, end: int) -> None:
        """Select [start, end) (code points) and scroll it into the middle of the view."""
        cursor = self.textCursor()
        cursor.setPosition(self.positions.to_qt(start))
        cursor.setPosition(self.positions.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.centerCursor()

    def collapse_selection(self) -> None:
        """Drop the selection, leaving the cursor at its end (so a new highlight shows)."""
        cursor = self.textCursor()
        cursor.setPosition(cursor.selectionEnd())
        self.setTextCursor(cursor)

    # Overlays: the highlight under the cursor, and search hits ----------------------------

    def current_highlight(self) -> int | None:
        if self._current_stale:
            self._update_current()
        return None if self._current is None else self._current.id

    def _schedule_current(self) -> None:
        self._current_stale = True
        self._current_timer.start()

    def _update_current(self) -> None:
        self._current_stale = False
        found = self.spans_at_cursor()
        current = found[0] if found else None
        if current != self._current:
            self._current = current
            self._refresh_overlays()
            self.current_highlight_changed.emit(None if current is None else current.id)

    def set_search_hits(self, hits: list[tuple[int, int]]) -> None:
        self._search_hits = hits[:MAX_SEARCH_MARKS]
        self._refresh_overlays()

    def _refresh_overlays(self) -> None:
        selections = []
        hit_format = QTextCharFormat()
        hit_format.setBackground(QColor(128, 128, 128, 70))
        hit_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DashUnderline)
        for start, end in self._search_hits:
            selections.append(self._extra(start, end, hit_format, qt=False))
        qt = self._current
        if qt is not None:
            # The highlight that a key, Delete or N would act on: lined above and below, its
            # background left as it is, so the blend of highlights overlapping it still shows.
            fmt = QTextCharFormat()
            fmt.setFontOverline(True)
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(self.formatter.colour_of(qt.tag_id).darker(160))
            selections.append(self._extra(qt.start, qt.end, fmt, qt=True))
        self.setExtraSelections(selections)

    def _extra(
        self, start: int, end: int, fmt: QTextCharFormat, *, qt: bool
    ) -> QTextEdit.ExtraSelection:
        if not qt:
            start, end = self.positions.to_qt(start), self.positions.to_qt(end)
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor  # type: ignore[attr-defined]
        selection.format = fmt  # type: ignore[attr-defined]
        return selection

    # Events ------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Format the blocks about to be painted (only those), then paint as usual."""
        if self.index is not None or self.formatter.byline_block is not None:
            offset = self.contentOffset()
            bottom = event.rect().bottom()
            block = self.firstVisibleBlock()
            while block.isValid():
                self.formatter.ensure(block)
                if self.blockBoundingGeometry(block).translated(offset).bottom() > bottom:
                    break
                block = block.next()
        super().paintEvent(event)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.index is not None:
            pos: QPoint = event.pos()  # type: ignore[attr-defined]
            u16 = self.cursorForPosition(pos).position()
            spans = self.index.at(u16)
            text = self.describe([s.id for s in spans]) if spans else ""
            if text:
                QToolTip.showText(event.globalPos(), text, self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    # The cursor never rests on a paragraph gap -----------------------------------------------

    _VERTICAL = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown})

    def keyPressEvent(self, event: QKeyEvent) -> None:
        before = self.textCursor().position()
        super().keyPressEvent(event)
        self._step_off_gap(
            forward=self.textCursor().position() >= before,
            vertical=event.key() in self._VERTICAL,
        )

    def _step_off_gap(self, *, forward: bool, vertical: bool) -> None:
        """A gap line between paragraphs is display only: go on past it, as if it were a
        margin (down to the next line at the same place, right to the next paragraph...)."""
        cursor = self.textCursor()
        if not self.positions.is_gap(cursor.position()):
            return
        mode = (
            QTextCursor.MoveMode.KeepAnchor
            if cursor.hasSelection()
            else QTextCursor.MoveMode.MoveAnchor
        )
        if vertical:
            step = QTextCursor.MoveOperation.Down if forward else QTextCursor.MoveOperation.Up
        else:
            step = (
                QTextCursor.MoveOperation.NextCharacter
                if forward
                else QTextCursor.MoveOperation.PreviousCharacter
            )
        if not cursor.movePosition(step, mode):  # the first or last line: back off the other way
            cursor.movePosition(
                QTextCursor.MoveOperation.PreviousCharacter
                if forward
                else QTextCursor.MoveOperation.NextCharacter,
                mode,
            )
        self.setTextCursor(cursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.AltModifier:
            found = self.spans_at_point(event.position().toPoint())
            if found:
                self._drag_from = found[0].id
                self.viewport().setCursor(Qt.CursorShape.DragLinkCursor)
                return
        super().mousePressEvent(event)
        self._step_off_gap(forward=True, vertical=False)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None:
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag_from is None:
            super().mouseReleaseEvent(event)
            self._step_off_gap(forward=True, vertical=False)
            return
        source, self._drag_from = self._drag_from, None
        self.viewport().unsetCursor()
        found = self.spans_at_point(event.position().toPoint())
        self.link_dragged.emit(source, found[0].id if found else source)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.index is not None:
            cursor = self.cursorForPosition(event.position().toPoint())
            if self.index.at(cursor.position()):
                self.setTextCursor(cursor)
                self.note_requested.emit()
                return
        super().mouseDoubleClickEvent(event)

    def createMimeDataFromSelection(self) -> QMimeData:
        """Copy the stored text of the selection (the display has extra paragraph gaps)."""
        data = QMimeData()
        cursor = self.textCursor()
        start = self.positions.to_code_point(cursor.selectionStart())
        end = self.positions.to_code_point(cursor.selectionEnd())
        data.setText(self.text[start:end])
        return data

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            # The view's own resize, before it places its viewport: the margins follow the
            # view's width here, so that the viewport gets its size once. Set while the
            # viewport handles its resize, they resized it again and that resize was lost when
            # it came during the viewport's first one (as the window first shows): the text
            # stayed laid out for the wider viewport, running under the link margin.
            self._fit_reading_width()
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        """The viewport's resize (the text is laid out again for its width)."""
        super().resizeEvent(event)
        self.geometry_changed.emit()

    def right_margin(self) -> int:
        """The pixels kept on the right of the text for a margin widget."""
        return self._right_margin_for(self.width())

    def reserve_right_margin(self, width_for: Callable[[int], int]) -> None:
        """Keep on the right of the text the pixels that `width_for(the view's width)` gives,
        for a margin widget (link_margin.py)."""
        self._right_margin_for = width_for
        self._fit_reading_width()

    def _fit_reading_width(self) -> None:
        """Keep lines to a readable length by centring a text column in wide windows."""
        column = self.fontMetrics().averageCharWidth() * READING_WIDTH_CHARS
        margin = self.right_margin()
        free = max(0, self.width() - column - margin)
        left = free // 2
        right = max(margin, free - left)
        if (self.viewportMargins().left(), self.viewportMargins().right()) != (left, right):
            self.setViewportMargins(left, 0, right, 0)  # the viewport resized: text laid out again
            self.geometry_changed.emit()

    # Where things are on screen (for the margin) -------------------------------------------

    def rect_of_qt(self, position: int) -> QRect | None:
        """The cursor rectangle at Qt position `position`, in viewport coordinates."""
        if self.document_id is None:
            return None
        cursor = QTextCursor(self.document())
        cursor.setPosition(min(position, self.positions.length_qt))
        return self.cursorRect(cursor)

    def rect_of(self, code_point: int) -> QRect | None:
        return self.rect_of_qt(self.positions.to_qt(code_point))

    def first_visible(self) -> int:
        """The code point at the start of the first line on screen (the reading position)."""
        return self.positions.to_code_point(self.cursorForPosition(QPoint(1, 1)).position())

    def show_from(self, code_point: int, cursor_at: int | None = None) -> None:
        """Scroll so that the line holding `code_point` is the first on screen, and put the
        cursor at `cursor_at` (default: there)."""
        qt = self.positions.to_qt(min(code_point, self.positions.length_cp))
        bar = self.verticalScrollBar()
        bar.setValue(bar.maximum())  # from below, making a line visible puts it at the top
        cursor = self.textCursor()
        cursor.setPosition(qt)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        if cursor_at is not None:
            cursor.setPosition(self.positions.to_qt(min(cursor_at, self.positions.length_cp)))
            top = bar.value()
            self.setTextCursor(cursor)
            bar.setValue(top)

    def visible_range(self) -> tuple[int, int]:
        """Qt positions of the first and last characters on screen."""
        top = self.cursorForPosition(QPoint(0, 0)).position()
        corner = QPoint(self.viewport().width() - 1, self.viewport().height() - 1)
        return top, self.cursorForPosition(corner).position() + 1

    def visible_spans(self) -> list[QtSpan]:
        """The shown highlights with a part on screen, in start order."""
        if self.index is None:
            return []
        return self._shown(self.index.overlapping(*self.visible_range()))


def describe_highlights(items: Iterable[tuple[str, str, str, str, str]]) -> str:
    """Tooltip text (escaped) for (tag, note, annotator, time, pages) of highlights under the
    mouse; pages is "page 3", "pages 3–4", or "" for a document without pages."""
    parts = []
    for tag, note, annotator, time, pages in items:
        line = f"<b>{html.escape(tag)}</b> · {html.escape(annotator)} · {html.escape(time)}"
        if pages:
            line += f" · {html.escape(pages)}"
        if note:
            line += "<br>" + html.escape(note).replace("\n", "<br>")
        parts.append(line)
    return "<p style='white-space:pre-wrap'>" + "<hr>".join(parts) + "</p>"
