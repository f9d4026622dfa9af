"""Re-anchoring highlights when a document's text is replaced by a new version.

Each highlight is looked for in the new text in layers, cheapest first, and the first layer
that places it decides:

1. the same text at the same offsets (the texts are equal, or the highlight lies in the part
   before the first change);
2. the diff position map: its start (or end) carried through a diff of old to new text, taken
   only if the new text there is exactly the quote;
3. the exact quote somewhere else, ranked by how much of its prefix and suffix context is
   there too and by the distance from where the diff says it should be;
4. a fuzzy match: the region of the new text closest to the quote in edit distance, above a
   minimum similarity;

and otherwise it is orphaned, with the reason. A wrong anchor is worse than an orphan, so every
layer past the second refuses to guess: a place must beat every other place by a margin, text
that the diff shows was already elsewhere in the old version (the unchanged copy of another
passage) is never taken, and a short quote needs its context or its position to confirm it.

All offsets are code points, half-open: `text[start:end] == quote` for exact placements.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

import edlib
import fast_diff_match_patch

from desktop.core.anchoring import CONTEXT_CHARS

# The minimum similarity (1 - edit distance / quote length) of a fuzzy match.
MIN_FUZZY_SCORE = 0.8
# Characters of stored context (of up to 32 before and 32 after) that must match to place a
# quote shorter than LONG_QUOTE away from where the diff keeps its place.
MIN_CONTEXT = 8
# Context characters needed to place such a quote far (beyond NEAR) from where the diff puts
# it: most of the 64 stored, as a moved passage keeps (a sentence that only shares the quote's
# words with the deleted one keeps a few).
FAR_CONTEXT = 28
# A quote at least this long may be placed by its own text alone (still only when unique).
LONG_QUOTE = 64
# Context characters needed to place a quote that occurs more than once in the old text.
REPEATED_CONTEXT = 24
# How far (in code points) from the expected position a place counts as "where it was".
NEAR = 64
# Ranking points a place must have over the next one: context characters, plus NEAR_BONUS
# for being near the expected position.
MARGIN = 8
NEAR_BONUS = 8
# A fuzzy match must have this many fewer edits than any other place (at least 2).
FUZZY_MARGIN_SHARE = 0.05
# A fuzzy match may have at most END_EDITS edits within END_CHARS of either end of the quote:
# a typo there is fine, but a run of edits means the match has run into other text (a
# sentence inserted or deleted at that end), and the span would cover text that is not the
# highlight's.
END_CHARS = 8
END_EDITS = 2
# How far the ends of a fuzzy match may move to fit the stored context.
SNAP = 2

# The k-gram length and sampling step of the index that finds quotes (see _Places).
K = 8
MIN_INDEXED = 2 * K - 1
# A k-gram at more sampled positions than this says too little to be worth following.
MAX_POSTINGS = 64
# Places of one quote considered at most; more than that is "ambiguous".
MAX_PLACES = 64
# Context characters compared on each side (as stored: see anchoring.CONTEXT_CHARS).
CONTEXT = CONTEXT_CHARS
# Regions of the new text aligned per fuzzy search, besides the one near the expected place.
MAX_FUZZY_WINDOWS = 3
# Texts up to this size are searched whole by the fuzzy layer (it costs about a millisecond).
FULL_SCAN = 8_000

# The diff is taken in two steps: sentences and lines first, then character by character
# inside each changed block. Myers' diff costs up to (a + b) ** 2 steps for blocks of a and b
# characters that have little in common (about a nanosecond each), so blocks are diffed
# character by character only while their sum of squares stays under this budget; the
# rest stay "deleted and inserted" and their highlights are searched for instead. A
# deterministic budget rather than a time limit, so that the same texts always give the
# same result.
DIFF_BUDGET = 300_000_000

_UNIT_END = re.compile(r"\n|[.!?][\"'”’)\]]*[ \t]+|[。！？]")


class Status(StrEnum):
    KEPT = "kept"
    MOVED = "moved"
    FUZZY = "fuzzy"
    ORPHANED = "orphaned"


class Anchor(NamedTuple):
    """What is known of a highlight in the old text; `key` is the caller's (an id)."""

    key: Hashable
    start: int
    end: int
    quote: str
    prefix: str = ""
    suffix: str = ""


