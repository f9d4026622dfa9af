"""Agreement: equal to the `krippendorff` package on the expanded code point table, span F1
against brute force, the disagreements against a walk over every code point."""

from __future__ import annotations

import math
import warnings
from collections import Counter
from itertools import combinations

import krippendorff
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.agreement import (
    NO_VARIATION,
    AgreementResult,
    Mark,
    Measure,
    compute_agreement,
    overlap_matches,
)

TOLERANCE = 1e-9
NAMES = ["ana", "bob", "cy", "dee"]
TAGS = ["claim", "evidence", "opinion"]


# The definitions, code point by code point ---------------------------------------------------


class Expanded:
    """The README's definitions applied literally: one value per annotator and code point."""

    def __init__(
        self,
        lengths: dict[int, int],
        marks: list[Mark],
        done: set[tuple[str, int]],
        annotators: list[str],
        tags: list[str],
        documents: list[int],
    ) -> None:
        self.docs = sorted(d for d in lengths if not documents or d in documents)
        marks = [
            m
            for m in marks
            if m.document_id in self.docs and (not annotators or m.annotator in annotators)
        ]
        done = {(a, d) for a, d in done if d in self.docs and (not annotators or a in annotators)}
        self.names = sorted(set(annotators) or {m.annotator for m in marks} | {a for a, _ in done})
        self.tags = tags or sorted({m.tag for m in marks})
        self.lengths, self.marks = lengths, marks
        self.counts = {(m.annotator, m.document_id) for m in marks} | done

    def value(self, name: str, doc: int, unit: int) -> frozenset[str] | None:
        if (name, doc) not in self.counts:
            return None
        return frozenset(
            m.tag
            for m in self.marks
            if m.annotator == name
            and m.document_id == doc
            and m.start <= unit < m.end
            and m.tag in self.tags
        )

    def table(self, names: list[str], docs: list[int]) -> list[list[frozenset[str] | None]]:
        return [[self.value(n, d, u) for d in docs for u in range(self.lengths[d])] for n in names]

    def passages(self) -> list[tuple[int, int, int, dict[str, tuple[str, ...]]]]:
        found: list[tuple[int, int, int, dict[str, tuple[str, ...]]]] = []
        for d in self.docs:
            previous = None
            for u in range(self.lengths[d]):
                said = {n: v for n in self.names if (v := self.value(n, d, u)) is not None}
                differ = len(said) >= 2 and len(set(said.values())) > 1
                if differ and previous == said and found[-1][2] == u:
                    found[-1] = (d, found[-1][1], u + 1, found[-1][3])
                elif differ:
                    found.append((d, u, u + 1, said))
                previous = said
        return [
            (d, s, e, {n: tuple(t for t in self.tags if t in v) for n, v in said.items()})
            for d, s, e, said in found
        ]


def reference_alpha(
    table: list[list[frozenset[str] | None]] | list[list[int | None]],
) -> float | None:
    """krippendorff.alpha on the table, each distinct value an integer; None when undefined."""
    if not table or not table[0]:
        return None  # no annotator or no code point: the package cannot take it either
    ids: dict[object, int] = {}
    data = np.array(
        [[np.nan if v is None else ids.setdefault(v, len(ids)) for v in row] for row in table],
        dtype=float,
    ).reshape(len(table), -1)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except ValueError:  # one value only, or no unit coded twice
        return None
    return None if math.isnan(value) else float(value)


def assert_same(measure: Measure, expected: float | None) -> None:
    if expected is None:
        assert measure.value is None
        assert measure.reason
    else:
        assert measure.value is not None, measure.reason
        assert abs(measure.value - expected) <= TOLERANCE


