"""Re-anchoring highlights on a new version of a document's text: each layer, orphans, repeated
quotes, moved paragraphs, unicode, the worst cases, and (with hypothesis) that no highlight is
ever put where its text is not."""

from __future__ import annotations

import random

import edlib
import fast_diff_match_patch
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core import reanchor as ra
from desktop.core.anchoring import context
from desktop.core.reanchor import Anchor, Layer, Outcome, Reason, Status, reanchor, summarize
from tests.conftest import SEED_DIGEST

ARTICLE = SEED_DIGEST.read_text(encoding="utf-8")[:12_000]


def anchor(text: str, quote: str, key: object = 0, occurrence: int = 0) -> Anchor:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    end = start + len(quote)
    return Anchor(key, start, end, quote, *context(text, start, end))


def place(old: str, new: str, quote: str, occurrence: int = 0) -> Outcome:
    [outcome] = reanchor(old, new, [anchor(old, quote, occurrence=occurrence)])
    return outcome


def paragraphs(text: str) -> list[str]:
    return text.split("\n")


# Layers ----------------------------------------------------------------------------------------


def test_same_text_keeps_every_highlight_at_its_offsets() -> None:
    anchors = [anchor(ARTICLE, q, n) for n, q in enumerate(["Ukraine’s survival", "Moscow"])]
    outcomes = reanchor(ARTICLE, ARTICLE, anchors)
    assert [(o.status, o.layer, o.start, o.end) for o in outcomes] == [
        (Status.KEPT, Layer.OFFSETS, a.start, a.end) for a in anchors
    ]


def test_text_changed_only_after_the_highlight_keeps_it() -> None:
    new = ARTICLE + "\nA paragraph added at the end."
    outcome = place(ARTICLE, new, "Ukraine’s survival hangs in the balance")
    assert (outcome.status, outcome.layer, outcome.start) == (Status.KEPT, Layer.OFFSETS, 0)


def test_diff_carries_a_highlight_past_edits_before_it() -> None:
    quote = "The US and British intelligence agencies work in tandem."
    new = "Update: a new first line.\n" + ARTICLE.replace("needlessly", "needlesly")
    outcome = place(ARTICLE, new, quote)
    assert (outcome.status, outcome.layer) == (Status.MOVED, Layer.DIFF)
    assert new[outcome.start : outcome.end] == quote
    assert outcome.start == ARTICLE.index(quote) + len("Update: a new first line.\n") - 1


def test_moved_paragraph_is_found_by_its_quote() -> None:
    parts = paragraphs(ARTICLE)
    moved = parts.pop(4)
    parts.insert(12, moved)
    new = "\n".join(parts)
    quote = moved[40:140]
    outcome = place(ARTICLE, new, quote)
    assert outcome.status is Status.MOVED
    assert new[outcome.start : outcome.end] == quote
    assert outcome.start == new.index(moved) + 40


def test_typo_inside_gives_a_fuzzy_match_on_the_edited_span() -> None:
    quote = "Washington was in possession of some information"
    edited = "Washingtn was in possession of some informations"
    new = ARTICLE.replace(quote, edited)
    outcome = place(ARTICLE, new, quote)
    assert (outcome.status, outcome.layer) == (Status.FUZZY, Layer.FUZZY)
    assert new[outcome.start : outcome.end] in (edited, edited[:-1])
    assert outcome.score == pytest.approx(
        1 - ra._distance(quote, new[outcome.start : outcome.end]) / len(quote)
    )
    assert ra.MIN_FUZZY_SCORE <= outcome.score < 1


def test_typo_at_an_end_keeps_the_span_that_the_context_shows() -> None:
    # "tandem." becomes "tandme.": edit distance alone would drop the transposed letters.
    quote = "intelligence agencies work in tandem"
    new = ARTICLE.replace("work in tandem.", "work in tandme.")
    outcome = place(ARTICLE, new, quote)
    assert outcome.status is Status.FUZZY
    assert new[outcome.start : outcome.end] == "intelligence agencies work in tandme"


def test_moved_and_edited_paragraph_is_found_fuzzily() -> None:
    parts = paragraphs(ARTICLE)
    moved = parts.pop(3)
    quote = moved[10:120]
    parts.insert(10, moved.replace(quote, quote[:50] + "x" + quote[51:]))
    new = "\n".join(parts)
    outcome = place(ARTICLE, new, quote)
    assert outcome.status is Status.FUZZY
    assert new[outcome.start : outcome.end] == quote[:50] + "x" + quote[51:]


# Orphans ---------------------------------------------------------------------------------------


def test_deleted_sentence_is_orphaned() -> None:
    sentence = "The US and British intelligence agencies work in tandem."
    new = ARTICLE.replace(sentence, "")
    outcome = place(ARTICLE, new, sentence)
    assert (outcome.status, outcome.reason) == (Status.ORPHANED, Reason.NOT_FOUND)
    assert (outcome.start, outcome.end) == (None, None)


