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
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtGui import QColor, QFont, QTextBlock, QTextCharFormat, QTextDocument, QTextLayout

from desktop.core.model import Highlight, Span, Tag
from desktop.ui.textpos import DisplayMap

# Spans longer than this (in code points) are kept apart and checked for every block, so the
# bisect window for ordinary spans stays short.
LONG_SPAN = 1024
UNFORMATTED = -1  # a block's userState when its formats must be (re)computed


class QtSpan(NamedTuple):
    """A highlight in Qt positions, with its tag, its verdict (0 for none) and its annotator."""

    start: int
    end: int
    id: int
    tag_id: int
    rating_id: int = 0
    annotator: str = ""


# A span as the index keeps it: (start, end, id, tag_id, rating_id, annotator number).
_Row = tuple[int, int, int, int, int, int]


class SpanIndex:
    """The highlights of one document, for finding those that touch a range quickly.

    Kept in code points, exactly as the store gives them (no conversion of 100,000 spans when a
    document opens), in six arrays of 64-bit integers sorted by start (5 MB for 100,000
    spans, where tuples would take 20 MB; annotators by number); the few spans a query finds
    are converted to Qt positions on the way out.
    """

    def __init__(self, spans: list[Span], positions: DisplayMap) -> None:
        """`spans` are (start, end, id, tag_id, rating_id, annotator) in code points, in start
        order (store.spans)."""
        self.positions = positions
        self._names: list[str] = []
        self._numbers: dict[str, int] = {}
        rows = [(*s[:4], s[4] or 0, self._number(s[5])) for s in spans]
        short = [r for r in rows if r[1] - r[0] <= LONG_SPAN]
        self._long = [r for r in rows if r[1] - r[0] > LONG_SPAN]
        self._columns = tuple(array("q", (r[n] for r in short)) for n in range(6))

    def _number(self, annotator: str) -> int:
        number = self._numbers.get(annotator)
        if number is None:
            number = self._numbers[annotator] = len(self._names)
            self._names.append(annotator)
        return number

    def __len__(self) -> int:
        return len(self._columns[2]) + len(self._long)

    def _qt(self, row: _Row) -> QtSpan:
        to_qt = self.positions.to_qt
        start, end, span_id, tag_id, rating_id, annotator = row
        return QtSpan(to_qt(start), to_qt(end), span_id, tag_id, rating_id, self._names[annotator])

    def add(self, h: Highlight) -> QtSpan:
        """Add a highlight."""
        row = (h.start, h.end, h.id, h.tag_id, h.rating_id or 0, self._number(h.annotator))
        if h.end - h.start > LONG_SPAN:
            self._long.append(row)
        else:
            i = bisect_right(self._columns[0], h.start)
            for column, value in zip(self._columns, row, strict=True):
                column.insert(i, value)
        return self._qt(row)

    def remove(self, span_id: int) -> QtSpan | None:
        try:
            i = self._columns[2].index(span_id)
        except ValueError:
            row = next((r for r in self._long if r[2] == span_id), None)
            if row is None:
                return None
            self._long.remove(row)
            return self._qt(row)
        removed = self._qt(self._row(i))
        for column in self._columns:
            del column[i]
        return removed

    def _row(self, i: int) -> _Row:
        starts, ends, ids, tags, ratings, annotators = self._columns
        return (starts[i], ends[i], ids[i], tags[i], ratings[i], annotators[i])

    def overlapping(self, lo: int, hi: int) -> list[QtSpan]:
        """Spans with any part in Qt positions [lo, hi), in start order."""
        lo_cp = self.positions.to_code_point(lo)
        hi_cp = self.positions.to_code_point(hi) + 1  # a position inside a bump rounds down
        starts, ends = self._columns[0], self._columns[1]
        first = bisect_left(starts, lo_cp - LONG_SPAN)
        last = bisect_left(starts, hi_cp)
        found = [self._row(i) for i in range(first, last) if ends[i] > lo_cp]
        found.extend(r for r in self._long if r[0] < hi_cp and r[1] > lo_cp)
        found.sort()
        converted = (self._qt(r) for r in found)
        return [q for q in converted if q.start < hi and q.end > lo]

    def at(self, pos: int) -> list[QtSpan]:
        """Spans containing Qt position `pos`, innermost (shortest) first."""
        inside = [s for s in self.overlapping(pos, pos + 1) if s.start <= pos < s.end]
        return sorted(inside, key=lambda s: (s.end - s.start, s.start))


@dataclass(frozen=True, slots=True)
class Visibility:
    """Which highlights the text shows: of these tags (None: all) and annotators (None: all);
    those not by `me` are drawn faintly when `faint_others`."""

    tag_ids: frozenset[int] | None = None
    annotators: frozenset[str] | None = None
    me: str = ""
    faint_others: bool = False

    @property
    def everything(self) -> bool:
        """Whether every highlight is shown (no tag or annotator left out)."""
        return self.tag_ids is None and self.annotators is None

    def shows(self, span: QtSpan) -> bool:
        return (self.tag_ids is None or span.tag_id in self.tag_ids) and (
            self.annotators is None or span.annotator in self.annotators
        )

    def filter(self, spans: list[QtSpan]) -> list[QtSpan]:
        if self.everything:
            return spans
        return [s for s in spans if self.shows(s)]

    def is_faint(self, span: QtSpan) -> bool:
        return self.faint_others and span.annotator != self.me


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
        self.show = Visibility()
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

    def set_visibility(self, show: Visibility) -> None:
        """Which highlights to draw, and whose faintly."""
        self.show = show
        self.invalidate_all()

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

    def _format(
        self, tag_ids: tuple[int, ...], inner: int | None, base: str, faint: bool = False
    ) -> QTextCharFormat:
        key = (tag_ids, inner, base, faint)
        fmt = self._formats.get(key)
        if fmt is None:
            fmt = QTextCharFormat(self._base(base))
            background = blend([self.colour_of(t) for t in tag_ids])
            background.setAlpha(self.alpha // 3 if faint else self.alpha)
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
        spans = self.show.filter(spans)
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
                faint = all(self.show.is_faint(s) for s in covering)
                add(previous - lo, pos - previous, self._format(tag_ids, inner, base, faint))
            previous = pos
            if is_start:
                active[n] = spans[n]
            else:
                active.pop(n, None)
        return ranges