def brute_matching(mine: list[Mark], theirs: list[Mark]) -> int:
    """Largest matching by augmenting paths over every pair that overlaps with the same tag."""
    edges = [
        [
            j
            for j, b in enumerate(theirs)
            if a.document_id == b.document_id
            and a.tag == b.tag
            and max(a.start, b.start) < min(a.end, b.end)
        ]
        for a in mine
    ]
    partner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in edges[i]:
            if j not in seen:
                seen.add(j)
                if j not in partner or augment(partner[j], seen):
                    partner[j] = i
                    return True
        return False

    return sum(augment(i, set()) for i in range(len(mine)))


def check_against_definitions(
    lengths: dict[int, int],
    marks: list[Mark],
    done: set[tuple[str, int]],
    annotators: list[str] = [],  # noqa: B006
    tags: list[str] = [],  # noqa: B006
    documents: list[int] = [],  # noqa: B006
) -> AgreementResult:
    result = compute_agreement(
        lengths, marks, done, annotators=annotators, tags=tags, documents=documents
    )
    ex = Expanded(lengths, marks, done, annotators, tags, documents)
    assert result.annotators == tuple(ex.names)
    assert result.tags == tuple(ex.tags)
    assert result.documents == tuple(ex.docs)

    assert_same(result.overall, reference_alpha(ex.table(ex.names, ex.docs)))
    for d in ex.docs:
        assert_same(result.by_document[d], reference_alpha(ex.table(ex.names, [d])))
    full = ex.table(ex.names, ex.docs)
    for t in ex.tags:
        binary = [[None if v is None else int(t in v) for v in row] for row in full]
        assert_same(result.by_tag[t], reference_alpha(binary))

    assert [p.annotators for p in result.pairs] == list(combinations(ex.names, 2))
    for pair in result.pairs:
        a, b = pair.annotators
        assert_same(pair.alpha, reference_alpha(ex.table([a, b], ex.docs)))
        shared = [d for d in ex.docs if (a, d) in ex.counts and (b, d) in ex.counts]
        assert pair.documents == len(shared)
        mine = [
            m for m in ex.marks if m.annotator == a and m.document_id in shared and m.tag in ex.tags
        ]
        theirs = [
            m for m in ex.marks if m.annotator == b and m.document_id in shared and m.tag in ex.tags
        ]
        if not mine and not theirs:
            assert_same(pair.f1_strict, None)
            assert_same(pair.f1_overlap, None)
            continue
        span = lambda m: (m.document_id, m.start, m.end, m.tag)  # noqa: E731
        exact = sum((Counter(map(span, mine)) & Counter(map(span, theirs))).values())
        marked = len(mine) + len(theirs)
        assert_same(pair.f1_strict, 2 * exact / marked)
        assert_same(pair.f1_overlap, 2 * brute_matching(mine, theirs) / marked)

    got = [(d.document_id, d.start, d.end, d.said) for d in result.disagreements]
    assert got == ex.passages()
    for passage in result.disagreements:
        for name in passage.said:
            expected = tuple(
                m.highlight
                for m in sorted(ex.marks, key=lambda m: m.start)
                if m.annotator == name
                and m.document_id == passage.document_id
                and m.tag in ex.tags
                and m.start <= passage.start
                and m.end >= passage.end
            )
            assert sorted(passage.highlights[name]) == sorted(expected)
    return result


# Random small projects -----------------------------------------------------------------------


@st.composite
def projects(draw: st.DrawFn) -> tuple[dict[int, int], list[Mark], set[tuple[str, int]]]:
    lengths = {d: draw(st.integers(0, 25)) for d in range(1, draw(st.integers(1, 3)) + 1)}
    names = NAMES[: draw(st.integers(1, 4))]
    tags = TAGS[: draw(st.integers(1, 3))]
    marks = []
    for n in range(draw(st.integers(0, 14))):
        doc = draw(st.sampled_from(sorted(lengths)))
        if lengths[doc] == 0:
            continue
        start = draw(st.integers(0, lengths[doc] - 1))
        end = draw(st.integers(start + 1, lengths[doc]))
        marks.append(
            Mark(draw(st.sampled_from(names)), doc, start, end, draw(st.sampled_from(tags)), n)
        )
    done = draw(st.sets(st.tuples(st.sampled_from(names), st.sampled_from(sorted(lengths)))))
    return lengths, marks, done


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(projects())
def test_equal_to_the_krippendorff_package_on_every_code_point(
    project: tuple[dict[int, int], list[Mark], set[tuple[str, int]]],
) -> None:
    check_against_definitions(*project)