def test_rewritten_sentence_is_orphaned_not_stretched_over_other_text() -> None:
    quote = "Interestingly, the UK embassy in Moscow also issued a similar advisory"
    new = ARTICLE.replace(quote, "Oddly, London said nothing of the kind")
    assert place(ARTICLE, new, quote).status is Status.ORPHANED


def test_deleted_passage_is_not_put_on_its_unchanged_copy_elsewhere() -> None:
    copy = "The ministry said the figures would be checked again next week."
    old = ARTICLE[:3000] + copy + "\n" + ARTICLE[3000:8000] + copy + "\n" + ARTICLE[8000:]
    first = anchor(old, copy)
    new = old.replace(copy + "\n", "", 1)  # the first copy deleted, the second unchanged
    [outcome] = reanchor(old, new, [first])
    assert outcome.status is Status.ORPHANED


def test_deleted_sentence_is_not_put_on_another_that_shares_its_words() -> None:
    """A short quote whose sentence is gone, and whose words recur in a sentence added far away
    with some of the same words around them: orphaned (a moved passage brings its context)."""
    gone = "Yet we still have 900 troops in eastern Syria for eight years, going on nine.\n"
    added = "Yet we high within 900 troops in eastern Syria for eight years, prepare and fight.\n"
    old = ARTICLE[:3000] + gone + ARTICLE[3000:]
    new = ARTICLE[:8000] + added + ARTICLE[8000:]
    [outcome] = reanchor(old, new, [anchor(old, "in eastern Syria for")])
    assert outcome.status is Status.ORPHANED
    # The same sentence moved that far is found, its context with it.
    moved = ARTICLE[:8000] + gone + ARTICLE[8000:]
    [found] = reanchor(old, moved, [anchor(old, "in eastern Syria for")])
    assert found.status is Status.MOVED
    assert found.start == moved.index("in eastern Syria for")


def test_short_quote_without_its_context_is_orphaned_not_guessed() -> None:
    old = "Alpha beta gamma said the minister. " + ARTICLE
    target = anchor(old, "the", occurrence=0)
    new = "Completely different opening words here. " + ARTICLE  # its context is gone
    assert new.count("the") > 50
    [outcome] = reanchor(old, new, [target])
    assert outcome.status is Status.ORPHANED


def test_short_quote_is_placed_by_its_context_among_many() -> None:
    parts = paragraphs(ARTICLE)
    moved = parts.pop(5)
    start = moved.index(" the ") + 1
    old_start = ARTICLE.index(moved) + start
    target = Anchor(1, old_start, old_start + 3, "the", *context(ARTICLE, old_start, old_start + 3))
    parts.insert(11, moved)
    new = "\n".join(parts)
    [outcome] = reanchor(ARTICLE, new, [target])
    assert outcome.status is Status.MOVED
    assert outcome.start == new.index(moved) + start


def test_repeated_passage_each_copy_goes_to_its_own_place() -> None:
    copy = "Officials declined to comment on the report."
    old = f"Monday: {copy}\nTuesday: markets fell.\nWednesday: {copy}\n"
    new = f"Tuesday: markets fell.\nMonday: {copy}\nWednesday: {copy}\nThursday: rain.\n"
    outcomes = reanchor(old, new, [anchor(old, copy, 0, 0), anchor(old, copy, 1, 1)])
    placed = [(o.status, o.start) for o in outcomes]
    assert placed[0] == (Status.MOVED, new.index("Monday: ") + len("Monday: "))
    assert placed[1] == (Status.KEPT, new.index("Wednesday: ") + len("Wednesday: "))  # same offsets


def test_identical_copies_with_identical_context_are_not_guessed() -> None:
    copy = "x" * 40 + " the same line, word for word, again and again. " + "y" * 40
    old = "\n".join([copy] * 6)
    target = anchor(old, "the same line, word for word", occurrence=2)
    new = "\n".join([copy] * 5)  # one copy gone: which one cannot be told
    [outcome] = reanchor(old, new, [target])
    assert outcome.status is Status.ORPHANED or new[outcome.start : outcome.end] == target.quote


def test_empty_quote_is_orphaned() -> None:
    [outcome] = reanchor("abc", "abcd", [Anchor(7, 1, 1, "", "a", "bc")])
    assert (outcome.key, outcome.status, outcome.reason) == (7, Status.ORPHANED, Reason.EMPTY)


def test_offsets_that_do_not_fit_the_old_text_fall_back_to_the_quote() -> None:
    quote = "The US’s European allies also began parroting the same line."
    stale = anchor(ARTICLE, quote, "k")._replace(start=5, end=5 + len(quote))
    [outcome] = reanchor(ARTICLE, ARTICLE, [stale])
    assert (outcome.status, outcome.start) == (Status.MOVED, ARTICLE.index(quote))


