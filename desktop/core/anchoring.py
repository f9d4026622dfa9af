"""Where a highlight sits in its text: trimming, context, and finding a quote again.

All offsets are code points, half-open.
"""

from __future__ import annotations

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


def find_quote(
    text: str, quote: str, prefix: str = "", suffix: str = "", near: int | None = None
) -> int | None:
    """Where `quote` occurs in `text`, preferring the occurrence whose context matches best.

    Used when a highlight comes from elsewhere and its offsets do not fit this text. Returns the
    start offset, or None when the quote does not occur at all.
    """
    if not quote:
        return None
    best: tuple[int, int, int] | None = None  # (context score, -distance, start)
    pos = text.find(quote)
    while pos != -1:
        score = _common_suffix(text[max(0, pos - len(prefix)) : pos], prefix)
        end = pos + len(quote)
        score += _common_prefix(text[end : end + len(suffix)], suffix)
        distance = abs(pos - near) if near is not None else 0
        candidate = (score, -distance, pos)
        if best is None or candidate[:2] > best[:2]:
            best = candidate
        pos = text.find(quote, pos + 1)
    return None if best is None else best[2]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
