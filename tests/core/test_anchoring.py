"""Finding a quote again when its offsets do not fit: the best context, then the nearest; and
work that does not grow with how often the quote occurs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from desktop.core import anchoring
from desktop.core.anchoring import QuoteIndex, find_quote
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument, sha256_text
from desktop.core.sqlite_store import SqliteStore


def test_the_best_context_wins_then_the_nearest() -> None:
    text = "the cat sat. the cat ran. a cat sat. the cat sat."
    assert find_quote(text, "cat", prefix="a ", suffix=" sat") == text.index("a cat") + 2
    assert find_quote(text, "cat", prefix="the ", suffix=" sat", near=40) == text.rindex("cat")
    assert find_quote(text, "cat", prefix="the ", suffix=" sat", near=0) == 4
    assert find_quote(text, "cat", prefix="zz ", suffix=" ran", near=0) == text.index("cat ran")
    assert find_quote(text, "dog") is None
    assert find_quote(text, "") is None


@pytest.mark.parametrize("listed", [anchoring.MAX_LISTED, 10])
def test_an_index_answers_for_each_quote_of_one_document(
    monkeypatch: pytest.MonkeyPatch, listed: int
) -> None:
    """Listed once, or (for a quote found more than MAX_LISTED times) looked for outwards."""
    monkeypatch.setattr(anchoring, "MAX_LISTED", listed)
    text = "la " * 300_000
    index = QuoteIndex(text)
    for near in (0, 1000, 450_001, 899_999):
        found = index.find("la", "la la ", " la", near=near)
        assert found is not None
        assert text[found : found + 2] == "la"
        assert abs(found - near) <= 6  # the nearest with all of "la la " before it


class _Counter:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        for name in ("_common_prefix", "_common_suffix"):
            real = getattr(anchoring, name)

            def counted(a: str, b: str, real: Any = real) -> int:
                self.calls += 1
                return int(real(a, b))

            monkeypatch.setattr(anchoring, name, counted)


def test_quotes_without_offsets_cost_the_same_however_often_they_occur(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A W3C import of quotes only, on a text of "la la la": each annotation compared its
    context at every one of the quote's 30,000 occurrences (2.3 s each on 900 KB)."""
    text = "la " * 30_000 + "and here, at last, the end.\n"
    store = SqliteStore.open(tmp_path / "p.claimmark")
    [doc] = store.add_documents([NewDocument(text=text, title="La", source="la.txt")])
    annotations = 12
    items = [
        {
            "id": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
            "type": "Annotation",
            "body": [{"type": "TextualBody", "purpose": "tagging", "value": "claim"}],
            "target": {
                "source": f"urn:sha256:{sha256_text(text)}",
                "selector": [
                    {
                        "type": "TextQuoteSelector",
                        "exact": "la",
                        "prefix": "la la la " if n % 2 else "ze la la ",  # half never occur
                        "suffix": " la la",
                    },
                    # Off by one: "a " is there, not the quote.
                    {
                        "type": "TextPositionSelector",
                        "start": 3 * n * 997 + 1,
                        "end": 3 * n * 997 + 3,
                    },
                ],
            },
        }
        for n in range(annotations)
    ]
    path = tmp_path / "la.jsonld"
    path.write_text(json.dumps(items), encoding="utf-8")
    counter = _Counter(monkeypatch)
    [(_, merge)] = import_paths(store, [path]).merges
    assert merge.highlights_added + merge.highlights_present == annotations
    per_annotation = counter.calls / annotations
    assert per_annotation <= 4 * anchoring.CANDIDATES, per_annotation
    for h in store.highlights():
        assert text[h.start : h.end] == "la"
        assert h.start % 3 == 0
    assert doc.id == 1
