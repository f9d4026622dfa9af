"""The core's operations: do, undo and redo take one path, return what they changed, and undo
of a compound change puts back all of it."""

from __future__ import annotations

import pytest

from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from desktop.core.store import ProjectStore
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


def test_redo_of_deleting_a_tag_renamed_since_takes_its_highlights_links_too(
    two: tuple[ProjectStore, ...],
) -> None:
    mine, theirs = two
    tag = mine.add_tag("question", "#009E73", "4")
    asked = mine.add_highlight(1, 0, 5, tag.id)
    answer = mine.add_highlight(1, 6, 10, 2)
    [link] = operations.AddLink(mine, answer.id, asked.id, 1).do(mine).links_added
    delete = operations.DeleteTag(tag)
    delete.do(mine)
    delete.undo(mine)
    operations.EditTag(theirs.tag(tag.id), "query", tag.colour, tag.key).do(theirs)
    redone = delete.do(mine)
    assert (redone.removed, redone.links_removed) == ((asked,), (link,))
    undone = delete.undo(mine)
    assert (undone.added, undone.links_added) == ((asked,), (link,))
    assert (theirs.tag(tag.id).name, theirs.links()) == ("query", [link])


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


@pytest.fixture
def two_docs(store: SqliteStore) -> tuple[int, int]:
    a, b = store.add_documents(
        [
            NewDocument(text="The mayor said crime fell by half.\n", title="A", source="a"),
            NewDocument(text="Police figures show a 3% rise.\n", title="B", source="b"),
        ]
    )
    return a.id, b.id


def test_undo_of_a_highlight_deletion_brings_its_links_back(
    store: SqliteStore, two_docs: tuple[int, int]
) -> None:
    a, b = two_docs
    claim = store.add_highlight(a, 4, 34, 1)
    evidence = store.add_highlight(b, 0, 30, 2)
    _supports, attacks = store.relation_types()
    link = operations.AddLink(store, evidence.id, claim.id, attacks.id)
    [made] = link.do(store).links_added
    assert (made.from_id, made.to_id, made.type_id) == (evidence.id, claim.id, attacks.id)
    delete = operations.DeleteHighlight(claim)
    assert delete.do(store) == Changes(removed=(claim,), links_removed=(made,))
    assert store.links() == []
    assert delete.undo(store) == Changes(added=(claim,), links_added=(made,))
    assert store.links() == [made]
    with pytest.raises(ClaimmarkError, match="already linked"):
        operations.AddLink(store, evidence.id, claim.id, attacks.id).do(store)


def test_undo_of_a_new_highlight_takes_the_links_made_to_it_since_and_redo_brings_them_back(
    two: tuple[ProjectStore, ...],
) -> None:
    """Another window (or a teammate) links to the highlight I just made; my undo deletes the
    highlight and, with it, their link: it says so, and redo puts both back."""
    mine, theirs = two
    claim = mine.add_highlight(1, 0, 5, 1)
    add = operations.AddHighlight(mine, 1, 6, 10, 2)
    [evidence] = add.do(mine).added
    [link] = operations.AddLink(theirs, evidence.id, claim.id, 1).do(theirs).links_added
    assert add.undo(mine) == Changes(removed=(evidence,), links_removed=(link,))
    assert theirs.links() == []
    assert add.do(mine) == Changes(added=(evidence,), links_added=(link,))
    assert theirs.links() == [link]
    assert theirs.highlight(evidence.id) == evidence


def test_deleting_a_document_takes_its_links_across_documents(
    store: SqliteStore, two_docs: tuple[int, int]
) -> None:
    a, b = two_docs
    claim = store.add_highlight(a, 4, 34, 1)
    evidence = store.add_highlight(b, 0, 30, 2)
    [made] = operations.AddLink(store, evidence.id, claim.id, 1).do(store).links_added
    op = operations.DeleteDocument(b, "B")
    assert op.do(store).links_removed == (made,)
    assert op.undo(store).links_added == (made,)
    assert store.links() == [made]