class Layer(StrEnum):
    """Which layer decided."""

    OFFSETS = "offsets"
    DIFF = "diff"
    SEARCH = "search"
    FUZZY = "fuzzy"


class Reason(StrEnum):
    """Why a highlight was orphaned."""

    NOT_FOUND = "its text is not in the new version"
    AMBIGUOUS = "its text is in several places and its context does not tell which"
    UNCONFIRMED = "its text is short or repeated, and its context does not confirm the match"
    OTHER_TEXT = "the closest match is another passage, unchanged from the old version"
    ENDS_CHANGED = "the closest match differs at its beginning or end"
    EMPTY = "it has no text"


@dataclass(frozen=True, slots=True)
class Outcome:
    """Where a highlight goes in the new text.

    For kept and moved ones `new_text[start:end]` is the quote; for fuzzy ones it is the region
    closest to the quote, `score` being the similarity (1 - edit distance / quote length). An
    orphan has no start and end, and a `reason`.
    """

    key: Hashable
    status: Status
    start: int | None = None
    end: int | None = None
    score: float = 0.0
    layer: Layer | None = None
    reason: Reason | None = None


@dataclass(frozen=True, slots=True)
class Summary:
    kept: int = 0
    moved: int = 0
    fuzzy: int = 0
    orphaned: int = 0

    def __str__(self) -> str:
        return f"kept {self.kept}, moved {self.moved}, fuzzy {self.fuzzy}, orphaned {self.orphaned}"


def reanchor(
    old_text: str,
    new_text: str,
    anchors: Iterable[Anchor | tuple[Hashable, int, int, str, str, str]],
) -> list[Outcome]:
    """An outcome for each highlight, in order. Pure: reads nothing, writes nothing."""
    placer = Reanchorer(old_text, new_text)
    return [placer.place(a if isinstance(a, Anchor) else Anchor(*a)) for a in anchors]


def summarize(outcomes: Iterable[Outcome]) -> Summary:
    counts = dict.fromkeys(Status, 0)
    for outcome in outcomes:
        counts[outcome.status] += 1
    return Summary(
        kept=counts[Status.KEPT],
        moved=counts[Status.MOVED],
        fuzzy=counts[Status.FUZZY],
        orphaned=counts[Status.ORPHANED],
    )


class _Expected(NamedTuple):
    """Where the diff puts a highlight that it could not carry over whole: start and end
    (nearest new positions), and each end exactly when that character is unchanged."""

    start: int
    end: int
    exact_start: int | None
    exact_end: int | None


