"""Splitting digests into articles with their metadata."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import digest
from desktop.core.digest import parse_byline, split_articles
from tests.conftest import SEED_DIGEST

SEED_ARTICLES = [
    (
        "Ukraine’s survival hangs in the balance",
        "M. K. Bhadrakumar",
        "Indian Punchline",
        "2024-03-28",
    ),
    (
        "Moscow massacre: Who created Daesh and whose agenda does it serve",
        "Shabbir Rizvi",
        "Press TV",
        "2024-03-26",
    ),
    ("OPCW attributes 2015 Syria chemical attack to ISIS: Report", "", "The Cradle", "2024-02-23"),
    ("ISIS exploits US strikes to attack Iraqi forces in Anbar", "", "The Cradle", "2024-02-03"),
    (
        "‘Swarming’ the US in West Asia, until it folds",
        "MK Bhadrakumar",
        "The Cradle",
        "2024-01-29",
    ),
    (
        "American Base Near Syria-Jordan Border Attacked Amidst Rejection of US Role in Area",
        "John Miles",
        "Sputnik",
        "2024-01-28",
    ),
    (
        "US enlists extremists to attack Russian troops in Syria: Official",
        "",
        "The Cradle",
        "2024-01-26",
    ),
    ("Reviving ISIS: A US weapon against the Resistance Axis", "", "The Cradle", "2024-01-16"),
]


def test_seed_digest_gives_eight_articles_with_their_metadata() -> None:
    text = SEED_DIGEST.read_text(encoding="utf-8")
    articles = split_articles(text)
    assert [(a.title, a.author, a.outlet, a.published) for a in articles] == SEED_ARTICLES


def test_seed_articles_cover_the_file_exactly() -> None:
    text = SEED_DIGEST.read_text(encoding="utf-8")
    articles = split_articles(text)
    assert "".join(text[a.start : a.end] for a in articles) == text
    for a in articles:
        assert text[a.start : a.end].startswith(a.title)
    # The standfirst stays with its article, between title and byline.
    swarming = articles[4]
    assert "\nThe US is so deeply mired" in text[swarming.start : swarming.end][:200]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("By Jane Doe | The Paper | March 28, 2024", ("Jane Doe", "The Paper", "2024-03-28")),
        ("The Cradle | February 3, 2024", ("", "The Cradle", "2024-02-03")),
        ("By John Miles – Sputnik – 28.01.2024", ("John Miles", "Sputnik", "2024-01-28")),
        ("By A. B. Smith — Le Monde — 5 May 2023", ("A. B. Smith", "Le Monde", "2023-05-05")),
        ("BY JANE DOE | BBC NEWS | MARCH 1, 2024", ("Jane Doe", "BBC News", "2024-03-01")),
        ("Reuters - 2024-02-29", ("", "Reuters", "2024-02-29")),
    ],
)
def test_byline_forms(line: str, expected: tuple[str, str, str]) -> None:
    byline = parse_byline(line)
    assert byline is not None
    assert (byline.author, byline.outlet, byline.published) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Since then, many have raised questions – and rightfully so.",
        "The Cradle | February 30, 2024",  # no such day
        "By someone | somewhere",
        "",
    ],
)
def test_not_bylines(line: str) -> None:
    assert parse_byline(line) is None


def test_file_without_byline_is_one_document_titled_from_its_first_line() -> None:
    text = "\n\n# A headline\nSome text.\nMore text.\n"
    [article] = split_articles(text, fallback_title="file")
    assert (article.start, article.end, article.title) == (0, len(text), "A headline")


def test_preamble_before_the_first_article_is_kept_as_its_own_document() -> None:
    text = (
        "Weekly digest\n\nFirst title\nThe Cradle | January 2, 2024\nBody one.\n"
        "Second title\nBy X | Y | 03.01.2024\nBody two.\n"
    )
    articles = split_articles(text)
    assert [a.title for a in articles] == ["Weekly digest", "First title", "Second title"]
    assert "".join(text[a.start : a.end] for a in articles) == text


def test_line_separators_other_than_newline_do_not_split_lines() -> None:
    text = "Title\u2028still title\nThe Cradle | January 2, 2024\nBody\x0cwith form feed.\n"
    [article] = split_articles(text)
    assert article.title == "Title\u2028still title"
    assert (article.start, article.end) == (0, len(text))


# Crafted lines: the parser does work in proportion to the line, never more -----------------


class StillRunning(Exception):
    """Not an OSError (which TimeoutError is), so that no `except OSError` can swallow it."""


@contextmanager
def must_finish_within(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging the suite) when the block runs longer than `seconds`. Not a
    measure of speed (python -m desktop.bench is): the inputs below took over a second each
    when matching backtracked, and take microseconds now."""

    def stop(_signum: int, _frame: object) -> None:
        raise StillRunning(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def crafted_lines() -> list[str]:
    """Byline-like lines made to backtrack: runs of spaces and separators, cut to the longest
    line a byline may be, and no date at the end."""
    lines = []
    for fill in (" " * 30 + "-", " " * 29 + "| ", "  -  " * 6, " \t " * 10 + "–"):
        for head in ("by x", "BY X", "x"):
            lines.append((head + fill * 200)[: digest.MAX_BYLINE_CHARS - 4] + " 202")
    return lines


def test_crafted_byline_like_lines_are_parsed_in_linear_time() -> None:
    lines = crafted_lines()
    with must_finish_within(20):
        for _ in range(5):
            assert [parse_byline(line) for line in lines] == [None] * len(lines)
        text = "\n".join(["A title", *lines * 400, "Body."]) + "\n"
        assert len(split_articles(text)) == 1


# The parser reads bylines as the regular expression it replaced did -------------------------

_SEP = r"\s*(?:\||–|—|\s-\s)\s*"
_REFERENCE = re.compile(  # the expression the parser replaced (it backtracked without end)
    rf"^(?:by\s+(?P<author>[^|–—]+?){_SEP})?(?P<outlet>[^|–—]+?){_SEP}{digest.DATE.pattern}\s*$",
    re.IGNORECASE,
)


def reference(line: str) -> tuple[str, str, str] | None:
    """(author, outlet, date text) as the former regular expression split a byline."""
    m = _REFERENCE.match(line.strip())
    if m is None:
        return None
    date_start = min(m.start(g) for g in ("month", "day2", "day3", "year4") if m[g] is not None)
    return ((m["author"] or "").strip(), m["outlet"].strip(), line.strip()[date_start:].strip())


def _words() -> st.SearchStrategy[str]:
    """Names as bylines have them: letters, initials, hyphenated and quoted names."""
    part = st.text("AbcXé", min_size=1, max_size=5)
    word = st.builds(
        lambda a, b, tail: a + (f"-{b}" if b else "") + tail,
        part,
        st.one_of(st.just(""), part),
        st.sampled_from(["", ".", "'s"]),
    )
    return st.lists(word, min_size=1, max_size=4).map(" ".join)


_SEPARATORS = st.sampled_from(["|", "–", "—", " | ", " – ", " — ", " - ", "  -  ", "| ", " |"])
_DATES = st.sampled_from(["March 28, 2024", "28.01.2024", "2024-01-28", "5 May 2023", "2024"])


@settings(max_examples=400, deadline=None)
@given(
    by=st.sampled_from(["", "By ", "by ", "BY  "]),
    parts=st.lists(_words(), min_size=1, max_size=4),
    seps=st.lists(_SEPARATORS, min_size=4, max_size=4),
    date=_DATES,
)
def test_the_parser_splits_bylines_as_before(
    by: str, parts: list[str], seps: list[str], date: str
) -> None:
    line = by + "".join(p + s for p, s in zip(parts, seps, strict=False)) + date
    expected = reference(line)
    found = digest.split_byline(line.strip())
    assert found == expected, line
