"""Drawing saved highlights: formats set on the blocks about to be painted, and only those.

Spans are kept sorted by start, in Qt positions (see textpos.py); a block finds its spans with a
bisect, so drawing a block costs the same with 100 or 100,000 highlights in the document. The
formats go on each block's QTextLayout just before it is first painted (and again only when a
highlight in it changes), so opening a long document formats one screenful, not every block as
a QSyntaxHighlighter would. Where highlights overlap their colours are blended and the innermost
one is underlined in its colour.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import NamedTuple

from PySide6.QtGui import QColor, QFont, QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

from desktop.core.model import Span, Tag
from desktop.ui.textpos import DisplayMap

# Spans longer than this (in code points) are kept apart and checked for every block, so the
# bisect window for ordinary spans stays short.
LONG_SPAN = 1024
UNFORMATTED = -1  # a block's userState when its formats must be (re)computed


class QtSpan(NamedTuple):
    """A highlight in Qt positions, with its tag and its verdict (0 for none)."""

    start: int
    end: int
    id: int
    tag_id: int
    rating_id: int = 0


class SpanIndex:
    """The highlights of one document, for finding those that touch a range quickly.

    Kept in code points, exactly as the store gives them (no conversion of 100,000 spans when a
    document opens), in five arrays of 64-bit integers sorted by start (4 MB for 100,000
    spans, where tuples would take 17 MB); the few spans a query finds are converted to Qt
    positions on the way out.
    """

    def __init__(self, spans: list[Span], positions: DisplayMap) -> None:
        """`spans` are (start, end, id, tag_id, rating_id) in code points, in start order
        (store.spans)."""
        self.positions = positions
        short = [s for s in spans if s[1] - s[0] <= LONG_SPAN]
        self._long = [(*s[:4], s[4] or 0) for s in spans if s[1] - s[0] > LONG_SPAN]
        self._starts = array("q", (s[0] for s in short))
        self._ends = array("q", (s[1] for s in short))
        self._ids = array("q", (s[2] for s in short))
        self._tags = array("q", (s[3] for s in short))
        self._ratings = array("q", (s[4] or 0 for s in short))

    def __len__(self) -> int:
        return len(self._ids) + len(self._long)

    def _qt(self, start: int, end: int, span_id: int, tag_id: int, rating_id: int) -> QtSpan:
        to_qt = self.positions.to_qt
        return QtSpan(to_qt(start), to_qt(end), span_id, tag_id, rating_id)

    def _find(self, span_id: int) -> int:
        try:
            return self._ids.index(span_id)
        except ValueError:
            return -1

    def add(self, span_id: int, start: int, end: int, tag_id: int, rating_id: int = 0) -> QtSpan:
        """Add a highlight given in code points."""
        if end - start > LONG_SPAN:
            self._long.append((start, end, span_id, tag_id, rating_id))
        else:
            i = bisect_right(self._starts, start)
            self._starts.insert(i, start)
            self._ends.insert(i, end)
            self._ids.insert(i, span_id)
            self._tags.insert(i, tag_id)
            self._ratings.insert(i, rating_id)
        return self._qt(start, end, span_id, tag_id, rating_id)

    def remove(self, span_id: int) -> QtSpan | None:
        i = self._find(span_id)
        if i < 0:
            span = next((s for s in self._long if s[2] == span_id), None)
            if span is None:
                return None
            self._long.remove(span)
            return self._qt(*span)
        removed = self._qt(self._starts[i], self._ends[i], span_id, self._tags[i], self._ratings[i])
        for column in (self._starts, self._ends, self._ids, self._tags, self._ratings):
            del column[i]
        return removed

    def overlapping(self, lo: int, hi: int) -> list[QtSpan]:
        """Spans with any part in Qt positions [lo, hi), in start order."""
        lo_cp = self.positions.to_code_point(lo)
        hi_cp = self.positions.to_code_point(hi) + 1  # a position inside a bump rounds down
        first = bisect_left(self._starts, lo_cp - LONG_SPAN)
        last = bisect_left(self._starts, hi_cp)
        ends, ids, tags, starts, ratings = (
            self._ends,
            self._ids,
            self._tags,
            self._starts,
            self._ratings,
        )
        found = [
            (starts[i], ends[i], ids[i], tags[i], ratings[i])
            for i in range(first, last)
            if ends[i] > lo_cp
        ]
        found.extend(s for s in self._long if s[0] < hi_cp and s[1] > lo_cp)
        found.sort()
        converted = (self._qt(*s) for s in found)
        return [q for q in converted if q.start < hi and q.end > lo]

    def at(self, pos: int) -> list[QtSpan]:
        """Spans containing Qt position `pos`, innermost (shortest) first."""
        inside = [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]
        return sorted(inside, key=lambda s: (s.end - s.start, s.start))


def blend(colours: list[QColor]) -> QColor:
    n = len(colours)
    return QColor(
        sum(c.red() for c in colours) // n,
        sum(c.green() for c in colours) // n,
        sum(c.blue() for c in colours) // n,
    )


class BlockFormatter:
    """Computes and sets the formats of a document's blocks: highlights, title and byline."""

    def __init__(self, document: QTextDocument) -> None:
        self.document = document
        self.index: SpanIndex | None = None
        self.byline_block: int | None = None
        self._colours: dict[int, QColor] = {}
        self._visible_tags: set[int] | None = None
        self._formats: dict[tuple[object, ...], QTextCharFormat] = {}
        self._generation = 0
        self.alpha = 110
        self.title_format = QTextCharFormat()
        self.title_format.setFontWeight(QFont.Weight.Bold)
        self.byline_format = QTextCharFormat()
        self.byline_format.setFontItalic(True)
        self.byline_format.setForeground(QColor(128, 128, 128))
        self.set_base_point_size(document.defaultFont().pointSizeF())

    # What to draw --------------------------------------------------------------------------

    def set_tags(self, tags: Iterable[Tag]) -> None:
        self._colours = {t.id: QColor(t.colour) for t in tags}
        self.invalidate_all()

    def colour_of(self, tag_id: int) -> QColor:
        return QColor(self._colours.get(tag_id, QColor("#999999")))

    def set_visible_tags(self, tag_ids: set[int] | None) -> None:
        """Show only these tags (None: all)."""
        self._visible_tags = tag_ids
        self.invalidate_all()

    def visible_tags(self) -> set[int] | None:
        return self._visible_tags

    def set_dark(self, dark: bool) -> None:
        self.alpha = 150 if dark else 110
        self.invalidate_all()

    def set_base_point_size(self, size: float) -> None:
        self.title_format.setFontPointSize(size * 1.3)
        self.invalidate_all()

    # Keeping formats current ---------------------------------------------------------------

    def invalidate_all(self) -> None:
        """Every block is formatted again when it is next painted."""
        self._generation += 1
        self._formats.clear()

    def invalidate_range(self, start: int, end: int) -> None:
        """The blocks holding Qt positions [start, end] are formatted again when painted."""
        block = self.document.findBlock(start)
        last = self.document.findBlock(max(start, end - 1))
        while block.isValid():
            block.setUserState(UNFORMATTED)
            if block == last:
                break
            block = block.next()

    def ensure(self, block: QTextBlock) -> None:
        """Give `block` its formats if it does not have the current ones yet."""
        if block.userState() == self._generation:
            return
        block.layout().setFormats(self.formats_for(block))
        block.setUserState(self._generation)

    # Computing formats -----------------------------------------------------------------------

    def _format(self, tag_ids: tuple[int, ...], inner: int | None, base: str) -> QTextCharFormat:
        key = (tag_ids, inner, base)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat(self._base(base))
            background = blend([self.colour_of(t) for t in tag_ids])
            background.setAlpha(self.alpha)
            fmt.setBackground(background)
            if inner is not None:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
                fmt.setUnderlineColor(self.colour_of(inner).darker(130))
            self._formats[key] = fmt
        return fmt

    def _base(self, base: str) -> QTextCharFormat:
        if base == "title":
            return self.title_format
        if base == "byline":
            return self.byline_format
        return QTextCharFormat()

    def formats_for(self, block: QTextBlock) -> list[QTextLayout.FormatRange]:
        number = block.blockNumber()
        base = "title" if number == 0 else "byline" if number == self.byline_block else ""
        length = block.length() - 1  # without the block separator
        ranges: list[QTextLayout.FormatRange] = []

        def add(start: int, count: int, fmt: QTextCharFormat) -> None:
            r = QTextLayout.FormatRange()
            r.start, r.length, r.format = start, count, fmt
            ranges.append(r)

        if base and length > 0:
            add(0, length, self._base(base))
        if self.index is None or length <= 0:
            return ranges
        lo = block.position()
        hi = lo + length
        spans = self.index.overlapping(lo, hi)
        if self._visible_tags is not None:
            spans = [s for s in spans if s.tag_id in self._visible_tags]
        if not spans:
            return ranges
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
                covering = list(active.values())
                tag_ids = tuple(sorted({s.tag_id for s in covering}))
                inner = None
                if len(covering) > 1:
                    inner = min(covering, key=lambda s: (s.end - s.start, s.start)).tag_id
                add(previous - lo, pos - previous, self._format(tag_ids, inner, base))
            previous = pos
            if is_start:
                active[n] = spans[n]
            else:
                active.pop(n, None)
        return ranges
