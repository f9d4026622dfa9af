"""Curation in the core: a decision copies one annotator's version as gold (or none), records
the passage as settled, and undoes exactly; the gold version exports like any annotator's."""

from __future__ import annotations

import json

from desktop.cli import main
from desktop.core import curation, operations
from desktop.core.model import HighlightFilter, NewDocument
from desktop.core.project import open_project
from desktop.core.sqlite_store import SqliteStore

TEXT = "The mayor said crime fell by half. Police figures show a rise.\n"


def test_settle_copies_a_version_as_gold_and_undoes(store: SqliteStore, capsys) -> None:  # type: ignore[no-untyped-def]
    [doc] = store.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    for name, (start, end, tag) in {"ana": (0, 33, 1), "bob": (15, 33, 2)}.items():
        store.annotator = name
        store.add_highlight(doc.id, start, end, tag)
    result, gold = curation.disagreements(store)
    assert gold == "gold"
    # Two runs differ ([0, 15): ana's claim only; [15, 33): claim or evidence), joined by ana's
    # highlight: one decision.
    assert len(result.disagreements) == 2
    passages = curation.decisions(result.disagreements)
    assert [(p.start, p.end) for p in passages] == [(0, 33)]
    op = curation.Settle(passages[0], "ana", gold)
    changes = op.do(store)
    [copy] = changes.added
    assert (copy.annotator, copy.start, copy.end, copy.tag_id) == ("gold", 0, 33, 1)
    assert curation.settled(store) == {(doc.id, passages[0].start, passages[0].end)}
    # Gold does not count in the agreement it settles.
    again, _ = curation.disagreements(store)
    assert again.annotators == ("ana", "bob")
    op.undo(store)
    assert store.highlights(HighlightFilter(annotators=("gold",))) == []
    assert curation.settled(store) == set()
    assert op.do(store).added == (copy,)  # redo: the same gold highlight
    store.close()
    assert main(["export", "--db", store.location, "--annotator", "gold"]) == 0
    exported = json.loads(capsys.readouterr().out)
    assert [(h["annotator"], h["quote"]) for h in exported["highlights"]] == [("gold", TEXT[0:33])]


def test_undo_of_a_decision_takes_the_links_made_to_its_gold_copies_and_redo_brings_them_back(
    location: str,
) -> None:
    store = open_project(location)
    try:
        [doc] = store.add_documents([NewDocument(text=TEXT, title="T", source="t")])
        for name, (start, end, tag) in {"ana": (0, 33, 1), "bob": (15, 33, 2)}.items():
            store.annotator = name
            store.add_highlight(doc.id, start, end, tag)
        [bobs] = store.highlights(HighlightFilter(annotators=("bob",)))
        result, gold = curation.disagreements(store)
        [passage] = curation.decisions(result.disagreements)
        op = curation.Settle(passage, "ana", gold)
        [copy] = op.do(store).added
        store.annotator = gold
        [link] = operations.AddLink(store, bobs.id, copy.id, 2).do(store).links_added
        undone = op.undo(store)
        assert (undone.removed, undone.links_removed) == ((copy,), (link,))
        assert store.links() == []
        redone = op.do(store)
        assert (redone.added, redone.links_added) == ((copy,), (link,))
        assert store.links() == [link]
    finally:
        store.close()
