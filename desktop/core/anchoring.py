"""Where a highlight sits in its text: trimming, context, and finding a quote again.

All offsets are code points, half-open.
"""

from __future__ import annotations

import bisect
import uuid

from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight
from desktop.core.timeutil import utc_now

CONTEXT_CHARS = 32


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) so that it neither starts nor ends with white space.

    Returns an empty span (start == end) when the selection holds only white space.
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def context(text: str, start: int, end: int, width: int = CONTEXT_CHARS) -> tuple[str, str]:
    """The `width` code points before and after a span, for re-anchoring it later."""
    return text[max(0, start - width) : start], text[end : end + width]


def new_highlight(
    text: str,
    document_id: int,
    start: int,
    end: int,
    tag_id: int,
    annotator: str,
    note: str = "",
) -> Highlight:
    """A new highlight of [start, end) in `text`, not stored yet (its id is 0)."""
    if not (0 <= start < end <= len(text)):
        raise ClaimmarkError(
            f"The span {start}-{end} does not fit document {document_id} ({len(text)} characters)."
        )
    prefix, suffix = context(text, start, end)
    now = utc_now()
    return Highlight(
        0,
        str(uuid.uuid4()),
        document_id,
        start,
        end,
        tag_id,
        text[start:end],
        prefix,
        suffix,
        note,
        annotator,
        now,
        now,
    )


# How many occurrences of a quote, on each side of where its highlight was, are compared by
# context. A quote that occurs thousands of times ("la" in "la la la") would otherwise cost
# annotations x occurrences comparisons.
CANDIDATES = 64
# Occurrences of one quote listed at most; a quote found more often is looked for near its
# offsets only.
MAX_LISTED = 100_000


def find_quote(
    text: str, quote: str, prefix: str = "", suffix: str = "", near: int | None = None
) -> int | None:
    """Where `quote` occurs in `text`, preferring the occurrence whose context matches best.

    Used when a highlight comes from elsewhere and its offsets do not fit this text. Returns the
    start offset, or None when the quote does not occur at all. For many quotes in one text,
    use one QuoteIndex.
    """
    return QuoteIndex(text).find(quote, prefix, suffix, near)


class QuoteIndex:
    """Finds quotes in one document's text, each string looked up once and its occurrences kept.

    An occurrence with the whole context (prefix, quote, suffix) is taken first, the one
    nearest `near`; otherwise the CANDIDATES occurrences nearest `near` on each side are
    compared by how much of the context matches, then by distance. The work per quote does not
    grow with how often it occurs.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._listed: dict[str, list[int] | None] = {}

    def find(
        self, quote: str, prefix: str = "", suffix: str = "", near: int | None = None
    ) -> int | None:
        if not quote:
            return None
        where = 0 if near is None else near
        if prefix or suffix:
            whole = self._nearest(prefix + quote + suffix, where - len(prefix), 1)
            if whole:
                return whole[0] + len(prefix)
        best: tuple[int, int, int] | None = None  # (context score, -distance, -start)
        for pos in self._nearest(quote, where, CANDIDATES):
            score = _common_suffix(self.text[max(0, pos - len(prefix)) : pos], prefix)
            end = pos + len(quote)
            score += _common_prefix(self.text[end : end + len(suffix)], suffix)
            distance = abs(pos - near) if near is not None else 0
            candidate = (score, -distance, -pos)
            if best is None or candidate > best:
                best = candidate
        return None if best is None else -best[2]

    def _nearest(self, needle: str, near: int, each_side: int) -> list[int]:
        """Up to `each_side` occurrences of `needle` on each side of `near`, nearest first."""
        listed = self._occurrences(needle)
        if listed is None:  # too many to list: look outwards from `near`
            after: list[int] = []
            before: list[int] = []
            pos = self.text.find(needle, max(0, near))
            while pos != -1 and len(after) < each_side:
                after.append(pos)
                pos = self.text.find(needle, pos + 1)
            pos = self.text.rfind(needle, 0, max(0, near) + len(needle) - 1)
            while pos != -1 and len(before) < each_side:
                before.append(pos)
                pos = self.text.rfind(needle, 0, pos + len(needle) - 1)
            found = sorted(set(after + before))
        else:
            at = bisect.bisect_left(listed, near)
            found = listed[max(0, at - each_side) : at + each_side]
        return sorted(found, key=lambda p: (abs(p - near), p))

    def _occurrences(self, needle: str) -> list[int] | None:
        """The start of each occurrence of `needle`, in order (found once); None for more than
        MAX_LISTED."""
        if needle not in self._listed:
            found: list[int] = []
            pos = self.text.find(needle)
            while pos != -1 and len(found) <= MAX_LISTED:
                found.append(pos)
                pos = self.text.find(needle, pos + 1)
            self._listed[needle] = found if len(found) <= MAX_LISTED else None
        return self._listed[needle]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
