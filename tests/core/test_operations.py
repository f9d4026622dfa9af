"""The core's operations: do, undo and redo take one path, return what they changed, and undo
of a compound change puts back all of it."""

from __future__ import annotations

import pytest

from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from desktop.core.summary import ProjectSummary


@pytest.fixture
def doc(store: SqliteStore) -> int:
    [info] = store.add_documents(
        [NewDocument(text="Alpha beta gamma.\nDelta 🇺🇦 epsilon.\n", title="T", source="t")]
    )
    return info.id


def test_add_highlight_redo_stores_the_same_record(store: SqliteStore, doc: int) -> None:
    op = operations.AddHighlight(store, doc, 0, 5, 1)
    assert op.label == "Highlight as claim"
    [made] = op.do(store).added
    assert (made.quote, made.annotator) == ("Alpha", "tester")
    assert op.undo(store) == Changes(removed=(made,))
    assert store.highlights() == []
    assert op.do(store) == Changes(added=(made,))  # same id, uuid and times
    assert store.highlights() == [made]


def test_change_undo_keeps_what_another_window_changed(store: SqliteStore, doc: int) -> None:
    h = store.add_highlight(doc, 0, 5, 1, note="first")
    retag = operations.ChangeHighlight(h, tag_id=2)
    [(before, after)] = retag.do(store).changed
    assert (before.tag_id, after.tag_id) == (1, 2)
    store.update_highlight(h.id, note="edited elsewhere")
    [(_, undone)] = retag.undo(store).changed
    assert (undone.tag_id, undone.note, undone.updated_at) == (1, "edited elsewhere", h.updated_at)
    [(_, redone)] = retag.do(store).changed
    assert (redone.tag_id, redone.updated_at) == (2, after.updated_at)


def test_delete_tag_undo_restores_its_highlights(store: SqliteStore, doc: int) -> None:
    tag = store.add_tag("question", "#009E73", "4")
    mine = store.add_highlight(doc, 0, 5, tag.id)
    store.annotator = "other"
    theirs = store.add_highlight(doc, 6, 10, tag.id)
    op = operations.DeleteTag(tag)
    changes = op.do(store)
    assert changes.tags
    assert set(changes.removed) == {mine, theirs}
    assert store.highlights() == []
    restored = op.undo(store)
    assert set(restored.added) == {mine, theirs}
    assert store.tag(tag.id) == tag
    assert set(store.highlights()) == {mine, theirs}


def test_delete_document_undo_restores_it_with_its_highlights(store: SqliteStore, doc: int) -> None:
    h = store.add_highlight(doc, 0, 5, 1)
    op = operations.DeleteDocument(doc, "T")
    assert op.do(store) == Changes(removed=(h,), documents=True)
    assert store.documents() == []
    assert op.undo(store) == Changes(added=(h,), documents=True)
    assert store.text(doc).startswith("Alpha")
    assert store.highlights() == [h]


def test_an_undo_that_cannot_be_done_changes_nothing(store: SqliteStore, doc: int) -> None:
    op = operations.AddTag("question", "#009E73", "")
    op.do(store)
    store.add_highlight(doc, 0, 5, op.tag.id)  # someone used the new tag meanwhile
    with pytest.raises(ClaimmarkError, match="now holds 1 highlight"):
        op.undo(store)
    assert store.tag(op.tag.id) == op.tag
    assert len(store.highlights()) == 1


def test_the_summary_follows_change_records(store: SqliteStore, doc: int) -> None:
    summary = ProjectSummary(store)
    assert (summary.total, summary.counts(doc)) == (0, {})
    ops = [operations.AddHighlight(store, doc, n, n + 3, 1 + n % 2) for n in range(4)]
    for op in ops:
        summary.apply(op.do(store), store)
    assert summary.counts(doc) == {1: 2, 2: 2}
    summary.apply(operations.ChangeHighlight(ops[0].highlight, tag_id=3).do(store), store)
    assert summary.counts(doc) == {1: 1, 2: 2, 3: 1}
    summary.apply(operations.DeleteDocument(doc, "T").do(store), store)
    assert (summary.total, summary.counts(doc), summary.documents) == (0, {}, [])
    fresh = ProjectSummary(store)
    assert (fresh.total, fresh.tags) == (summary.total, summary.tags)