@SETTINGS
@given(projects(), st.data())
def test_filters_equal_the_definitions_on_the_filtered_table(
    project: tuple[dict[int, int], list[Mark], set[tuple[str, int]]], data: st.DataObject
) -> None:
    lengths, marks, done = project
    check_against_definitions(
        lengths,
        marks,
        done,
        annotators=data.draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3)),
        tags=data.draw(st.lists(st.sampled_from(TAGS), unique=True, max_size=2)),
        documents=data.draw(st.lists(st.sampled_from(sorted(lengths)), unique=True, max_size=2)),
    )


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 12), st.integers(0, 1)), max_size=16))
def test_overlap_matching_is_a_largest_matching(intervals: list[tuple[int, int, int]]) -> None:
    marks = [Mark(NAMES[side], 1, s, s + w, "claim") for s, w, side in intervals]
    mine = [m for m in marks if m.annotator == NAMES[0]]
    theirs = [m for m in marks if m.annotator == NAMES[1]]
    starts = np.array([s for s, _, _ in intervals], dtype=np.int64)
    ends = np.array([s + w for s, w, _ in intervals], dtype=np.int64)
    side = np.array([x for _, _, x in intervals], dtype=np.int8)
    assert overlap_matches(starts, ends, side) == brute_matching(mine, theirs)


# Cases worth naming --------------------------------------------------------------------------


def test_a_worked_example() -> None:
    # ana: claim 0-10; bob: claim 0-5 and opinion 5-10; 20 code points.
    marks = [
        Mark("ana", 1, 0, 10, "claim", 1),
        Mark("bob", 1, 0, 5, "claim", 2),
        Mark("bob", 1, 5, 10, "opinion", 3),
    ]
    result = check_against_definitions({1: 20}, marks, set())
    # Values: 0-5 both {claim}, 5-10 {claim}/{opinion}, 10-20 both {}. n = 40, D = 5 * 2 = 10,
    # n_c: {claim} 15, {opinion} 5, {} 20; alpha = 1 - 39 * 10 / (15*25 + 5*35 + 20*20).
    assert result.overall.value == pytest.approx(1 - 39 * 10 / (15 * 25 + 5 * 35 + 20 * 20))
    [pair] = result.pairs
    assert pair.f1_strict.value == 0
    assert pair.f1_overlap.value == pytest.approx(2 * 1 / 3)  # one-to-one: ana's claim once
    [passage] = result.disagreements
    assert passage == (
        1,
        5,
        10,
        {"ana": ("claim",), "bob": ("opinion",)},
        {"ana": (1,), "bob": (3,)},
    )


def test_one_long_highlight_matches_one_of_several_in_overlap_f1() -> None:
    marks = [Mark("ana", 1, 0, 30, "claim")] + [
        Mark("bob", 1, s, s + 5, "claim") for s in (0, 10, 20)
    ]
    [pair] = compute_agreement({1: 30}, marks).pairs
    assert pair.f1_overlap.value == pytest.approx(2 * 1 / 4)


