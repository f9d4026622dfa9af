"""Agreement between annotators: Krippendorff's alpha (nominal) and span F1.

The definitions are the README's (section "Agreement"). The units are the code points of the
documents, but no table of code points is ever built: an annotator's value only changes at the
edge of one of their highlights, so the selected documents are laid end to end, cut at every
highlight edge and document boundary into runs, and each run counts as many units as it has code
points. Alpha is computed from the coincidences of those runs, weighted by their lengths, with
Krippendorff's formula; the tests check it against the `krippendorff` package on the expanded
code point table. The work grows with the number of highlights, not with the length of the text.

Input is plain data (`Mark` tuples and document lengths), not the store, so the window and the
command line share it and tests can feed it anything.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, NamedTuple, overload

import numpy as np
import numpy.typing as npt

from desktop.core.model import HighlightRow

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Tag sets are bit masks in int64 words of this many bits (63 would do; 62 keeps sums of
# +bit/-bit deltas far from the sign bit).
_BITS = 62
# Up to this many tags a tag set's mask is its value id (at most 2**16 values); beyond, the
# sets that occur are numbered.
_RAW_MASK_TAGS = 16

NO_VARIATION = "no variation: every code point coded by two or more has the same value"


class Mark(NamedTuple):
    """A highlight as agreement sees it: who marked which passage of which document how."""

    annotator: str
    document_id: int
    start: int  # code points, half-open
    end: int
    tag: str
    highlight: int | str = 0  # the highlight's id or uuid, handed back in disagreements


def marks_of(rows: Iterable[HighlightRow], tag_names: Mapping[int, str]) -> list[Mark]:
    """The store's highlight rows as marks (`tag_names`: tag id -> name). Rows rather than
    highlights: reading 100,000 highlights with their texts takes five times as long."""
    return [Mark(a, d, start, end, tag_names[t], i) for i, d, start, end, t, a, *_ in rows]


@dataclass(frozen=True, slots=True)
class Measure:
    """A coefficient, or None with the reason it is undefined."""

    value: float | None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class PairAgreement:
    annotators: tuple[str, str]
    documents: int  # how many selected documents both count for
    alpha: Measure
    f1_strict: Measure
    f1_overlap: Measure


class Disagreement(NamedTuple):
    """A passage where the annotators who count for its document differ, and is as long as
    possible with every one of them giving the same tags throughout."""

    document_id: int
    start: int
    end: int
    said: dict[str, tuple[str, ...]]  # annotator -> tag names there (empty: none)
    highlights: dict[str, tuple[int | str, ...]]  # annotator -> their highlights covering it


@dataclass(frozen=True, slots=True)
class AgreementResult:
    annotators: tuple[str, ...]
    tags: tuple[str, ...]
    documents: tuple[int, ...]
    counting: Mapping[int, tuple[str, ...]]  # document -> the annotators who count for it
    overall: Measure
    by_tag: Mapping[str, Measure]
    by_document: Mapping[int, Measure]
    pairs: tuple[PairAgreement, ...]
    disagreements: Disagreements


def compute_agreement(
    document_lengths: Mapping[int, int],
    highlights: Iterable[Mark | tuple[str, int, int, int, str, int | str]],
    done: Collection[tuple[str, int]] = (),
    *,
    annotators: Collection[str] = (),
    tags: Sequence[str] = (),
    documents: Collection[int] = (),
) -> AgreementResult:
    """Agreement over the documents of `document_lengths` (id -> length in code points).

    `done` holds (annotator, document id) pairs marked done. The filters keep only these
    annotators, tags and documents; empty means all. `tags` also names the tags reported (in
    its order; by default every tag of the highlights, sorted). Highlights of other tags still
    make their annotator count for the document, since the annotator has read it.
    """
    wanted_docs = set(documents)
    doc_ids = sorted(d for d in document_lengths if not wanted_docs or d in wanted_docs)
    doc_index = {d: i for i, d in enumerate(doc_ids)}
    wanted_annotators = set(annotators)
    rows = [
        m
        for m in highlights
        if m[1] in doc_index and (not wanted_annotators or m[0] in wanted_annotators)
    ]
    done_here = [
        (a, d)
        for a, d in done
        if d in doc_index and (not wanted_annotators or a in wanted_annotators)
    ]
    names = sorted(wanted_annotators or {m[0] for m in rows} | {a for a, _ in done_here})
    tag_names = list(dict.fromkeys(tags)) if tags else sorted({m[4] for m in rows})
    corpus = _Corpus(document_lengths, doc_ids, names, tag_names, rows, done_here)
    return corpus.result()


class _Corpus:
    """The selected documents laid end to end, cut into runs at every highlight edge."""

    def __init__(
        self,
        document_lengths: Mapping[int, int],
        doc_ids: list[int],
        names: list[str],
        tag_names: list[str],
        rows: list[Mark | tuple[str, int, int, int, str, int | str]],
        done: list[tuple[str, int]],
    ) -> None:
        self.doc_ids, self.names, self.tag_names = doc_ids, names, tag_names
        n_docs, n_ann, n_tags = len(doc_ids), len(names), len(tag_names)
        doc_index = {d: i for i, d in enumerate(doc_ids)}
        ann_index = {a: i for i, a in enumerate(names)}
        tag_index = {t: i for i, t in enumerate(tag_names)}
        self.doc_len = np.array([max(0, document_lengths[d]) for d in doc_ids], dtype=np.int64)
        self.base = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(self.doc_len, out=self.base[1:])
        total = int(self.base[-1])

        ann_col, doc_col, start_col, end_col, tag_col, id_col = (
            zip(*rows, strict=True) if rows else ((),) * 6
        )
        ann = np.array([ann_index[a] for a in ann_col], dtype=np.int64)
        doc = np.array([doc_index[d] for d in doc_col], dtype=np.int64)
        tag = np.array([tag_index.get(t, -1) for t in tag_col], dtype=np.int64)
        length = self.doc_len[doc]
        start = np.clip(np.array(start_col, dtype=np.int64), 0, length)
        end = np.clip(np.array(end_col, dtype=np.int64), start, length)

        # Who counts where: a highlight of any tag, or the document marked done.
        self.counts = np.zeros((n_ann, n_docs), dtype=bool)
        self.counts[ann, doc] = True
        for a, d in done:
            self.counts[ann_index[a], doc_index[d]] = True

        # The highlights that give values: those of the reported tags.
        keep = tag >= 0
        self.ann, self.doc, self.tag = ann[keep], doc[keep], tag[keep]
        self.gstart = self.base[self.doc] + start[keep]
        self.gend = self.base[self.doc] + end[keep]
        self.ids = [i for i, k in zip(id_col, keep.tolist(), strict=True) if k]

        self.edges = np.unique(np.concatenate([self.gstart, self.gend, self.base]))
        self.run_len = np.diff(self.edges)
        self.run_doc = np.searchsorted(self.base, self.edges[:-1], side="right") - 1
        n_runs = len(self.run_len)
        self.words = max(1, -(-n_tags // _BITS))
        self.masks = self._tag_masks(n_ann, n_tags, n_runs, total)
        self.present = self.counts[:, self.run_doc]
        self.values, self.n_values, self.value_masks = self._value_ids()

    def _tag_masks(self, n_ann: int, n_tags: int, n_runs: int, total: int) -> Ints:
        """(annotators, words, runs): the bit mask of the tags covering each run."""
        masks = np.zeros((n_ann, self.words, n_runs + 1), dtype=np.int64)
        nonempty = self.gend > self.gstart
        key = (self.ann * n_tags + self.tag)[nonempty]
        start, end = self.gstart[nonempty], self.gend[nonempty]
        if len(key):
            # Union of each annotator's highlights of one tag, so each bit is added once.
            order = np.lexsort((start, key))
            key, start, end = key[order], start[order], end[order]
            shift = key * (total + 1)
            reach = np.maximum.accumulate(end + shift) - shift
            first = np.ones(len(key), dtype=bool)
            first[1:] = (key[1:] != key[:-1]) | (start[1:] > reach[:-1])
            last = np.append(np.flatnonzero(first)[1:] - 1, len(key) - 1)
            key, start, end = key[first], start[first], reach[last]
            owner, bit = key // n_tags, key % n_tags
            word, value = bit // _BITS, np.left_shift(1, bit % _BITS)
            flat = (owner * self.words + word) * (n_runs + 1)
            np.add.at(masks.reshape(-1), flat + np.searchsorted(self.edges, start), value)
            np.add.at(masks.reshape(-1), flat + np.searchsorted(self.edges, end), -value)
        return np.cumsum(masks, axis=2)[:, :, :n_runs]

    def _value_ids(self) -> tuple[Ints, int, Ints]:
        """(annotators, runs) value ids, -1 where missing; their count; each id's mask words."""
        n_tags = len(self.tag_names)
        if n_tags <= _RAW_MASK_TAGS:
            values = np.where(self.present, self.masks[:, 0, :], -1)
            n_values = 1 << n_tags
            value_masks = np.arange(n_values, dtype=np.int64).reshape(-1, 1)
            return values, n_values, value_masks
        cells = np.moveaxis(self.masks, 1, 2)[self.present]  # (cells, words)
        value_masks, inverse = np.unique(cells, axis=0, return_inverse=True)
        values = np.full(self.present.shape, -1, dtype=np.int64)
        values[self.present] = inverse.reshape(-1)
        return values, max(2, len(value_masks)), value_masks

    def tags_of(self, value: int) -> tuple[str, ...]:
        words = self.value_masks[value]
        return tuple(
            t for i, t in enumerate(self.tag_names) if (int(words[i // _BITS]) >> (i % _BITS)) & 1
        )

    # Alpha --------------------------------------------------------------------------------

    def result(self) -> AgreementResult:
        n_ann = len(self.names)
        differing = np.zeros(len(self.run_len), dtype=np.int64)
        pair_alphas = {}
        for i, j in combinations(range(n_ann), 2):
            both = self.present[i] & self.present[j]
            differ = (both & (self.values[i] != self.values[j])).astype(np.int64) * 2
            differing += differ
            pair = _Coincidences.of(self.values[[i, j]], self.run_len, differ, self.n_values)
            pair_alphas[i, j] = pair.alphas()[0]

        by_doc = _Coincidences.of(
            self.values, self.run_len, differing, self.n_values, self.run_doc, len(self.doc_ids)
        )
        doc_alphas = by_doc.alphas()
        overall_alpha = by_doc.combined().alphas()[0]
        counting = {
            d: tuple(self.names[a] for a in np.flatnonzero(self.counts[:, i]))
            for i, d in enumerate(self.doc_ids)
        }
        return AgreementResult(
            annotators=tuple(self.names),
            tags=tuple(self.tag_names),
            documents=tuple(self.doc_ids),
            counting=counting,
            overall=self._overall(overall_alpha),
            by_tag={t: self._tag_alpha(i) for i, t in enumerate(self.tag_names)},
            by_document={
                d: self._document(int(self.doc_len[i]), counting[d], doc_alphas[i])
                for i, d in enumerate(self.doc_ids)
            },
            pairs=tuple(self._pair(i, j, alpha) for (i, j), alpha in sorted(pair_alphas.items())),
            disagreements=Disagreements(self, differing),
        )

    def _overall(self, alpha: _Alpha) -> Measure:
        if alpha.defined:
            return Measure(alpha.value)
        if not int(self.base[-1]):
            return Measure(None, "no units: the selected documents have no text")
        counting = np.flatnonzero(self.counts.any(axis=1))
        if len(counting) == 0:
            return Measure(None, "no annotator counts for the selected documents")
        if len(counting) == 1:
            return Measure(None, f"one annotator only: {self.names[counting[0]]}")
        if not alpha.units:
            return Measure(None, "no document has two annotators counting for it")
        return Measure(None, NO_VARIATION)

    def _document(self, length: int, counting: tuple[str, ...], alpha: _Alpha) -> Measure:
        if alpha.defined:
            return Measure(alpha.value)
        if not length:
            return Measure(None, "empty document")
        if not counting:
            return Measure(None, "no annotator counts for this document")
        if len(counting) == 1:
            return Measure(None, f"one annotator only: {counting[0]}")
        return Measure(None, NO_VARIATION)

    def _tag_alpha(self, tag: int) -> Measure:
        word, bit = divmod(tag, _BITS)
        has = (self.masks[:, word, :] >> bit) & 1
        values = np.where(self.present, has, -1)
        coders = self.present.sum(axis=0)
        with_tag = (has * self.present).sum(axis=0)
        differing = 2 * with_tag * (coders - with_tag)
        coincidences = _Coincidences.of(values, self.run_len, differing, 2)
        alpha = coincidences.alphas()[0]
        if alpha.defined:
            return Measure(alpha.value)
        if not alpha.units:
            return self._overall(alpha)
        if 1 in coincidences.keys:
            return Measure(None, "no variation: everyone marked every code point with this tag")
        return Measure(None, "no variation: no one used this tag where two or more count")

    def _pair(self, i: int, j: int, alpha: _Alpha) -> PairAgreement:
        shared = self.counts[i] & self.counts[j]
        n_shared = int(shared.sum())
        if alpha.defined:
            alpha_measure = Measure(alpha.value)
        elif not n_shared:
            alpha_measure = Measure(None, "no document both count for")
        elif not alpha.units:
            alpha_measure = Measure(None, "the documents both count for have no text")
        else:
            alpha_measure = Measure(None, "no variation: both give every code point the same tags")
        strict, overlap = self._span_f1(i, j, shared)
        return PairAgreement(
            (self.names[i], self.names[j]), n_shared, alpha_measure, strict, overlap
        )

    # Span F1 ------------------------------------------------------------------------------

    def _span_f1(self, i: int, j: int, shared: Bools) -> tuple[Measure, Measure]:
        if not shared.any():
            undefined = Measure(None, "no document both count for")
            return undefined, undefined
        mine = (self.ann == i) & shared[self.doc]
        theirs = (self.ann == j) & shared[self.doc]
        marked = int(mine.sum() + theirs.sum())
        if not marked:
            undefined = Measure(None, "neither has a highlight in the documents both count for")
            return undefined, undefined
        spans = self._span_ids()
        size = int(spans.max()) + 1
        exact = np.minimum(
            np.bincount(spans[mine], minlength=size), np.bincount(spans[theirs], minlength=size)
        ).sum()
        # Tags apart: each tag's highlights on a line of their own.
        offset = self.tag * (int(self.base[-1]) + 1)
        pick = np.concatenate([np.flatnonzero(mine), np.flatnonzero(theirs)])
        side = np.concatenate([np.zeros(mine.sum(), np.int8), np.ones(theirs.sum(), np.int8)])
        overlapping = overlap_matches(
            (self.gstart + offset)[pick], (self.gend + offset)[pick], side
        )
        return Measure(2 * int(exact) / marked), Measure(2 * overlapping / marked)

    def _span_ids(self) -> Ints:
        """One number per distinct (start, end, tag) of the highlights."""
        cached: Ints | None = getattr(self, "_spans", None)
        if cached is None:
            order = np.lexsort((self.tag, self.gend, self.gstart))
            keys = np.stack([self.gstart, self.gend, self.tag])[:, order]
            new = np.ones(len(order), dtype=bool)
            new[1:] = (keys[:, 1:] != keys[:, :-1]).any(axis=0)
            cached = np.empty(len(order), dtype=np.int64)
            cached[order] = np.cumsum(new) - 1
            self._spans = cached
        return cached


class _Alpha(NamedTuple):
    value: float
    units: int  # code points coded by two or more

    @property
    def defined(self) -> bool:
        return not np.isnan(self.value)


@dataclass(frozen=True, slots=True)
class _Coincidences:
    """What nominal alpha needs of the coincidence matrix, per group of runs.

    With n_c the pairable values of kind c (a run of L code points coded by m >= 2 counts L
    times per coder), n their sum and D the observed disagreement, the sum over runs of
    L * (ordered pairs of coders that differ) / (m - 1), Krippendorff's alpha is
    1 - (n - 1) * D / sum_c n_c * (n - n_c). Only the diagonal of the coincidence matrix and
    its margins matter for the nominal metric, so they are all that is summed.
    """

    n_groups: int
    n_values: int
    units: Floats  # per group: code points coded by two or more
    total: Floats  # per group: n
    observed: Floats  # per group: D
    keys: Ints  # group * n_values + value, for each (group, value) that occurs
    sums: Floats  # n_c of each key

    @classmethod
    def of(
        cls,
        values: Ints,
        run_len: Ints,
        differing: Ints,
        n_values: int,
        groups: Ints | None = None,
        n_groups: int = 1,
    ) -> _Coincidences:
        """`values`: (coders, runs), -1 where missing; `differing`: per run, the ordered pairs
        of coders whose values differ; `groups`: per run, its group (default: all in one)."""
        present = values >= 0
        coders = present.sum(axis=0)
        pairable = coders >= 2
        weight = np.where(pairable, run_len, 0)
        group = np.zeros(len(run_len), dtype=np.int64) if groups is None else groups
        owner, run = np.nonzero(present & pairable)
        key = group[run] * n_values + values[owner, run]
        weights = run_len[run].astype(np.float64)
        if n_groups * n_values <= max(1 << 20, 4 * len(key)):
            dense = _sum_by(key, weights, n_groups * n_values)
            keys = np.flatnonzero(dense)
            sums = dense[keys]
        else:
            keys, inverse = np.unique(key, return_inverse=True)
            sums = _sum_by(inverse, weights, len(keys))
        return cls(
            n_groups,
            n_values,
            units=_sum_by(group, weight, n_groups),
            total=_sum_by(group, weight * coders, n_groups),
            observed=_sum_by(group, weight * differing / np.maximum(coders - 1, 1), n_groups),
            keys=keys,
            sums=sums,
        )

    def combined(self) -> _Coincidences:
        """The same sums over all groups as one."""
        per_value = _sum_by(self.keys % self.n_values, self.sums, self.n_values)
        keys = np.flatnonzero(per_value)
        return _Coincidences(
            1,
            self.n_values,
            units=self.units.sum(keepdims=True),
            total=self.total.sum(keepdims=True),
            observed=self.observed.sum(keepdims=True),
            keys=keys,
            sums=per_value[keys],
        )

    def alphas(self) -> list[_Alpha]:
        group = self.keys // self.n_values
        expected = _sum_by(group, self.sums * (self.total[group] - self.sums), self.n_groups)
        with np.errstate(divide="ignore", invalid="ignore"):
            alpha = np.where(expected > 0, 1 - (self.total - 1) * self.observed / expected, np.nan)
        return [_Alpha(float(alpha[g]), int(self.units[g])) for g in range(self.n_groups)]


def _sum_by(index: Ints, weights: npt.NDArray[np.number[Any]], size: int) -> Floats:
    """Sums of `weights` by `index` in 0..size-1 (exact for integer sums below 2**53)."""
    return np.bincount(index, weights, size).astype(np.float64, copy=False)


# Overlap matching ---------------------------------------------------------------------------


def overlap_matches(starts: Ints, ends: Ints, side: npt.NDArray[np.int8]) -> int:
    """The size of a largest one-to-one matching between the intervals of side 0 and side 1,
    two intervals matching when they share a position (half-open; empty ones match nothing).

    Intervals are grouped into clusters of chained overlaps; a cluster with at most one interval
    on a side matches min(count of side 0, count of side 1), and the others are solved exactly
    by `_greedy_matches`.
    """
    keep = ends > starts
    starts, ends, side = starts[keep], ends[keep], side[keep]
    if not len(starts):
        return 0
    order = np.argsort(starts, kind="stable")
    starts, ends, side = starts[order], ends[order], side[order]
    reach = np.maximum.accumulate(ends)
    first = np.ones(len(starts), dtype=bool)
    first[1:] = starts[1:] >= reach[:-1]
    cluster = np.cumsum(first) - 1
    ones = np.bincount(cluster, side)
    zeros = np.bincount(cluster) - ones
    fewer = np.minimum(zeros, ones)
    matched = int(fewer[fewer <= 1].sum())
    bounds = np.append(np.flatnonzero(first), len(starts))
    for c in np.flatnonzero(fewer > 1):
        lo, hi = bounds[c], bounds[c + 1]
        matched += _greedy_matches(
            starts[lo:hi].tolist(), ends[lo:hi].tolist(), side[lo:hi].tolist()
        )
    return matched


def _greedy_matches(starts: list[int], ends: list[int], side: list[int]) -> int:
    """Largest matching, exactly: take the interval that ends first; match it, if any interval
    of the other side overlaps it, with the one of those that ends first; repeat with the rest.

    Why this is optimal: every remaining interval ends no earlier than the first one, x, so the
    other side's intervals that overlap x are those that start before x ends, and all of them
    hold x's last position. If a largest matching pairs that earliest-ending y with some x'
    and x with some y', then x' also overlaps y', so swapping gives a largest matching that
    pairs x with y.
    """
    by_end = sorted(range(len(starts)), key=ends.__getitem__)
    by_start = [sorted((i for i in by_end if side[i] == s), key=starts.__getitem__) for s in (0, 1)]
    next_start = [0, 0]
    waiting: list[list[tuple[int, int]]] = [[], []]  # per side: (end, index), started
    used = [False] * len(starts)
    matched = 0
    for x in by_end:
        if used[x]:
            continue
        used[x] = True
        other = 1 - side[x]
        candidates, heap = by_start[other], waiting[other]
        while (
            next_start[other] < len(candidates) and starts[candidates[next_start[other]]] < ends[x]
        ):
            y = candidates[next_start[other]]
            heapq.heappush(heap, (ends[y], y))
            next_start[other] += 1
        while heap and used[heap[0][1]]:
            heapq.heappop(heap)
        if heap:
            used[heapq.heappop(heap)[1]] = True
            matched += 1
    return matched


# Disagreements ------------------------------------------------------------------------------


class Disagreements(Sequence[Disagreement]):
    """The passages where annotators differ, in document order, made when asked for: a view
    shows a few hundred of possibly hundreds of thousands."""

    def __init__(self, corpus: _Corpus, differing: Ints) -> None:
        self._corpus = corpus
        values, run_doc = corpus.values, corpus.run_doc
        change = np.ones(len(run_doc), dtype=bool)
        change[1:] = (values[:, 1:] != values[:, :-1]).any(axis=0) | (run_doc[1:] != run_doc[:-1])
        first = np.flatnonzero(change)
        last_end = np.append(first[1:], len(run_doc))
        keep = differing[first] > 0
        self._runs = first[keep]
        self._starts = corpus.edges[first[keep]]
        self._ends = corpus.edges[last_end[keep]]
        self._by_annotator: list[tuple[Ints, Ints, list[int | str]]] | None = None

    def __len__(self) -> int:
        return len(self._runs)

    @overload
    def __getitem__(self, index: int) -> Disagreement: ...

    @overload
    def __getitem__(self, index: slice) -> list[Disagreement]: ...

    def __getitem__(self, index: int | slice) -> Disagreement | list[Disagreement]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        run = int(self._runs[index])  # IndexError past the end, as a sequence should
        corpus = self._corpus
        doc = int(corpus.run_doc[run])
        start, end = int(self._starts[index]), int(self._ends[index])
        said, covering = {}, {}
        for a in np.flatnonzero(corpus.values[:, run] >= 0):
            name = corpus.names[a]
            said[name] = corpus.tags_of(int(corpus.values[a, run]))
            covering[name] = self._covering(int(a), start, end)
        base = int(corpus.base[doc])
        return Disagreement(corpus.doc_ids[doc], start - base, end - base, said, covering)

    def _covering(self, annotator: int, start: int, end: int) -> tuple[int | str, ...]:
        if self._by_annotator is None:
            corpus = self._corpus
            self._by_annotator = []
            for a in range(len(corpus.names)):
                mine = np.flatnonzero(corpus.ann == a)
                mine = mine[np.argsort(corpus.gstart[mine], kind="stable")]
                ids = [corpus.ids[i] for i in mine]
                self._by_annotator.append((corpus.gstart[mine], corpus.gend[mine], ids))
        starts, ends, ids = self._by_annotator[annotator]
        upto = int(np.searchsorted(starts, start, side="right"))
        return tuple(ids[i] for i in np.flatnonzero(ends[:upto] >= end))