def test_summary_counts_each_status() -> None:
    sentence = "The US and British intelligence agencies work in tandem."
    new = "New first line.\n" + ARTICLE.replace(sentence, "").replace("needlessly", "needlesly")
    anchors = [
        anchor(ARTICLE, "Ukraine’s survival", 1),
        anchor(ARTICLE, "advisory issued by the American embassy", 2),
        anchor(ARTICLE, "arose needlessly over the advisory", 3),
        anchor(ARTICLE, sentence, 4),
    ]
    outcomes = reanchor(ARTICLE, new, anchors)
    assert [o.status for o in outcomes] == [
        Status.MOVED,
        Status.MOVED,
        Status.FUZZY,
        Status.ORPHANED,
    ]
    summary = summarize(outcomes)
    assert (summary.kept, summary.moved, summary.fuzzy, summary.orphaned) == (0, 2, 1, 1)
    assert str(summary) == "kept 0, moved 2, fuzzy 1, orphaned 1"


# Unicode ---------------------------------------------------------------------------------------

EMOJI_TEXT = (
    "Kyiv and the flag 🇺🇦: officials said the convoy “arrived at 09:00”. 👨\u200d👩\u200d👧 "
    "families waited.\nCafe\u0301 owners disputed the figure; a report put it at 40\u202f%.\n"
    "中文引语：“这是一个说法。” Emoji at the end 😀"
)


@pytest.mark.parametrize("quote", ["🇺🇦", "👨\u200d👩\u200d👧 families", "Cafe\u0301 owners", "😀"])
def test_offsets_are_code_points_past_emoji_and_combining_marks(quote: str) -> None:
    new = "🎉🎉 Breaking: e\u0301\n" + EMOJI_TEXT
    outcome = place(EMOJI_TEXT, new, quote)
    assert outcome.status is Status.MOVED
    assert new[outcome.start : outcome.end] == quote
    assert outcome.start == EMOJI_TEXT.index(quote) + len("🎉🎉 Breaking: e\u0301\n")


def test_fuzzy_match_across_a_dropped_combining_mark() -> None:
    quote = "Cafe\u0301 owners disputed the figure"
    new = EMOJI_TEXT.replace("Cafe\u0301 owners", "Cafe owners")
    outcome = place(EMOJI_TEXT, new, quote)
    assert outcome.status is Status.FUZZY
    assert new[outcome.start : outcome.end] == "Cafe owners disputed the figure"


def test_fuzzy_match_in_text_of_more_than_256_distinct_characters() -> None:
    rng = random.Random(3)
    hanzi = "".join(chr(0x4E00 + rng.randrange(2000)) for _ in range(3000))
    old = hanzi[:1000] + "，" + hanzi[1000:]
    quote = old[1500:1560]
    new = old[:1520] + "丶" + old[1521:]
    outcome = place(old, new, quote)
    assert outcome.status is Status.FUZZY
    assert (outcome.start, outcome.end) == (1500, 1560)


