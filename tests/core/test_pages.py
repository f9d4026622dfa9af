"""Which page an offset is on, from a document's page map (where each page starts)."""

from __future__ import annotations

import pytest

from desktop.core.model import DocumentInfo, describe_pages, page_of

STARTS = (0, 100, 250, 250, 400)  # page 3 is empty: it starts where page 4 does


@pytest.mark.parametrize(
    ("offset", "page"), [(0, 1), (99, 1), (100, 2), (249, 2), (250, 4), (399, 4), (400, 5)]
)
def test_the_page_of_an_offset(offset: int, page: int) -> None:
    assert page_of(STARTS, offset) == page


def test_a_page_map_whose_first_page_is_empty() -> None:
    assert page_of((0, 0, 30), 0) == 2
    assert page_of((0, 0, 30), 30) == 3


def test_no_page_map_no_page() -> None:
    assert page_of((), 10) is None
    assert describe_pages((), 0, 10) == ""


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [(0, 100, "page 1"), (90, 101, "pages 1–2"), (100, 101, "page 2"), (10, 420, "pages 1–5")],
)
def test_a_span_says_which_pages_it_is_on(start: int, end: int, words: str) -> None:
    assert describe_pages(STARTS, start, end) == words
    info = DocumentInfo(1, "T", "", "", "", "t.pdf", 0, "x", "now", 500, "", STARTS)
    assert info.pages_of(start, end) == words
    assert info.page_of(start) == page_of(STARTS, start)
