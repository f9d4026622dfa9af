"""The one place where stored offsets (code points) and Qt positions meet.

The store counts code points in the document's text. The view shows a display copy of that text,
and Qt counts its positions in UTF-16 units. The two differ only by positions the display adds:

- a character above U+FFFF (an emoji, half a flag) is one code point but two UTF-16 units;
- a single line break between two lines of text is shown as a paragraph gap: the display has
  an extra, empty line there, because QPlainTextEdit has no paragraph spacing;
- a very long line is broken for display every few thousand characters, because Qt lays out
  a whole line at each repaint (a 1 MB line costs 70 ms a frame).

Each such added position is a "bump" after a stored character: every later position is one more
on the Qt side. With the bumps sorted, both conversions are a bisect. A Qt position that falls on
an added position (the second half of an emoji, an added line) maps to the nearest stored
boundary. Quotes and copied text always come from the stored text, never from the widget.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

SPLIT_LINES_AT = 2000  # display lines longer than this are broken (stored text is unchanged)
_BREAK_SEARCH = 200  # look this far back for a space to break after

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
_SINGLE_BREAK = re.compile(r"(?<=[^\n])\n(?=[^\n])")


def _split_points(text: str, split_at: int) -> list[int]:
    """Offsets of the characters after which a long line is broken for display."""
    points: list[int] = []
    for match in re.finditer(f"[^\\n]{{{split_at + 1},}}", text):
        pos, end = match.span()
        while end - pos > split_at:
            limit = pos + split_at
            cut = text.rfind(" ", max(pos, limit - _BREAK_SEARCH), limit)
            if cut == -1:
                cut = limit - 1
            points.append(cut)
            pos = cut + 1
    return points


class DisplayMap:
    """The display text of a stored text, and offset conversion between the two."""

    __slots__ = ("_cps", "_qts", "_round_up", "display", "length_cp", "length_qt")

    def __init__(
        self, text: str, *, paragraph_gaps: bool = True, split_at: int = SPLIT_LINES_AT
    ) -> None:
        astral: list[int] = []
        if not text.isascii() and len(text.encode("utf-16-le")) != 2 * len(text):
            astral = [m.start() for m in _ASTRAL.finditer(text)]
        gaps = [m.start() for m in _SINGLE_BREAK.finditer(text)] if paragraph_gaps else []
        splits = _split_points(text, split_at)
        # (offset, kind): kind 0 = the second half of an astral character, 1 = an added line
        # after a line break (rounds down to the end of the line), 2 = an added break inside a
        # long line (rounds up, so a selection to the end of a display line keeps its last
        # character). Astral first at the same offset: its added unit comes before the break.
        bumps = sorted(
            [(cp, 0) for cp in astral] + [(cp, 1) for cp in gaps] + [(cp, 2) for cp in splits]
        )
        inserts = sorted(cp for cp, kind in bumps if kind)
        if inserts:
            pieces = []
            previous = 0
            for cp in inserts:
                pieces.append(text[previous : cp + 1])
                pieces.append("\n")
                previous = cp + 1
            pieces.append(text[previous:])
            self.display = "".join(pieces)
        else:
            self.display = text
        self._cps = [cp for cp, _ in bumps]
        # The Qt position of the n-th bumped character is its code point offset plus n.
        self._qts = [cp + n for n, (cp, _) in enumerate(bumps)]
        self._round_up = [kind == 2 for _, kind in bumps]
        self.length_cp = len(text)
        self.length_qt = len(text) + len(bumps)

    def to_qt(self, cp: int) -> int:
        """Qt position of code point offset `cp`."""
        if not self._cps:
            return cp
        return cp + bisect_left(self._cps, cp)

    def to_code_point(self, qt: int) -> int:
        """Code point offset of Qt position `qt`."""
        if not self._qts:
            return qt
        before = bisect_right(self._qts, qt - 2)  # bumps whose added unit is before qt
        if before < len(self._qts) and self._qts[before] == qt - 1:  # qt is an added unit
            return qt - before - 1 + (1 if self._round_up[before] else 0)
        return qt - before
