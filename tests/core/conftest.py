"""A project worth exporting: the seed articles and the emoji sample, with highlights on astral
characters, joiner sequences, combining marks and spans across line breaks. And projects of
either kind, a file or a server, for what must hold on both (`location`, `two`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.anchoring import trim_span
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument
from desktop.core.project import open_project
from desktop.core.sqlite_store import SqliteStore
from desktop.core.store import ProjectStore
from tests.conftest import SAMPLES, SEED_DIGEST

EMOJI = SAMPLES / "emoji-and-marks.txt"
TEXT = "Alpha beta gamma.\nDelta 🇺🇦 epsilon.\n"

# (quote in the emoji sample, tag, note, annotator)
TRICKY = [
    ("🇺🇦", "claim", "", "ana"),  # a flag: two astral code points
    ("👨\u200d👩\u200d👧", "evidence", 'a family, "joined" by ZWJ', "ana"),  # five code points
    ("Cafe\u0301 owners", "opinion", "", "ana"),  # e + combining acute
    ("families waited.\nCafe\u0301", "claim", "crosses\na line break", "ana"),
    ("40\u202f%.\nقال", "needs source", "into Arabic, across a line", "ana"),
    ("“这是一个说法。”", "evidence", "", "ana"),
    ("😀", "needs_source", "the last character", "ana"),  # same brat type as "needs source"
    ("the flag 🇺🇦: officials", "opinion", "overlaps the flag\n\nand has a blank line", "bob"),
]


def add_quote(store: SqliteStore, document_id: int, quote: str, tag: str, note: str = "") -> None:
    text = store.document(document_id).text
    start = text.index(quote)
    tag_id = next(t.id for t in store.tags() if t.name == tag)
    store.add_highlight(document_id, start, start + len(quote), tag_id, note=note)


@pytest.fixture
def emoji_document(seeded: SqliteStore) -> int:
    """The seed project plus the emoji sample; returns the sample's document id."""
    [doc] = import_paths(seeded, [EMOJI]).documents_added
    seeded.add_tag("needs source", "#0072B2", "4")
    seeded.add_tag("needs_source", "#D55E00")
    return doc.id


@pytest.fixture
def annotated(seeded: SqliteStore, emoji_document: int) -> SqliteStore:
    """Highlights on every document: the tricky ones above, and on each seed article one that
    crosses its title and byline lines and one with a note full of commas, quotes and tabs."""
    for quote, tag, note, annotator in TRICKY:
        seeded.annotator = annotator
        add_quote(seeded, emoji_document, quote, tag, note)
    seeded.annotator = "ana"
    for d in seeded.documents():
        if d.id == emoji_document:
            continue
        text = seeded.document(d.id).text
        second_line_end = text.index("\n", text.index("\n") + 1)
        seeded.add_highlight(d.id, 0, second_line_end + 12, 1, note="title, byline\nand more")
        start, end = trim_span(text, len(text) // 2, len(text) // 2 + 80)
        seeded.add_highlight(d.id, start, end, 3, note='He said "no",\tthen left')
    return seeded


@pytest.fixture
def same_documents(tmp_path: Path) -> Iterator[SqliteStore]:
    """Another project with the same documents and no highlights, annotated by someone else."""
    store = SqliteStore.open(tmp_path / "same-documents.claimmark")
    store.annotator = "carol"
    import_paths(store, [SEED_DIGEST, EMOJI])
    yield store
    store.close()


def highlights(store: SqliteStore, *fields: str) -> list[dict[str, Any]]:
    """The project's highlights as the JSON export has them, keeping only `fields`."""
    rows = export_native(store)["highlights"]
    key = ("document_id", "start", "end", "tag")
    rows.sort(key=lambda h: tuple(h[k] for k in key))
    return [{k: h[k] for k in fields} for h in rows] if fields else rows


def documents(store: SqliteStore) -> list[dict[str, Any]]:
    return export_native(store)["documents"]


@pytest.fixture
def linked(annotated: SqliteStore) -> SqliteStore:
    """The annotated project with links (within a document, with a note, and across two
    documents), verdicts on two claims, a document with a web address and pages, and done
    marks by two annotators."""
    from desktop.core.model import Link

    store = annotated
    by_quote = {h.quote: h for h in store.highlights()}
    flag, family = by_quote["🇺🇦"], by_quote["👨\u200d👩\u200d👧"]
    opinion = by_quote["the flag 🇺🇦: officials"]
    seed_claim = next(h for h in store.highlights() if h.document_id == 1 and h.tag_id == 1)
    supports, attacks = store.relation_types()
    now = "2026-11-24T03:12:51.123Z"
    for n, (a, b, kind, note) in enumerate(
        [
            (family, flag, supports, "the family photo backs the flag claim"),
            (opinion, flag, attacks, ""),
            (flag, seed_claim, supports, ""),  # across documents
        ]
    ):
        store.insert_link(
            Link(0, f"00000000-0000-4000-8000-00000000000{n}", a.id, b.id, kind.id, note,
                 "ana", now, now)
        )  # fmt: skip
    mostly_false = next(r for r in store.ratings() if r.name == "Mostly false")
    true = next(r for r in store.ratings() if r.name == "True")
    store.set_rating(flag.id, mostly_false.id)
    store.set_rating(seed_claim.id, true.id)
    store.set_done("ana", flag.document_id, now)
    store.set_done("bob", 1, "2026-11-25T10:00:00.000Z")
    from desktop.core.model import NewDocument

    text = WEB_TEXT
    [web] = store.add_documents(
        [
            NewDocument(
                text=text,
                title="Harbour to reopen",
                source="https://news.example/harbour?utm=x",
                author="Dee Okafor",
                outlet="Northern Courier",
                published="2024-05-02",
                url="https://news.example/harbour",
                page_starts=(0, text.index("Critics")),
            )
        ]
    )
    start = text.index("The harbour")
    claim = store.add_highlight(web.id, start, text.index(".", start) + 1, 1)
    store.set_rating(claim.id, mostly_false.id)
    return store


WEB_TEXT = (
    "Harbour to reopen\nThe harbour will reopen in May, the mayor said.\n"
    "Critics said the date was set before the repairs were costed.\n"
)


@pytest.fixture(params=["file", "server"])
def location(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a new project is: a file, or a new database on the test server."""
    if request.param == "server":
        return str(request.getfixturevalue("pg_location"))
    return str(tmp_path / "either.claimmark")


@pytest.fixture
def two(location: str) -> Iterator[tuple[ProjectStore, ...]]:
    """Two connections to one new project with one document (TEXT), a file or a server: ana's
    window and bob's (another window, or a teammate)."""
    mine, theirs = open_project(location), open_project(location)
    mine.annotator, theirs.annotator = "ana", "bob"
    mine.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    yield mine, theirs
    mine.close()
    theirs.close()