class Reanchorer:
    """Places highlights of `old_text` in `new_text`; the diff and the index are made once,
    when a highlight first needs them."""

    def __init__(self, old_text: str, new_text: str) -> None:
        self.old = old_text
        self.new = new_text
        self.same = old_text == new_text
        self._head = _common_prefix_length(old_text, new_text)
        self._map: _PositionMap | None = None
        self._new_places = _Places(new_text)
        self._old_places = _Places(old_text)

    @property
    def map(self) -> _PositionMap:
        if self._map is None:
            self._map = _PositionMap(diff(self.old, self.new))
        return self._map

    def place(self, anchor: Anchor) -> Outcome:
        key, start, end, quote = anchor.key, anchor.start, anchor.end, anchor.quote
        if not quote:
            return Outcome(key, Status.ORPHANED, reason=Reason.EMPTY)
        expected: _Expected | None = None
        if _valid(self.old, anchor):
            # Layer 1: the same text at the same offsets.
            if self.same or (self.new[start:end] == quote and end <= self._head):
                return Outcome(key, Status.KEPT, start, end, 1.0, Layer.OFFSETS)
            # Layer 2: start or end through the diff, if the quote is there.
            new_start, new_last = self.map.exact(start), self.map.exact(end - 1)
            placed = self._carried(anchor, new_start, new_last)
            if placed is not None:
                status = Status.KEPT if placed == start else Status.MOVED
                return Outcome(key, status, placed, placed + len(quote), 1.0, Layer.DIFF)
            expected = _Expected(
                self.map.near(start),
                self.map.near(end),
                new_start,
                None if new_last is None else new_last + 1,
            )
        found = self._search(anchor, expected)
        if found is not None:
            return found
        return self._fuzzy(anchor, expected)

    # Layer 3 -----------------------------------------------------------------------------

    def _search(self, anchor: Anchor, expected: _Expected | None) -> Outcome | None:
        """The exact quote elsewhere, or an orphan when it is there but cannot be placed
        safely; None when it is not there at all (the fuzzy layer is next)."""
        quote, prefix, suffix = anchor.quote, anchor.prefix, anchor.suffix
        length = len(quote)
        need = max(0, MIN_INDEXED - length)
        starts = self._new_places.of_quote(quote, prefix, suffix)
        if starts is None:
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.AMBIGUOUS)
        if expected is not None:
            starts.update(self._near_occurrences(quote, expected.start))
        candidates = sorted(
            (
                (self._rank(anchor, a, a + length, expected), a)
                for a in starts
                if not self._foreign(anchor, a, a + length) and self._ours(anchor, a)
            ),
            reverse=True,
        )
        if not candidates:
            return None
        (best_rank, context), best = candidates[0]
        if len(candidates) > 1 and best_rank - candidates[1][0][0] < MARGIN:
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.AMBIGUOUS)
        if (
            expected is not None
            and abs(best - expected.start) > NEAR
            and self._in_place(anchor, expected)
        ):
            # Its place is still there, edited: an exact copy elsewhere is for the fuzzy
            # layer to weigh against it.
            return None
        required = MIN_CONTEXT if length < LONG_QUOTE else 0
        if length < LONG_QUOTE and expected is not None and abs(best - expected.start) > NEAR:
            # Far from where its text was: a passage moved brings its context along, while a
            # short quote's words recurring in another sentence bring only some of it.
            required = max(required, FAR_CONTEXT)
        if need:
            # A place found through one side's context has at least `need` characters matching
            # there; a place not found has fewer than that on each side: beat it by the margin.
            required = 2 * (need - 1) + MARGIN
        if self._repeated(anchor):
            # Context is all that tells one occurrence of a repeated passage from another.
            required = max(required, REPEATED_CONTEXT)
        if context < required:
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.UNCONFIRMED)
        return Outcome(anchor.key, Status.MOVED, best, best + length, 1.0, Layer.SEARCH)

    def _near_occurrences(self, quote: str, expected_start: int) -> list[int]:
        text, found = self.new, list[int]()
        limit = min(len(text), expected_start + NEAR + len(quote))
        pos = text.find(quote, max(0, expected_start - NEAR), limit)
        while pos != -1 and len(found) <= MAX_PLACES:
            found.append(pos)
            pos = text.find(quote, pos + 1, limit)
        return found

    def _rank(
        self, anchor: Anchor, start: int, end: int, expected: _Expected | None
    ) -> tuple[int, int]:
        """(ranking points, context characters matched): the context characters, plus a bonus
        for being near where the diff expects the highlight."""
        text = self.new
        context = _common_suffix(
            text[max(0, start - len(anchor.prefix)) : start], anchor.prefix
        ) + _common_prefix(text[end : end + len(anchor.suffix)], anchor.suffix)
        near = expected is not None and abs(start - expected.start) <= NEAR
        return context + (NEAR_BONUS if near else 0), context

    def _ours(self, anchor: Anchor, start: int) -> bool:
        """Whether the quote at `start` in the new text is better explained by this highlight
        than by another occurrence of the same quote in the old text (the copy of a repeated
        passage, moved): its surroundings must match this highlight's context more closely
        than the surroundings of every other old occurrence."""
        if not _valid(self.old, anchor):
            return True
        olds = self._other_olds(anchor)
        if olds is None:
            return False
        if not olds:
            return True
        length, old = len(anchor.quote), self.old
        end = start + length
        before, after = self.new[max(0, start - CONTEXT) : start], self.new[end : end + CONTEXT]
        ours = _common_suffix(before, anchor.prefix) + _common_prefix(after, anchor.suffix)
        return all(
            ours
            > _common_suffix(before, old[max(0, o - CONTEXT) : o])
            + _common_prefix(after, old[o + length : o + length + CONTEXT])
            for o in olds
        )

    def _repeated(self, anchor: Anchor) -> bool:
        """Whether the quote occurs elsewhere in the old text (with its context, when short),
        in places that the diff does not carry over whole."""
        olds = self._other_olds(anchor)
        return olds is None or bool(olds)

    def _other_olds(self, anchor: Anchor) -> set[int] | None:
        """The other old occurrences of the quote that the diff does not account for (it
        carries an occurrence over whole to where it went); all of them for offsets that do
        not fit the old text; None when there are too many to list."""
        olds = self._old_places.of_quote(anchor.quote, anchor.prefix, anchor.suffix)
        if olds is None or not _valid(self.old, anchor):
            return olds
        last = len(anchor.quote) - 1
        return {
            o
            for o in olds
            if o != anchor.start
            and self._carried(anchor, self.map.exact(o), self.map.exact(o + last)) is None
        }

    def _in_place(self, anchor: Anchor, expected: _Expected) -> bool:
        """Whether the diff keeps both ends of the highlight, with text between them similar
        enough to the quote for a fuzzy match."""
        if expected.exact_start is None or expected.exact_end is None:
            return False
        region = self.new[expected.exact_start : expected.exact_end]
        return _distance(anchor.quote, region) <= int((1 - MIN_FUZZY_SCORE) * len(anchor.quote))

    def _carried(self, anchor: Anchor, new_start: int | None, new_last: int | None) -> int | None:
        """Where the diff carries the quote over whole: from its first character if that is
        unchanged and the quote follows it, or else up to its last one."""
        quote, text = anchor.quote, self.new
        if new_start is not None and text.startswith(quote, new_start):
            return new_start
        if new_last is not None and text.startswith(quote, new_last + 1 - len(quote), new_last + 1):
            return new_last + 1 - len(quote)
        return None

    def _foreign(self, anchor: Anchor, start: int, end: int) -> bool:
        """Whether most of new [start, end) is, by the diff, the unchanged copy of old text
        outside the highlight: another passage, not this one moved or edited. (Unknown when
        the stored offsets do not fit the old text.)"""
        if not _valid(self.old, anchor):
            return False
        inside = self.map.foreign_chars(start, end, (anchor.start, anchor.end))
        return 2 * inside > end - start

    # Layer 4 -----------------------------------------------------------------------------

    def _fuzzy(self, anchor: Anchor, expected: _Expected | None) -> Outcome:
        """The region with the fewest edits from the quote, if similar enough, clearly better
        than any other place, not another passage, and confirmed when the quote is short."""
        quote, length = anchor.quote, len(anchor.quote)
        max_edits = int((1 - MIN_FUZZY_SCORE) * length)
        windows = self._fuzzy_windows(anchor, expected, max_edits)
        found = [(window, _align(quote, self.new, *window, max_edits)) for window in windows]
        regions = [r for _, rs in found for r in rs]
        if not regions:
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.NOT_FOUND)
        edits = min(d for d, _, _ in regions)
        start, end = max(
            ((s, e) for d, s, e in regions if d == edits),
            key=lambda span: self._tie_break(anchor, span, expected),
        )
        # Any other place with nearly as few edits must have clearly less context or be
        # clearly farther from where the diff expects the highlight.
        margin = max(2, round(FUZZY_MARGIN_SHARE * length))
        rivals: list[tuple[int, int, int]] = []
        for (lo, hi), window_regions in found:
            if lo <= start and end <= hi:
                for part in ((lo, start), (end, hi)):
                    rivals.extend(_align(quote, self.new, *part, edits + margin - 1))
            else:
                rivals.extend(r for r in window_regions if r[0] < edits + margin)
        if rivals:
            best_rank, _ = self._rank(anchor, start, end, expected)
            if any(
                self._rank(anchor, s, e, expected)[0] + MARGIN > best_rank for _, s, e in rivals
            ):
                return Outcome(anchor.key, Status.ORPHANED, reason=Reason.AMBIGUOUS)
        if self._foreign(anchor, start, end):
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.OTHER_TEXT)
        start, end = self._snap(anchor, start, end)
        edits = _distance(quote, self.new[start:end])
        if edits == 0:
            # The exact quote: the search layer places those it can confirm, and not this.
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.UNCONFIRMED)
        if edits > max_edits or not _clean_ends(quote, self.new[start:end]):
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.ENDS_CHANGED)
        _, context = self._rank(anchor, start, end, expected)
        in_place = (
            expected is not None
            and expected.exact_start is not None
            and expected.exact_end is not None
            and abs(start - expected.exact_start) <= SNAP
            and abs(end - expected.exact_end) <= SNAP
        )
        if length < LONG_QUOTE and context < MIN_CONTEXT and not in_place:
            return Outcome(anchor.key, Status.ORPHANED, reason=Reason.UNCONFIRMED)
        return Outcome(anchor.key, Status.FUZZY, start, end, 1 - edits / length, Layer.FUZZY)

    def _snap(self, anchor: Anchor, start: int, end: int) -> tuple[int, int]:
        """The ends moved by up to SNAP characters to where the stored context matches much
        better: edit distance alone cannot tell a transposed or substituted character at an
        end from one that is outside."""
        text, prefix, suffix = self.new, anchor.prefix, anchor.suffix

        def before(s: int) -> int:
            return _common_suffix(text[max(0, s - len(prefix)) : s], prefix)

        def after(e: int) -> int:
            return _common_prefix(text[e : e + len(suffix)], suffix)

        new_start = max(range(max(0, start - SNAP), start + SNAP + 1), key=before)
        if before(new_start) >= before(start) + MIN_CONTEXT:
            start = new_start
        new_end = max(range(end - SNAP, min(len(text), end + SNAP) + 1), key=after)
        if after(new_end) >= after(end) + MIN_CONTEXT and new_end > start:
            end = new_end
        return start, end

    def _tie_break(
        self, anchor: Anchor, span: tuple[int, int], expected: _Expected | None
    ) -> tuple[int, int]:
        """Among equally close regions (often the same place with its ends a character apart):
        the most context and nearness, then the length nearest the quote's."""
        rank, _ = self._rank(anchor, span[0], span[1], expected)
        return rank, -abs(span[1] - span[0] - len(anchor.quote))

    def _fuzzy_windows(
        self, anchor: Anchor, expected: _Expected | None, max_edits: int
    ) -> list[tuple[int, int]]:
        """Regions of the new text worth aligning the quote with: near where the diff expects
        it, and where k-grams of the quote are (or the whole text, when it is small)."""
        text, quote = self.new, anchor.quote
        length = len(quote)
        if len(text) <= FULL_SCAN:
            return [(0, len(text))]
        slack = max_edits + K
        windows: list[tuple[int, int]] = []
        if expected is not None:
            windows.append(
                (expected.start - slack, max(expected.end, expected.start + length) + slack)
            )
        if length >= MIN_INDEXED:
            # Each k-gram of the quote found votes for where the quote would start, the more
            # the rarer it is.
            votes: dict[int, float] = {}
            index = self._new_places.index
            for offset in range(length - K + 1):
                hits = index.get(quote[offset : offset + K], ())
                if len(hits) <= MAX_POSTINGS:
                    for p in hits:
                        bucket = (p - offset) // length
                        votes[bucket] = votes.get(bucket, 0) + 1 / len(hits)
            ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
            windows.extend(
                (bucket * length - slack, (bucket + 2) * length + slack)
                for bucket, _ in ranked[:MAX_FUZZY_WINDOWS]
            )
        merged: list[tuple[int, int]] = []
        for lo, hi in sorted((max(0, lo), min(len(text), hi)) for lo, hi in windows):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            elif hi > lo:
                merged.append((lo, hi))
        return merged


