"""Curation: settling the annotators' disagreements into one gold version.

A curator goes through the passages where annotators differ (agreement.py finds them; those a
highlight joins are one decision) and, for each, accepts one annotator's version (their
highlights there are copied as the gold annotator's), or none (the gold version has no
highlight there). Each decision is one operation, undoable, and the passage is recorded as
settled in the project's settings, so progress ("12 of 40 settled") survives a restart and is
the same for everyone on a server.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from desktop.core.agreement import AgreementResult, Disagreement, compute_agreement, marks_of
from desktop.core.changes import Changes
from desktop.core.model import Highlight, HighlightFilter, Link
from desktop.core.store import ProjectStore
from desktop.core.timeutil import utc_now

GOLD_SETTING = "curation/gold"
DEFAULT_GOLD = "gold"
_SETTLED = "curation/settled/"  # + "document/start/end": when it was settled ("" when undone)


def gold_name(store: ProjectStore) -> str:
    """The annotator name curated highlights are recorded under."""
    return store.setting(GOLD_SETTING) or DEFAULT_GOLD


def _key(d: Disagreement) -> str:
    return f"{_SETTLED}{d.document_id}/{d.start}/{d.end}"


def settled(store: ProjectStore) -> set[tuple[int, int, int]]:
    """The passages settled so far: (document id, start, end)."""
    found = set()
    for key, value in store.settings().items():
        if key.startswith(_SETTLED) and value:
            document, start, end = key[len(_SETTLED) :].split("/")
            found.add((int(document), int(start), int(end)))
    return found


def disagreements(store: ProjectStore) -> tuple[AgreementResult, str]:
    """Agreement among everyone but the gold annotator, and the gold annotator's name (the
    passages to decide are `decisions(result.disagreements)`)."""
    gold = gold_name(store)
    with store.snapshot():
        lengths = {d.id: d.length for d in store.documents()}
        names = {t.id: t.name for t in store.tags()}
        marks = [m for m in marks_of(store.highlight_rows(), names) if m.annotator != gold]
        done = [key for key in store.done() if key[0] != gold]
    return compute_agreement(lengths, marks, done), gold


def decisions(passages: Iterable[Disagreement]) -> list[Disagreement]:
    """The passages to decide, each once: neighbouring disagreements that a highlight spans are
    one decision (accepting a version copies whole highlights, so deciding them apart would
    undo each other)."""
    merged: list[Disagreement] = []
    for d in passages:
        last = merged[-1] if merged else None
        ids = {i for held in d.highlights.values() for i in held}
        if (
            last is not None
            and last.document_id == d.document_id
            and last.end >= d.start
            and ids & {i for held in last.highlights.values() for i in held}
        ):
            said = {
                who: tuple(sorted(set(last.said.get(who, ())) | set(d.said.get(who, ()))))
                for who in last.said.keys() | d.said.keys()
            }
            held = {
                who: tuple(
                    dict.fromkeys((*last.highlights.get(who, ()), *d.highlights.get(who, ())))
                )
                for who in last.highlights.keys() | d.highlights.keys()
            }
            merged[-1] = Disagreement(last.document_id, last.start, d.end, said, held)
        else:
            merged.append(d)
    return merged


def _overlaps(h: Highlight, passage: Disagreement) -> bool:
    return h.document_id == passage.document_id and h.start < passage.end and h.end > passage.start


class Settle:
    """Settle a passage: the gold version there becomes `annotator`'s (None: no highlight).
    Links made to its gold copies since go with them when it is undone, and come back on redo."""

    def __init__(self, passage: Disagreement, annotator: str | None, gold: str) -> None:
        self.passage = passage
        self.annotator = annotator
        self.gold = gold
        self.settled_at = utc_now()
        self.removed: list[Highlight] = []
        self.links: list[Link] = []  # of the gold highlights it removed
        self.added: list[Highlight] = []
        self.added_links: list[Link] = []  # made to its gold copies since, taken by the undo
        self.label = f"Settle: {annotator}'s version" if annotator else "Settle: no highlight"

    def _around(self, store: ProjectStore, annotator: str) -> list[Highlight]:
        where = HighlightFilter(document_ids=(self.passage.document_id,), annotators=(annotator,))
        return [h for h in store.iter_highlights(where) if _overlaps(h, self.passage)]

    def do(self, store: ProjectStore) -> Changes:
        with store.batch():
            self.removed = self._around(store, self.gold)
            self.links = store.links_touching([h.id for h in self.removed])
            for h in self.removed:
                store.delete_highlight(h.id)
            chosen = self._around(store, self.annotator) if self.annotator else []
            if not self.added:  # the first time: the gold copies, kept for redo
                self.added = [_gold_copy(h, self.gold) for h in chosen]
            self.added = [store.insert_highlight(h) for h in self.added]
            added_links = store.insert_links(self.added_links)  # on redo
            store.set_setting(_key(self.passage), self.settled_at)
        return Changes(
            added=tuple(self.added),
            removed=tuple(self.removed),
            links_added=tuple(added_links),
            links_removed=tuple(self.links),
            progress=True,
        )

    def undo(self, store: ProjectStore) -> Changes:
        with store.batch():
            self.added_links = store.links_touching([h.id for h in self.added])
            for h in self.added:
                store.delete_highlight(h.id)
            for h in self.removed:
                store.insert_highlight(h)
            links = store.insert_links(self.links)
            store.set_setting(_key(self.passage), "")
        return Changes(
            added=tuple(self.removed),
            removed=tuple(self.added),
            links_added=tuple(links),
            links_removed=tuple(self.added_links),
            progress=True,
        )


def _gold_copy(h: Highlight, gold: str) -> Highlight:
    now = utc_now()
    return h._replace(id=0, uuid=str(uuid.uuid4()), annotator=gold, created_at=now, updated_at=now)


def versions_at(store: ProjectStore, passage: Disagreement) -> dict[str, list[Highlight]]:
    """Each annotator's highlights overlapping a passage, by annotator."""
    where = HighlightFilter(document_ids=(passage.document_id,))
    found: dict[str, list[Highlight]] = {name: [] for name in passage.said}
    for h in store.iter_highlights(where):
        if h.annotator in found and _overlaps(h, passage):
            found[h.annotator].append(h)
    return found


def open_passages(
    passages: Iterable[Disagreement], done: set[tuple[int, int, int]]
) -> list[Disagreement]:
    """Those of `passages` not settled yet, in document order."""
    return [d for d in passages if (d.document_id, d.start, d.end) not in done]
