"""The one place where stored offsets (code points) and Qt positions meet.

The store counts code points in the document's text. The view shows a display copy of that text,
and Qt counts its positions in UTF-16 units. The two differ only by positions the display adds:

- a character above U+FFFF (an emoji, half a flag) is one code point but two UTF-16 units;
- a single line break between two lines of text is shown as a paragraph gap: the display has
  an extra, empty line there, because QPlainTextEdit has no paragraph spacing;
- a very long line is broken for display every few thousand characters, because Qt lays out
  a whole line at each repaint (a 1 MB line costs 70 ms a frame).

A carriage return (which imported documents never hold, but a hand-made JSON import may) is
shown as the symbol ␍, of the same length, because Qt would merge "\r\n" into one position.

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
_NEWLINE = re.compile("\n")


def _split_line(line: str, offset: int, split_at: int, splits: list[int]) -> list[str]:
    """Break a long line (starting at `offset`) into display pieces; record where in `splits`."""
    pieces = []
    pos = 0
    while len(line) - pos > split_at:
        limit = pos + split_at
        cut = line.rfind(" ", max(pos, limit - _BREAK_SEARCH), limit)
        if cut == -1:
            cut = limit - 1
        pieces.append(line[pos : cut + 1])
        splits.append(offset + cut)
        pos = cut + 1
    pieces.append(line[pos:])
    return pieces


def _display(text: str, paragraph_gaps: bool, split_at: int) -> tuple[str, list[int], list[int]]:
    """The display text, the offsets of the line breaks shown as gaps, and of the characters
    that long lines are broken after."""
    if "\r" in text:  # Qt makes one position of "\r\n"; show a carriage return as a symbol
        text = text.replace("\r", "\u240d")
    n = len(text)
    breaks = [m.start() for m in _NEWLINE.finditer(text)]
    longest = max((b - a - 1 for a, b in zip([-1, *breaks], [*breaks, n], strict=True)), default=n)
    gaps: list[int] = []
    if paragraph_gaps:  # a single line break between two lines of text
        last = len(breaks) - 1
        gaps = [
            p
            for i, p in enumerate(breaks)
            if 0 < p < n - 1
            and (i == 0 or breaks[i - 1] != p - 1)
            and (i == last or breaks[i + 1] != p + 1)
        ]
    # Usual news text: every break inside the text is a gap (a last break at the very end is
    # not). One replace of the first len(gaps) breaks does it, without copying slices.
    usual = longest <= split_at and (not breaks or breaks[0] != 0)
    if usual and gaps == [p for p in breaks if p < n - 1]:
        return text.replace("\n", "\n\n", len(gaps)) if gaps else text, gaps, []
    # Otherwise one pass over the lines: "\n".join of the pieces, where an added empty piece
    # adds a line break and a long line is cut into several pieces.
    lines = text.split("\n")
    pieces: list[str] = []
    splits: list[int] = []
    gap_set = set(gaps)
    pos = 0
    for line in lines:
        if len(line) > split_at:
            pieces.extend(_split_line(line, pos, split_at, splits))
        else:
            pieces.append(line)
        pos += len(line)  # now the offset of the line break after this line
        if pos in gap_set:
            pieces.append("")
        pos += 1
    return "\n".join(pieces), gaps, splits


class DisplayMap:
    """The display text of a stored text, and offset conversion between the two."""

    __slots__ = ("_cps", "_gaps", "_qts", "_round_up", "display", "length_cp", "length_qt")

    def __init__(
        self, text: str, *, paragraph_gaps: bool = True, split_at: int = SPLIT_LINES_AT
    ) -> None:
        self.display, gaps, splits = _display(text, paragraph_gaps, split_at)
        self._gaps = gaps
        astral = [m.start() for m in _ASTRAL.finditer(text)]
        # (offset, kind): kind 0 = the second half of an astral character, 1 = an added line
        # after a line break (rounds down to the end of the line), 2 = an added break inside a
        # long line (rounds up, so a selection to the end of a display line keeps its last
        # character). Astral first at the same offset: its added unit comes before the break.
        self._round_up: list[bool] | None = None  # None: no bump rounds up
        if splits:
            bumps = sorted(
                [(cp, 0) for cp in astral] + [(cp, 1) for cp in gaps] + [(cp, 2) for cp in splits]
            )
            self._cps = [cp for cp, _ in bumps]
            self._round_up = [kind == 2 for _, kind in bumps]
        else:  # the common case: no long lines, so every bump rounds down
            self._cps = sorted(astral + gaps) if astral else gaps
        # The Qt position of the n-th bumped character is its code point offset plus n.
        self._qts = [cp + n for n, cp in enumerate(self._cps)]
        self.length_cp = len(text)
        self.length_qt = len(text) + len(self._cps)

    def to_qt(self, cp: int) -> int:
        """Qt position of code point offset `cp`."""
        if not self._cps:
            return cp
        return cp + bisect_left(self._cps, cp)

    def is_gap(self, qt: int) -> bool:
        """Whether Qt position `qt` is on an added paragraph gap line: a place the cursor must
        not rest, since the stored text has nothing there."""
        if not self._gaps:
            return False
        cp = self.to_code_point(qt)
        i = bisect_left(self._gaps, cp)
        return i < len(self._gaps) and self._gaps[i] == cp and qt == self.to_qt(cp) + 1

    def to_code_point(self, qt: int) -> int:
        """Code point offset of Qt position `qt`."""
        if not self._qts:
            return qt
        before = bisect_right(self._qts, qt - 2)  # bumps whose added unit is before qt
        if before < len(self._qts) and self._qts[before] == qt - 1:  # qt is an added unit
            up = self._round_up is not None and self._round_up[before]
            return qt - before - (0 if up else 1)
        return qt - before