class _Places:
    """Where strings occur in one text, from a sampled k-gram index made on first use: the
    k-gram at every K-th position. A string of at least MIN_INDEXED = 2K - 1 code points has
    one of its first K k-grams at a sampled position wherever it occurs, and so does every
    offset of the same residue modulo K: the rarest k-gram of each residue finds them all."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._index: dict[str, list[int]] | None = None
        self._found: dict[str, list[int] | None] = {}

    @property
    def index(self) -> dict[str, list[int]]:
        if self._index is None:
            index: dict[str, list[int]] = {}
            text = self.text
            for p in range(0, len(text) - K + 1, K):
                index.setdefault(text[p : p + K], []).append(p)
            self._index = index
        return self._index

    def of_quote(self, quote: str, prefix: str, suffix: str) -> set[int] | None:
        """The starts of `quote`; None when there are more than MAX_PLACES. A quote shorter
        than MIN_INDEXED is looked for with as much of its context as makes it that long, on
        either side: places with less context than that cannot be told apart from any other."""
        need = MIN_INDEXED - len(quote)
        if need <= 0:
            found = self.of(quote)
            return None if found is None else set(found)
        starts: set[int] = set()
        for probe, shift, usable in (
            (prefix[-need:] + quote, need, len(prefix) >= need),
            (quote + suffix[:need], 0, len(suffix) >= need),
        ):
            if usable:
                found = self.of(probe)
                if found is None:
                    return None
                starts.update(p + shift for p in found)
        return starts

    def of(self, probe: str) -> list[int] | None:
        """Every start of `probe` (at least MIN_INDEXED long); None when more than MAX_PLACES."""
        if probe in self._found:
            return self._found[probe]
        index, text = self.index, self.text
        found: set[int] = set()
        result: list[int] | None = None
        for residue in range(K):
            hits, offset = min(
                (
                    (index.get(probe[offset : offset + K], []), offset)
                    for offset in range(residue, len(probe) - K + 1, K)
                ),
                key=lambda hits_offset: len(hits_offset[0]),
            )
            found.update(
                p - offset for p in hits if p >= offset and text.startswith(probe, p - offset)
            )
            if len(found) > MAX_PLACES:
                break
        else:
            result = sorted(found)
        self._found[probe] = result
        return result


# The diff and its position map ---------------------------------------------------------------


def diff(old: str, new: str) -> list[tuple[str, int]]:
    """Old to new as ("=" | "-" | "+", length) operations, lengths in code points.

    Units (lines and sentences) that occur in both texts are matched first, with
    fast-diff-match-patch's diff over one symbol per unit; the blocks between matched units are
    then diffed character by character with no time limit, within DIFF_BUDGET.
    """
    head = _common_prefix_length(old, new)
    tail = _common_suffix_length(old[head:], new[head:])
    ops: list[tuple[str, int]] = [("=", head)]
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    budget = DIFF_BUDGET
    for kind, a, b, c, d in _unit_blocks(old_mid, new_mid):
        if kind == "=":
            ops.append(("=", b - a))
            continue
        block_old, block_new = old_mid[a:b], new_mid[c:d]
        cost = (len(block_old) + len(block_new)) ** 2
        if block_old and block_new and cost <= budget:
            budget -= cost
            ops.extend(_char_diff(block_old, block_new))
        else:
            ops.extend((("-", len(block_old)), ("+", len(block_new))))
    ops.append(("=", tail))
    return [(op, n) for op, n in ops if n]


def _char_diff(old: str, new: str) -> list[tuple[str, int]]:
    if fast_diff_match_patch.CHAR_WIDTH == 2:  # Windows: UTF-16 code units, BMP only
        old, new = _fold_astral(old), _fold_astral(new)
    result: list[tuple[str, int]] = fast_diff_match_patch.diff(
        old, new, timelimit=0, checklines=False, cleanup="Semantic", counts_only=True
    )
    return result


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _fold_astral(text: str) -> str:
    """Each character outside the BMP as one private-use character, so that lengths and offsets
    stay the same. Distinct characters may fold together: the diff only proposes positions,
    and every placement is checked against the real text."""
    return _ASTRAL.sub(lambda m: chr(0xE000 + ord(m.group()) % 0x1900), text)


def _units(text: str) -> list[int]:
    """The end offsets of the lines and sentences of `text`."""
    ends = [m.end() for m in _UNIT_END.finditer(text)]
    if not ends or ends[-1] != len(text):
        ends.append(len(text))
    return ends


def _unit_blocks(old: str, new: str) -> list[tuple[str, int, int, int, int]]:
    """("=" or "~", old start, old end, new start, new end) in order: runs of matched units
    and the changed blocks between them."""
    old_ends, new_ends = _units(old), _units(new)
    old_units = [old[a:b] for a, b in zip([0, *old_ends], old_ends, strict=False)]
    new_units = [new[a:b] for a, b in zip([0, *new_ends], new_ends, strict=False)]
    symbols = _unit_symbols(set(old_units) & set(new_units))
    old_kept = [i for i, u in enumerate(old_units) if u in symbols]
    new_kept = [i for i, u in enumerate(new_units) if u in symbols]
    ops = fast_diff_match_patch.diff(
        "".join(symbols[old_units[i]] for i in old_kept),
        "".join(symbols[new_units[i]] for i in new_kept),
        timelimit=0,
        checklines=False,
        cleanup="Semantic",
        counts_only=True,
    )
    pairs: list[tuple[int, int]] = []  # matched (old unit, new unit)
    x = y = 0
    for op, n in ops:
        if op == "=":
            pairs.extend(zip(old_kept[x : x + n], new_kept[y : y + n], strict=True))
        x += n if op != "+" else 0
        y += n if op != "-" else 0
    old_starts, new_starts = [0, *old_ends], [0, *new_ends]
    blocks: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for oi, nj in [*pairs, (len(old_units), len(new_units))]:
        if oi > i or nj > j:
            blocks.append(("~", old_starts[i], old_starts[oi], new_starts[j], new_starts[nj]))
        if oi < len(old_units):
            blocks.append(("=", old_starts[oi], old_ends[oi], new_starts[nj], new_ends[nj]))
        i, j = oi + 1, nj + 1
    return blocks


def _unit_symbols(units: set[str]) -> dict[str, str]:
    """One character per unit; units beyond the characters available are left out (they are
    diffed character by character instead)."""
    top = 0x10000 if fast_diff_match_patch.CHAR_WIDTH == 2 else 0x110000
    codes = (c for c in range(1, top) if not 0xD800 <= c < 0xE000)
    return {u: chr(c) for u, c in zip(sorted(units), codes, strict=False)}


class _PositionMap:
    """Old positions to new ones through the diff's equal stretches."""

    def __init__(self, ops: Sequence[tuple[str, int]]) -> None:
        self.old_starts: list[int] = []
        self.new_starts: list[int] = []
        self.lengths: list[int] = []
        x = y = 0
        for op, n in ops:
            if op == "=":
                self.old_starts.append(x)
                self.new_starts.append(y)
                self.lengths.append(n)
            x += n if op != "+" else 0
            y += n if op != "-" else 0

    def exact(self, x: int) -> int | None:
        """Where the character at old offset x is in the new text, if it is unchanged."""
        i = bisect_right(self.old_starts, x) - 1
        if i >= 0 and x < self.old_starts[i] + self.lengths[i]:
            return self.new_starts[i] + x - self.old_starts[i]
        return None

    def near(self, x: int) -> int:
        """Where old offset x is in the new text, or would be: for a changed character, the
        end of the unchanged stretch before it."""
        i = bisect_right(self.old_starts, x) - 1
        if i < 0:
            return 0
        return self.new_starts[i] + min(x - self.old_starts[i], self.lengths[i])

    def foreign_chars(self, start: int, end: int, inside: tuple[int, int]) -> int:
        """How many characters of new [start, end) are unchanged copies of old characters
        outside old [inside)."""
        count = 0
        i = max(0, bisect_right(self.new_starts, start) - 1)
        while i < len(self.new_starts) and self.new_starts[i] < end:
            lo = max(start, self.new_starts[i])
            hi = min(end, self.new_starts[i] + self.lengths[i])
            if hi > lo:
                old_lo = self.old_starts[i] + lo - self.new_starts[i]
                old_hi = old_lo + hi - lo
                overlap = max(0, min(old_hi, inside[1]) - max(old_lo, inside[0]))
                count += hi - lo - overlap
            i += 1
        return count