def test_deleting_a_link_type_and_undo(store: SqliteStore, two_docs: tuple[int, int]) -> None:
    a, b = two_docs
    claim, evidence = store.add_highlight(a, 4, 34, 1), store.add_highlight(b, 0, 30, 2)
    supports = store.relation_types()[0]
    [made] = operations.AddLink(store, evidence.id, claim.id, supports.id).do(store).links_added
    op = operations.DeleteRelationType(supports)
    assert op.do(store) == Changes(links_removed=(made,), relation_types=True)
    assert [t.name for t in store.relation_types()] == ["attacks"]
    assert op.undo(store) == Changes(links_added=(made,), relation_types=True)
    assert store.relation_types()[0] == supports


def test_verdicts_and_deleting_a_rating_of_the_scale(store: SqliteStore, doc: int) -> None:
    claim = store.add_highlight(doc, 0, 5, 1)
    false = next(r for r in store.ratings() if r.name == "False")
    verdict = operations.SetRating(claim, false)
    [(_, rated)] = verdict.do(store).changed
    assert rated.rating_id == false.id
    delete = operations.DeleteRating(false)
    [(before, after)] = delete.do(store).changed
    assert (before.rating_id, after.rating_id) == (false.id, None)
    assert store.highlight(claim.id).rating_id is None
    delete.undo(store)
    assert store.highlight(claim.id).rating_id == false.id
    [(_, cleared)] = verdict.undo(store).changed
    assert cleared == claim


def test_undo_of_deleting_a_rating_leaves_a_verdict_given_since(
    two: tuple[ProjectStore, ...],
) -> None:
    mine, theirs = two
    false, true = (next(r for r in mine.ratings() if r.name == n) for n in ("False", "True"))
    first, second = (
        mine.set_rating(mine.add_highlight(1, start, end, 1).id, false.id)
        for start, end in [(0, 5), (6, 10)]
    )
    delete = operations.DeleteRating(false)
    delete.do(mine)
    [(_, judged)] = operations.SetRating(theirs.highlight(second.id), true).do(theirs).changed
    undone = delete.undo(mine)
    assert undone == Changes(changed=((first._replace(rating_id=None), first),), ratings=True)
    assert delete.kept == [second]
    assert theirs.highlights() == [first, judged]
    # Redo takes it from the claim that has it again, and its undo gives it back.
    assert delete.do(mine).changed == ((first, first._replace(rating_id=None)),)
    assert delete.undo(mine).changed == ((first._replace(rating_id=None), first),)
    assert delete.kept == []


def test_undo_of_adding_a_rating_given_since_is_refused_and_writes_nothing(
    two: tuple[ProjectStore, ...],
) -> None:
    mine, theirs = two
    add = operations.AddRating("Satire", 0, "#777777", "")
    add.do(mine)
    rated = theirs.set_rating(theirs.add_highlight(1, 0, 5, 1).id, add.rating.id)
    seen = theirs.data_version()
    with pytest.raises(ClaimmarkError, match="given since"):
        add.undo(mine)
    assert theirs.data_version() == seen  # no transaction committed
    assert theirs.highlights() == [rated]
    assert theirs.rating(add.rating.id) == add.rating


def test_the_summary_knows_every_link(store: SqliteStore, two_docs: tuple[int, int]) -> None:
    a, b = two_docs
    claim, evidence = store.add_highlight(a, 4, 34, 1), store.add_highlight(b, 0, 30, 2)
    summary = ProjectSummary(store)
    op = operations.AddLink(store, evidence.id, claim.id, 1)
    summary.apply(op.do(store), store)
    assert summary.links_of(claim.id) == summary.links_of(evidence.id) == [op.link]
    summary.apply(operations.DeleteHighlight(evidence).do(store), store)
    assert (summary.links_of(claim.id), summary.linked()) == ([], set())
    assert [r.name for r in summary.ratings][:2] == ["True", "Mostly true"]


def test_marking_done_and_deleting_the_document(store: SqliteStore, doc: int) -> None:
    done = operations.MarkDone(store, doc, True)
    assert done.do(store) == Changes(progress=True)
    [(key, when)] = store.done().items()
    assert key == ("tester", doc)
    assert store.annotators() == ["tester"]
    delete = operations.DeleteDocument(doc, "T")
    delete.do(store)
    assert store.done() == {}
    delete.undo(store)
    assert store.done() == {key: when}
    done.undo(store)
    assert store.done() == {}
