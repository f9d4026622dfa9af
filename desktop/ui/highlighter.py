"""Drawing saved highlights, block by block, with a QSyntaxHighlighter.

Spans are kept sorted by start, in Qt positions (see textpos.py); each block finds its spans
with a bisect, so the cost of drawing a block does not grow with the number of highlights in
the document. Where highlights overlap, their colours are blended and the innermost one is
underlined in its colour.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtGui import (
    QColor,
    QFont,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)

from desktop.core.model import Span, Tag
from desktop.ui.textpos import DisplayMap

# Spans longer than this (in Qt positions) are kept apart and checked for every block, so the
# bisect window for ordinary spans stays short.
LONG_SPAN = 4096


@dataclass(frozen=True, slots=True)
class QtSpan:
    """A highlight in Qt positions."""

    start: int
    end: int
    id: int
    tag_id: int


class SpanIndex:
    """The highlights of one document, for finding those that touch a range quickly."""

    def __init__(self, spans: Iterable[Span], positions: DisplayMap) -> None:
        self.positions = positions
        self._short: list[QtSpan] = []
        self._long: list[QtSpan] = []
        self._by_id: dict[int, QtSpan] = {}
        for span in spans:
            self._by_id[span.id] = qt = self._convert(span)
            (self._long if qt.end - qt.start > LONG_SPAN else self._short).append(qt)
        self._short.sort(key=lambda s: (s.start, s.end))
        self._starts = [s.start for s in self._short]

    def _convert(self, span: Span) -> QtSpan:
        to_qt = self.positions.to_qt
        return QtSpan(to_qt(span.start), to_qt(span.end), span.id, span.tag_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def get(self, span_id: int) -> QtSpan | None:
        return self._by_id.get(span_id)

    def add(self, span: Span) -> QtSpan:
        qt = self._convert(span)
        self._by_id[span.id] = qt
        if qt.end - qt.start > LONG_SPAN:
            self._long.append(qt)
        else:
            i = bisect_left(self._starts, qt.start)
            self._starts.insert(i, qt.start)
            self._short.insert(i, qt)
        return qt

    def remove(self, span_id: int) -> QtSpan | None:
        qt = self._by_id.pop(span_id, None)
        if qt is None:
            return None
        if qt in self._long:
            self._long.remove(qt)
        else:
            i = bisect_left(self._starts, qt.start)
            while self._short[i].id != span_id:
                i += 1
            del self._short[i]
            del self._starts[i]
        return qt

    def overlapping(self, lo: int, hi: int) -> list[QtSpan]:
        """Spans with any part in [lo, hi), sorted by start."""
        first = bisect_left(self._starts, lo - LONG_SPAN)
        last = bisect_left(self._starts, hi)
        found = [s for s in self._short[first:last] if s.end > lo]
        if self._long:
            found.extend(s for s in self._long if s.start < hi and s.end > lo)
            found.sort(key=lambda s: (s.start, s.end))
        return found

    def at(self, pos: int) -> list[QtSpan]:
        """Spans containing position `pos`, innermost (shortest) first."""
        inside = [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]
        return sorted(inside, key=lambda s: (s.end - s.start, s.start))

    def all_sorted(self) -> list[QtSpan]:
        return self.overlapping(0, 1 << 62)


def blend(colours: list[QColor]) -> QColor:
    n = len(colours)
    return QColor(
        sum(c.red() for c in colours) // n,
        sum(c.green() for c in colours) // n,
        sum(c.blue() for c in colours) // n,
    )


class HighlightPainter(QSyntaxHighlighter):
    """Colours a document's highlights; also styles the title line."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.index: SpanIndex | None = None
        self._colours: dict[int, QColor] = {}
        self._visible_tags: set[int] | None = None
        self._formats: dict[tuple[object, ...], QTextCharFormat] = {}
        self.alpha = 110
        self.byline_block: int | None = None
        self.byline_format = QTextCharFormat()
        self.byline_format.setFontItalic(True)
        self.byline_format.setForeground(QColor(128, 128, 128))
        self.title_format = QTextCharFormat()
        self.title_format.setFontWeight(QFont.Weight.Bold)
        self.title_format.setFontPointSize(document.defaultFont().pointSizeF() * 1.3)

    def set_tags(self, tags: Iterable[Tag]) -> None:
        self._colours = {t.id: QColor(t.colour) for t in tags}
        self._formats.clear()

    def colour_of(self, tag_id: int) -> QColor:
        return QColor(self._colours.get(tag_id, QColor("#999999")))

    def set_visible_tags(self, tag_ids: set[int] | None) -> None:
        """Show only these tags (None: all)."""
        self._visible_tags = tag_ids

    def set_index(self, index: SpanIndex | None) -> None:
        self.index = index

    def set_dark(self, dark: bool) -> None:
        self.alpha = 150 if dark else 110
        self._formats.clear()

    def set_base_point_size(self, size: float) -> None:
        self.title_format.setFontPointSize(size * 1.3)
        self._formats.clear()

    def rehighlight_range(self, start: int, end: int) -> None:
        """Redraw the blocks that hold Qt positions [start, end]."""
        doc = self.document()
        block = doc.findBlock(start)
        last = doc.findBlock(max(start, end - 1))
        while block.isValid():
            self.rehighlightBlock(block)
            if block == last:
                break
            block = block.next()

    def _format(self, tag_ids: tuple[int, ...], inner: int | None, title: bool) -> QTextCharFormat:
        key = (tag_ids, inner, title)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat(self.title_format) if title else QTextCharFormat()
            colours = [self.colour_of(t) for t in tag_ids]
            background = blend(colours)
            background.setAlpha(self.alpha)
            fmt.setBackground(background)
            if inner is not None:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(self.colour_of(inner).darker(130))
            self._formats[key] = fmt
        return fmt

    def highlightBlock(self, text: str) -> None:
        block = self.currentBlock()
        title = block.blockNumber() == 0
        length = block.length() - 1  # without the block separator
        if title:
            self.setFormat(0, length, self.title_format)
        elif block.blockNumber() == self.byline_block:
            self.setFormat(0, length, self.byline_format)
        if self.index is None or length <= 0:
            return
        lo = block.position()
        hi = lo + length
        spans = self.index.overlapping(lo, hi)
        if self._visible_tags is not None:
            spans = [s for s in spans if s.tag_id in self._visible_tags]
        if not spans:
            return
        # Sweep over span starts and ends; each piece between two events gets the format of
        # the spans active over it.
        events = sorted(
            [(max(lo, s.start), 1, n) for n, s in enumerate(spans)]
            + [(min(hi, s.end), 0, n) for n, s in enumerate(spans)]
        )
        active: dict[int, QtSpan] = {}
        previous = lo
        for pos, is_start, n in events:
            if pos > previous and active:
                self._paint(lo, previous, pos, list(active.values()), title)
            previous = pos
            if is_start:
                active[n] = spans[n]
            else:
                active.pop(n, None)

    def _paint(self, lo: int, a: int, b: int, covering: list[QtSpan], title: bool) -> None:
        tag_ids = tuple(sorted({s.tag_id for s in covering}))
        inner = None
        if len(covering) > 1:
            inner = min(covering, key=lambda s: (s.end - s.start, s.start)).tag_id
        self.setFormat(a - lo, b - a, self._format(tag_ids, inner, title))