# Alignment and small helpers -----------------------------------------------------------------


def _align(quote: str, text: str, lo: int, hi: int, max_edits: int) -> list[tuple[int, int, int]]:
    """The regions of text[lo:hi] closest to `quote` in edit distance, if within max_edits:
    [(edits, start, end)], from edlib's infix ("HW") alignment."""
    if max_edits < 0 or hi <= lo:
        return []
    target = _edlib_target(quote, text[lo:hi])
    if target is None:
        return []
    found = edlib.align(quote, target, mode="HW", task="locations", k=max_edits)
    edits = found["editDistance"]
    if edits < 0:
        return []
    return [(edits, lo + s, lo + e + 1) for s, e in found["locations"]]


def _distance(quote: str, region: str) -> int:
    target = _edlib_target(quote, region)
    if target is None:
        return len(quote) + len(region)
    distance: int = edlib.align(quote, target, mode="NW", task="distance")["editDistance"]
    return distance


def _clean_ends(quote: str, region: str) -> bool:
    """Whether the alignment of quote and region has at most END_EDITS edits within END_CHARS
    of each end of the quote."""
    target = _edlib_target(quote, region)
    if target is None:
        return False
    cigar = edlib.align(quote, target, mode="NW", task="path")["cigar"] or ""
    length, at, head, tail = len(quote), 0, 0, 0
    for count, op in _CIGAR.findall(cigar):
        n = int(count)
        if op == "D":  # characters of the region that are not in the quote, at `at`
            head += n if at < END_CHARS else 0
            tail += n if at >= length - END_CHARS else 0
            continue
        if op != "=":  # X or I: quote characters at..at+n changed or missing
            head += max(0, min(at + n, END_CHARS) - at)
            tail += max(0, at + n - max(at, length - END_CHARS))
        at += n
    return head <= END_EDITS and tail <= END_EDITS


