"""The one place where stored offsets (code points) and Qt positions meet.

The store counts code points in the document's text. The view shows a display copy of that text
and Qt counts its positions in UTF-16 units. They differ in two ways, both of which only ever add
positions:

- a character above U+FFFF (an emoji, half a flag) is one code point but two UTF-16 units;
- a single line break between two lines of text is shown as a paragraph gap: the display text
  has an extra (empty) line there, because QPlainTextEdit has no paragraph spacing.

Each such place is a "bump": every position after it is one more on the Qt side. Keeping the
bumps sorted makes both conversions a bisect, not a rescan. Quotes and copied text always come
from the stored text, never from the widget.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SINGLE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\n])")


class DisplayMap:
    """The display text of a stored text, and offset conversion between the two."""

    __slots__ = ("_bumps", "_qt_bumps", "display", "length_cp", "length_qt")

    def __init__(self, text: str, *, paragraph_gaps: bool = True) -> None:
        astral: list[int] = []
        if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
            astral = [m.start() for m in _ASTRAL.finditer(text)]
        gaps = [m.start() for m in _SINGLE_BREAK.finditer(text)] if paragraph_gaps else []
        self.display = _SINGLE_BREAK.sub("\n\n", text) if gaps else text
        self._bumps = sorted(astral + gaps) if astral and gaps else (astral or gaps)
        # The Qt position of the n-th bumped character is its code point offset plus n.
        self._qt_bumps = [cp + n for n, cp in enumerate(self._bumps)]
        self.length_cp = len(text)
        self.length_qt = len(text) + len(self._bumps)

    def to_qt(self, cp: int) -> int:
        """Qt position of code point offset `cp`."""
        if not self._bumps:
            return cp
        return cp + bisect_left(self._bumps, cp)

    def to_code_point(self, qt: int) -> int:
        """Code point offset of Qt position `qt`; a position inside a bump rounds down."""
        if not self._qt_bumps:
            return qt
        before = bisect_right(self._qt_bumps, qt - 2)  # bumps that end at or before qt
        inside = before < len(self._qt_bumps) and self._qt_bumps[before] == qt - 1
        return qt - before - (1 if inside else 0)
