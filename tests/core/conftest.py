"""A project worth exporting: the seed articles and the emoji sample, with highlights on astral
characters, joiner sequences, combining marks and spans across line breaks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from desktop.core.anchoring import trim_span
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import SAMPLES, SEED_DIGEST

EMOJI = SAMPLES / "emoji-and-marks.txt"

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