_CIGAR = re.compile(r"(\d+)([=XID])")


def _edlib_target(quote: str, target: str) -> str | None:
    """`target` as edlib can take it with `quote`: at most 256 distinct symbols. Characters
    absent from the quote never match any of its characters, so they may all be one symbol
    without changing any distance. None when the quote alone has too many."""
    alphabet = set(quote)
    if len(alphabet | set(target)) <= 256:
        return target
    if len(alphabet) > 255:
        return None
    other = next(c for c in map(chr, range(0x110000)) if c not in alphabet)
    return "".join(c if c in alphabet else other for c in target)


def _valid(text: str, anchor: Anchor) -> bool:
    return 0 <= anchor.start <= anchor.end <= len(text) and text[anchor.start : anchor.end] == (
        anchor.quote
    )


def _common_prefix_length(a: str, b: str) -> int:
    """Compared a block at a time: slices compare at memory speed, a loop over characters
    would not."""
    n, block = 0, 4096
    limit = min(len(a), len(b))
    while n < limit and a[n : n + block] == b[n : n + block]:
        n += block
    return min(limit, n + _common_prefix(a[n : n + block], b[n : n + block]))


def _common_suffix_length(a: str, b: str) -> int:
    n, block = 0, 4096
    limit = min(len(a), len(b))

    def tail(text: str) -> str:
        return text[max(0, len(text) - n - block) : len(text) - n]

    while n < limit and tail(a) == tail(b):
        n += block
    return min(limit, n + _common_suffix(tail(a), tail(b)))


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _common_suffix(a: str, b: str) -> int:
    return _common_prefix(a[::-1], b[::-1])