def test_undefined_values_have_reasons() -> None:
    lengths = {1: 10, 2: 10, 3: 0}
    marks = [Mark("ana", 1, 0, 4, "claim"), Mark("bob", 2, 0, 4, "claim")]
    result = compute_agreement(lengths, marks, {("ana", 3)}, tags=["claim", "opinion"])
    assert result.overall == Measure(None, "no document has two annotators counting for it")
    assert result.by_document[1] == Measure(None, "one annotator only: ana")
    assert result.by_document[3] == Measure(None, "empty document")
    [pair] = result.pairs
    assert pair.alpha.value is None
    assert pair.alpha.reason == pair.f1_strict.reason == "no document both count for"

    alone = compute_agreement(lengths, marks[:1])
    assert alone.overall == Measure(None, "one annotator only: ana")
    assert alone.pairs == ()
    assert (
        compute_agreement({}, []).overall.reason == "no units: the selected documents have no text"
    )

    # Both marked the document done and highlighted nothing: no variation, no spans.
    [pair] = compute_agreement({1: 10}, [], {("ana", 1), ("bob", 1)}, tags=["claim"]).pairs
    assert pair.alpha.value is None
    assert "no variation" in (pair.alpha.reason or "")
    assert pair.f1_strict.value is None
    assert pair.f1_strict.reason == "neither has a highlight in the documents both count for"

    same = [Mark("ana", 1, 0, 4, "claim"), Mark("bob", 1, 0, 4, "claim")]
    result = compute_agreement({1: 10}, same, tags=["claim", "opinion"])
    assert result.overall.value == 1
    assert result.by_tag["opinion"].value is None
    assert result.by_tag["opinion"].reason.startswith("no variation: no one used this tag")
    whole = [Mark("ana", 1, 0, 10, "claim"), Mark("bob", 1, 0, 10, "claim")]
    result = compute_agreement({1: 10}, whole)
    assert result.overall == Measure(None, NO_VARIATION)
    assert result.by_tag["claim"].reason.startswith("no variation: everyone marked")


def test_done_makes_an_annotator_count_with_empty_values() -> None:
    marks = [Mark("ana", 1, 0, 5, "claim")]
    assert compute_agreement({1: 10}, marks).overall.value is None
    result = check_against_definitions({1: 10}, marks, {("bob", 1)})
    assert result.overall.value is not None
    assert result.counting == {1: ("ana", "bob")}
    assert [d.said for d in result.disagreements] == [{"ana": ("claim",), "bob": ()}]


def test_highlights_of_other_tags_make_their_annotator_count() -> None:
    marks = [Mark("ana", 1, 0, 5, "claim"), Mark("bob", 1, 6, 8, "opinion")]
    result = check_against_definitions({1: 10}, marks, set(), tags=["claim"])
    assert result.counting == {1: ("ana", "bob")}


def test_more_tags_than_fit_in_one_mask() -> None:
    tags = [f"tag {n}" for n in range(70)]
    marks = [
        Mark(name, 1 + n % 2, (7 * n) % 30, (7 * n) % 30 + 3 + n % 5, tags[(11 * n + k) % 70], n)
        for k, name in enumerate(NAMES[:3])
        for n in range(40)
    ]
    result = check_against_definitions({1: 40, 2: 40}, marks, set(), tags=tags)
    assert result.overall.value is not None


def test_work_grows_with_highlights_not_with_text() -> None:
    # A trillion code points could never be laid out one by one.
    length = 10**12
    marks = [
        Mark("ana", 1, 0, 10**11, "claim"),
        Mark("bob", 1, 5 * 10**10, 2 * 10**11, "claim"),
        Mark("ana", 1, 9 * 10**11, length, "opinion"),
    ]
    result = compute_agreement({1: length}, marks)
    # In units of 1e10 code points: 0-5 {claim}/{}, 5-10 both {claim}, 10-20 {}/{claim},
    # 20-90 both {}, 90-100 {opinion}/{}. n = 200; {claim} 10 + 15, {opinion} 10, {} 165;
    # observed disagreement 2 * (5 + 10 + 10).
    e10 = 10**10
    n, observed = 200 * e10, 50 * e10
    expected = sum(c * e10 * (n - c * e10) for c in (25, 10, 165))
    assert result.overall.value == pytest.approx(1 - (n - 1) * observed / expected, rel=1e-12)
    assert len(result.disagreements) == 3
