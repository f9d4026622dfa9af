"""Finding text in every document of a project (Edit > Find in All Documents)."""

from __future__ import annotations

import re
from typing import NamedTuple

from desktop.core.store import ProjectStore

CONTEXT_CHARS = 40


class Hit(NamedTuple):
    document_id: int
    start: int  # code points, half-open
    end: int
    before: str  # up to CONTEXT_CHARS of the text around it, on one line
    after: str


def find_in_documents(store: ProjectStore, needle: str, limit: int = 2000) -> list[Hit]:
    """Where `needle` occurs (without regard to case) in the project's documents, in document
    order, at most `limit` hits."""
    if not needle.strip():
        return []
    pattern = re.compile(re.escape(needle), re.IGNORECASE)
    hits: list[Hit] = []
    for info in store.documents():
        text = store.text(info.id)
        for match in pattern.finditer(text):
            start, end = match.span()
            before = " ".join(text[max(0, start - CONTEXT_CHARS) : start].split("\n"))
            after = " ".join(text[end : end + CONTEXT_CHARS].split("\n"))
            hits.append(Hit(info.id, start, end, before, after))
            if len(hits) >= limit:
                return hits
    return hits