def test_diff_with_two_byte_characters_folds_astral_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the C++ diff works in UTF-16 units (Windows), characters outside the BMP are
    folded into private-use ones of the same length in code points."""
    monkeypatch.setattr(fast_diff_match_patch, "CHAR_WIDTH", 2)
    new = "🎉 " + EMOJI_TEXT.replace("waited", "waitde")
    assert ra._fold_astral("a😀b") == "a" + chr(0xE000 + ord("😀") % 0x1900) + "b"
    outcomes = reanchor(EMOJI_TEXT, new, [anchor(EMOJI_TEXT, "🇺🇦: officials", 0)])
    assert (outcomes[0].status, outcomes[0].start) == (Status.MOVED, 2 + EMOJI_TEXT.index("🇺🇦"))


# Worst cases -----------------------------------------------------------------------------------


def test_unrelated_blocks_beyond_the_budget_are_not_diffed_by_character(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(5)
    old = "".join(rng.choice("abcdefgh ") for _ in range(3000))
    new = "".join(rng.choice("abcdefgh ") for _ in range(3000))
    assert len(ra.diff(old, new)) > 2  # within the budget: character by character
    monkeypatch.setattr(ra, "DIFF_BUDGET", 1_000_000)
    ops = ra.diff(old, new)
    assert [op for op, _ in ops if op != "="] == ["-", "+"]
    assert sum(n for op, n in ops if op != "+") == len(old)
    assert sum(n for op, n in ops if op != "-") == len(new)


def test_fully_rewritten_long_text_orphans_everything() -> None:
    rng = random.Random(7)
    words = ARTICLE.split()
    old = " ".join(rng.choice(words) for _ in range(60_000))
    new = " ".join(rng.choice(words) for _ in range(60_000))
    anchors = []
    for n in range(300):
        start = rng.randrange(len(old) - 200)
        anchors.append(
            Anchor(
                n, start, start + 120, old[start : start + 120], *context(old, start, start + 120)
            )
        )
    outcomes = reanchor(old, new, anchors)
    assert all(o.status is Status.ORPHANED for o in outcomes)


def test_thousands_of_identical_quotes() -> None:
    line = "Officials said the situation was under control.\n"
    old = line * 3000
    anchors = [anchor(old, "the situation was under control", n, n) for n in range(0, 3000, 7)]
    # Carried by the diff when the text around is unchanged ...
    shifted = "A new opening line.\n" + old
    assert all(
        o.status is Status.MOVED and o.start == a.start + 20
        for a, o in zip(anchors, reanchor(old, shifted, anchors), strict=True)
    )
    # ... and orphaned when every copy moved: nothing tells them apart.
    scrambled = "Preface.\n" + line.replace("control", "contrl") + old[: len(line) * 1500]
    outcomes = reanchor(old, scrambled, anchors)
    for a, o in zip(anchors, outcomes, strict=True):
        assert o.status is Status.ORPHANED or scrambled[o.start : o.end] == a.quote


# Never wrong -----------------------------------------------------------------------------------

WORDS = [
    "the",
    "cat",
    "sat",
    "on",
    "a",
    "mat",
    "Café",
    "naïve",
    "😀",
    "👨\u200d👩\u200d👧",
    "said",
    "x",
]


@st.composite
def versions(draw: st.DrawFn) -> tuple[str, str, list[Anchor]]:
    """A text of repeated words, highlights on it, and a version with random edits: words
    inserted, spans deleted, characters changed, paragraphs swapped."""
    sentences = draw(
        st.lists(st.lists(st.sampled_from(WORDS), min_size=2, max_size=9), min_size=2, max_size=30)
    )
    text = ""
    for n, sentence in enumerate(sentences):
        text += " ".join(sentence) + (".\n" if n % 3 == 2 else ". ")
    anchors = []
    for n in range(draw(st.integers(1, 8))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 60)))
        anchors.append(Anchor(n, start, end, text[start:end], *context(text, start, end)))
    new = text
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["insert", "delete", "change", "swap"]))
        at = draw(st.integers(0, len(new)))
        if kind == "insert":
            new = new[:at] + " " + draw(st.sampled_from(WORDS)) + new[at:]
        elif kind == "delete":
            new = new[:at] + new[at + draw(st.integers(1, 30)) :]
        elif kind == "change" and at < len(new):
            new = new[:at] + draw(st.sampled_from("aeiotx ")) + new[at + 1 :]
        elif kind == "swap":
            lines = new.split("\n")
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
            new = "\n".join(lines)
    return text, new, anchors


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(versions())
def test_never_put_where_its_text_is_not(case: tuple[str, str, list[Anchor]]) -> None:
    old, new, anchors = case
    assert len(new) <= ra.FULL_SCAN  # so the fuzzy layer searches all of it
    for a, o in zip(anchors, reanchor(old, new, anchors), strict=True):
        assert o.key == a.key
        if o.status in (Status.KEPT, Status.MOVED):
            assert new[o.start : o.end] == a.quote
            assert o.status is Status.MOVED or (o.start, o.end) == (a.start, a.end)
        elif o.status is Status.FUZZY:
            assert o.start is not None
            assert o.end is not None
            region = new[o.start : o.end]
            edits = ra._distance(a.quote, region)
            assert o.score == pytest.approx(1 - edits / len(a.quote))
            assert ra.MIN_FUZZY_SCORE <= o.score < 1
            # The best-scoring region of the whole text, its ends moved at most SNAP
            # characters to fit the stored context.
            best = edlib.align(a.quote, ra._edlib_target(a.quote, new), mode="HW", task="locations")
            assert any(
                abs(s - o.start) <= ra.SNAP and abs(e + 1 - o.end) <= ra.SNAP
                for s, e in best["locations"]
            )
            assert edits <= best["editDistance"] + 2 * ra.SNAP
        else:
            assert (o.start, o.end) == (None, None)
            assert o.reason is not None


def test_common_prefix_and_suffix_lengths_across_blocks() -> None:
    rng = random.Random(11)
    for size in (0, 5, 4095, 4096, 4097, 9000):
        base = "".join(rng.choice("ab😀") for _ in range(size))
        assert ra._common_prefix_length(base + "xa", base + "ya") == size
        assert ra._common_suffix_length("ax" + base, "ay" + base) == size
        assert ra._common_prefix_length(base, base) == size
        assert ra._common_suffix_length(base, "z" + base) == size
