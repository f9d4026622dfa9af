"""The ProjectStore contract: what every store must do, whatever stands behind it.

Each test runs against every backend in BACKENDS (a project file, and a project on a PostgreSQL
server), through the interface only: no SQL, no files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop.core.errors import ClaimmarkError, Conflict, NotFound, ProjectError
from desktop.core.model import HighlightFilter, Link, NewDocument, Tag
from desktop.core.project import is_server_location, open_project
from desktop.core.store import ProjectStore

BACKENDS = ["file", "server"]

Opener = Callable[[], ProjectStore]


@pytest.fixture(params=BACKENDS)
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens a connection to one new project (each call another connection to the same one)."""
    if request.param == "server":
        location = request.getfixturevalue("pg_location")
    else:
        location = str(tmp_path / "contract.claimmark")
    opened: list[ProjectStore] = []

    def opener() -> ProjectStore:
        s = open_project(location)
        s.annotator = "tester"
        opened.append(s)
        return s

    yield opener
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store: Opener) -> ProjectStore:
    return open_store()


def _doc(text: str = "Alpha beta gamma.\nDelta 🇺🇦 epsilon.\n", title: str = "T") -> NewDocument:
    return NewDocument(text=text, title=title, source="t.txt")


def test_new_project_has_the_three_default_tags(store: ProjectStore) -> None:
    tags = store.tags()
    assert [(t.name, t.key) for t in tags] == [("claim", "1"), ("evidence", "2"), ("opinion", "3")]
    assert len({t.colour for t in tags}) == 3


def test_documents_are_stored_with_metadata_and_deduplicated(store: ProjectStore) -> None:
    doc = NewDocument(
        text="Hello\n",
        title="Hi",
        source="f.txt",
        source_offset=7,
        author="A",
        outlet="O",
        published="2024-01-02",
    )
    [info] = store.add_documents([doc])
    assert (info.title, info.author, info.outlet, info.published) == ("Hi", "A", "O", "2024-01-02")
    assert (info.source, info.source_offset, info.length) == ("f.txt", 7, 6)
    assert info.imported_at.endswith("Z")
    assert store.document(info.id).text == "Hello\n"
    assert store.add_documents([doc]) == []
    assert len(store.documents()) == 1


def test_a_documents_url_and_page_map_are_kept(store: ProjectStore) -> None:
    pages = NewDocument(
        text="Page one.\nPage two.\n\fPage three.\n",
        title="Report",
        source="report.pdf",
        url="https://example.org/report.pdf",
        page_starts=(0, 10, 21),
    )
    info, plain = store.add_documents([pages, _doc()])
    assert (info.url, info.page_starts) == ("https://example.org/report.pdf", (0, 10, 21))
    assert store.documents() == [info, plain]
    assert store.document(info.id).info == info
    assert (plain.url, plain.page_starts) == ("", ())
    doc, removed = store.delete_document(info.id)
    store.restore_document(doc, removed)
    assert store.document(info.id).info == info


def test_highlight_offsets_are_code_points(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    text = store.document(info.id).text
    start = text.index("🇺🇦")
    h = store.add_highlight(info.id, start, start + 10, 1, note="flag")
    assert h.quote == text[start : start + 10] == "🇺🇦 epsilon"
    assert h.prefix == text[max(0, start - 32) : start]
    assert h.suffix == text[start + 10 : start + 42]
    assert (h.annotator, h.note, h.tag_id) == ("tester", "flag", 1)
    assert h.created_at == h.updated_at
    assert len(h.uuid) == 36


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (3, 3), (5, 2), (0, 10_000)])
def test_highlight_outside_the_text_is_refused(store: ProjectStore, start: int, end: int) -> None:
    [info] = store.add_documents([_doc()])
    with pytest.raises(ClaimmarkError):
        store.add_highlight(info.id, start, end, 1)
    assert store.highlights() == []


def test_retag_note_delete_and_restore(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    h = store.add_highlight(info.id, 0, 5, 1)
    assert store.update_highlight(h.id, tag_id=2).tag_id == 2
    assert store.update_highlight(h.id, note="why").note == "why"
    removed = store.delete_highlight(h.id)
    with pytest.raises(NotFound):
        store.highlight(h.id)
    assert store.insert_highlights([removed], keep_ids=True) == 1
    assert store.highlight(h.id) == removed
    # The same highlight again is skipped, by its uuid.
    assert store.insert_highlights([removed], keep_ids=False) == 0


def test_filters(store: ProjectStore) -> None:
    a, b = store.add_documents([_doc("one two three\n", "A"), _doc("four five six\n", "B")])
    store.add_highlight(a.id, 0, 3, 1, note="Numbers")
    store.add_highlight(a.id, 4, 7, 2)
    store.add_highlight(b.id, 0, 4, 3)
    assert len(store.highlights()) == 3
    assert [h.quote for h in store.highlights(HighlightFilter(tag_names=("evidence",)))] == ["two"]
    assert [h.quote for h in store.highlights(HighlightFilter(document_ids=(b.id,)))] == ["four"]
    assert [h.quote for h in store.highlights(HighlightFilter(text="NUMB"))] == ["one"]
    assert store.highlights(HighlightFilter(annotators=("nobody",))) == []
    assert store.highlight_counts() == {a.id: {1: 1, 2: 1}, b.id: {3: 1}}
    assert [(start, end) for start, end, *_ in store.spans(a.id)] == [(0, 3), (4, 7)]


def test_tags_add_edit_reorder_delete_restore(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    tag = store.add_tag("question", "#009e73", "4")
    assert (tag.colour, tag.position) == ("#009E73", 3)
    with pytest.raises(ClaimmarkError, match="already a tag"):
        store.add_tag("Claim", "#000000")
    with pytest.raises(ClaimmarkError, match="already used"):
        store.add_tag("other", "#000000", "1")
    with pytest.raises(ClaimmarkError, match="colour"):
        store.add_tag("other", "red")
    assert store.update_tag(tag.id, name="query", key="q").name == "query"
    store.set_tag_order([tag.id, 1, 2, 3])
    assert [t.name for t in store.tags()] == ["query", "claim", "evidence", "opinion"]
    h = store.add_highlight(info.id, 0, 5, tag.id)
    deleted, highlights = store.delete_tag(tag.id)
    assert highlights == [h]
    assert store.highlights() == []
    store.restore_tag(deleted, highlights)
    assert store.highlights() == [h]
    assert store.tag(tag.id) == deleted


def test_batch_is_one_transaction(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])

    def two_then_fail() -> None:
        with store.batch():
            store.add_highlight(info.id, 0, 5, 1)
            store.add_highlight(info.id, 6, 10, 1)
            raise RuntimeError("stop")

    with pytest.raises(RuntimeError):
        two_then_fail()
    assert store.highlights() == []


def test_delete_and_restore_a_document_keeps_ids(store: ProjectStore) -> None:
    a, b = store.add_documents([_doc("one two three\n", "A"), _doc("four five six\n", "B")])
    h = store.add_highlight(b.id, 0, 4, 1)
    doc, removed = store.delete_document(b.id)
    assert removed == [h]
    assert [d.id for d in store.documents()] == [a.id]
    [c] = store.add_documents([_doc("seven\n", "C")])
    assert c.id > b.id  # ids are never given out again
    store.restore_document(doc, removed)
    assert store.document(b.id) == doc
    assert store.highlights() == [h]
    with pytest.raises(ClaimmarkError, match="again already"):
        store.restore_document(doc, removed)


def test_insert_highlight_gives_an_id_once_and_keeps_it(store: ProjectStore) -> None:
    """Redo stores the very record the first do made: same id, same uuid."""
    [info] = store.add_documents([_doc()])
    made = store.add_highlight(info.id, 0, 5, 1)
    assert made.id > 0
    removed = store.delete_highlight(made.id)
    assert store.insert_highlight(removed) == made
    with pytest.raises(ClaimmarkError, match="already"):
        store.insert_highlight(removed)


def test_update_highlight_keeps_the_other_field(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    h = store.add_highlight(info.id, 0, 5, 1, note="kept")
    after = store.update_highlight(h.id, tag_id=2, updated_at="2026-01-01T00:00:00.000Z")
    assert (after.tag_id, after.note, after.updated_at) == (2, "kept", "2026-01-01T00:00:00.000Z")
    store.delete_highlight(h.id)
    with pytest.raises(NotFound):
        store.update_highlight(h.id, note="gone")


def test_text_is_the_document_text(store: ProjectStore) -> None:
    a, b = store.add_documents([_doc("one\n", "A"), _doc("two\n", "B")])
    assert (store.text(a.id), store.text(b.id), store.text(a.id)) == ("one\n", "two\n", "one\n")


def test_another_connection_sees_each_commit_and_the_data_version_tells(
    open_store: Opener,
) -> None:
    mine, theirs = open_store(), open_store()
    seen = mine.data_version()
    [info] = theirs.add_documents([_doc()])
    theirs.add_highlight(info.id, 0, 5, 1)
    assert mine.data_version() != seen
    assert [h.quote for h in mine.highlights()] == ["Alpha"]
    seen = mine.data_version()
    mine.add_highlight(info.id, 6, 10, 1)  # its own commits do not count
    assert mine.data_version() == seen


def test_snapshot_reads_one_state(open_store: Opener) -> None:
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc()])
    with mine.snapshot():
        before = mine.highlights()
        theirs.add_highlight(info.id, 0, 5, 1)
        assert mine.highlights() == before
    assert len(mine.highlights()) == 1


def test_backups(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    store.add_highlight(info.id, 0, 5, 1)
    if is_server_location(store.location):  # backed up on the server, not by the window
        assert store.backups() == []
        assert not store.changed_since_backup()
        with pytest.raises(ProjectError, match="pg_dump"):
            store.make_backup()
        return
    assert store.backups() == []
    assert store.changed_since_backup()
    store.make_backup()
    [made] = store.backups()
    assert (made.documents, made.highlights) == (1, 1)
    assert not store.changed_since_backup()


# Versions of a document, and orphans ---------------------------------------------------------


def test_a_new_version_replaces_the_text_and_keeps_the_old_one(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    h = store.add_highlight(info.id, 0, 5, 1)
    new = NewDocument(
        text="Alpha and beta.\n",
        title="T2",
        source="t2.pdf",
        url="https://x.test/t",
        page_starts=(0, 6),
    )
    version = store.update_document(info.id, new, "2030-01-02T03:04:05.000Z")
    assert version.document_id == info.id
    assert (version.document.info, version.document.text) == (info, _doc().text)
    assert version.replaced_at == "2030-01-02T03:04:05.000Z"
    [now] = store.documents()
    assert (now.id, now.title, now.source, now.url, now.page_starts) == (
        info.id,
        "T2",
        "t2.pdf",
        "https://x.test/t",
        (0, 6),
    )
    assert (now.length, now.imported_at) == (16, "2030-01-02T03:04:05.000Z")
    assert store.text(info.id) == store.document(info.id).text == new.text
    assert store.highlight(h.id) == h  # the caller places the highlights
    assert store.document_versions(info.id) == [version]
    store.restore_version(version)
    assert store.document(info.id).info == info
    assert store.text(info.id) == _doc().text
    assert store.document_versions(info.id) == []
    with pytest.raises(NotFound):
        store.restore_version(version)


def test_a_version_must_have_new_text_that_no_other_document_has(store: ProjectStore) -> None:
    a, b = store.add_documents([_doc("one\n", "A"), _doc("two\n", "B")])
    with pytest.raises(ClaimmarkError, match="has this text already"):
        store.update_document(a.id, _doc("one\n", "A again"))
    with pytest.raises(ClaimmarkError, match="as document"):
        store.update_document(a.id, _doc("two\n", "B's text"))
    assert store.documents() == [a, b]
    assert store.document_versions(a.id) == []


def test_a_version_is_not_put_back_when_another_document_has_its_text_now(
    store: ProjectStore,
) -> None:
    [a] = store.add_documents([_doc("one\n", "A")])
    version = store.update_document(a.id, _doc("two\n", "A"))
    [b] = store.add_documents([_doc("one\n", "B")])
    with pytest.raises(ClaimmarkError, match=f"in the project again, as document {b.id} “B”"):
        store.restore_version(version)
    assert store.text(a.id) == "two\n"
    assert store.document_versions(a.id) == [version]


def test_deleting_a_document_deletes_its_versions_and_they_can_be_put_back(
    store: ProjectStore,
) -> None:
    [info] = store.add_documents([_doc("one\n")])
    first = store.update_document(info.id, _doc("two\n"))
    second = store.update_document(info.id, _doc("three\n"))
    assert store.document_versions(info.id) == [first, second]
    doc, highlights = store.delete_document(info.id)
    store.restore_document(doc, highlights)
    assert store.document_versions(info.id) == []
    store.restore_document_versions([first, second])
    assert store.document_versions(info.id) == [first, second]


def test_orphans_are_kept_but_not_placed_anywhere(store: ProjectStore) -> None:
    a, b = store.add_documents([_doc("one two three\n", "A"), _doc("four five six\n", "B")])
    one = store.add_highlight(a.id, 0, 3, 1, note="Numbers")
    two = store.add_highlight(a.id, 4, 7, 2)
    four = store.add_highlight(b.id, 0, 4, 3)
    version = store.update_document(a.id, _doc("one 2 three\n", "A"))
    [orphan] = store.set_highlight_places([two._replace(orphaned_version=version.id)])
    assert orphan.orphaned
    assert orphan == two._replace(orphaned_version=version.id)
    assert store.highlight(two.id) == orphan
    assert store.highlights() == [one, four]
    assert store.highlights(HighlightFilter(orphaned=True)) == [orphan]
    assert store.highlights(HighlightFilter(orphaned=None)) == [one, orphan, four]
    assert [s[2] for s in store.spans(a.id)] == [one.id]
    assert sorted(r[0] for r in store.highlight_rows()) == sorted([one.id, four.id])
    assert store.highlight_counts() == {a.id: {1: 1}, b.id: {3: 1}}
    assert set(store.highlight_places([one.id, two.id])) == {one.id}
    assert store.highlight_ids_matching("tw") == set()
    assert store.orphans() == store.orphans(a.id) == [orphan]
    assert store.orphans(b.id) == []
    assert store.orphan_counts() == {a.id: 1}
    # Deleted and put back, it is an orphan still.
    store.delete_highlight(two.id)
    assert store.orphans() == []
    store.insert_highlight(orphan)
    assert store.orphans() == [orphan]


def test_placing_a_highlight_needs_its_quote_there(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc("one two three\n")])
    h = store.add_highlight(info.id, 0, 3, 1)
    gone = store.add_highlight(info.id, 4, 7, 1)
    store.delete_highlight(gone.id)
    moved = h._replace(start=4, end=7, quote="two", prefix="one ", suffix=" three\n")
    assert store.set_highlight_places([moved, gone]) == [moved]  # a deleted one is skipped
    assert store.highlight(h.id) == moved
    with pytest.raises(ClaimmarkError, match="its text is not there"):
        store.set_highlight_places([moved._replace(start=0, end=3)])
    with pytest.raises(ClaimmarkError, match="its text is not there"):
        store.set_highlight_places([moved._replace(start=8, end=80, quote="three\n")])
    assert store.highlight(h.id) == moved


def test_placed_counts_and_spans_leave_orphans_out(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc("one two three\n")])
    one = store.add_highlight(info.id, 0, 3, 1)
    store.annotator = "other"
    two = store.add_highlight(info.id, 4, 7, 2)
    three = store.add_highlight(info.id, 8, 13, 1)
    assert store.annotator_counts() == {
        (info.id, "tester"): {1: 1},
        (info.id, "other"): {2: 1, 1: 1},
    }
    version = store.update_document(info.id, _doc("one 2 three\n"))
    store.set_highlight_places([two._replace(orphaned_version=version.id)])
    assert store.spans(info.id) == [
        (0, 3, one.id, 1, None, "tester"),
        (8, 13, three.id, 1, None, "other"),
    ]
    assert store.annotator_counts() == {(info.id, "tester"): {1: 1}, (info.id, "other"): {1: 1}}


def test_another_connection_reads_a_documents_new_text(open_store: Opener) -> None:
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc("one two three\n")])
    assert mine.text(info.id) == "one two three\n"
    theirs.update_document(info.id, _doc("one 2 three\n"))
    assert mine.text(info.id) == mine.document(info.id).text == "one 2 three\n"
    assert mine.add_highlight(info.id, 4, 5, 1).quote == "2"  # from the new text, not the old


def test_an_update_from_a_stale_reading_is_refused(open_store: Opener) -> None:
    """Two people update one document, both from the text they read: the second is refused,
    and so is the undo of the first once the second is made."""
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc("one\n")])
    first = theirs.update_document(info.id, _doc("two\n"), expected=info)
    with pytest.raises(Conflict):
        mine.update_document(info.id, _doc("three\n"), expected=info)
    now = mine.document(info.id).info
    assert mine.text(info.id) == "two\n"
    assert mine.document_versions(info.id) == [first]
    second = mine.update_document(info.id, _doc("three\n"), expected=now)
    with pytest.raises(Conflict):
        theirs.restore_version(first, expected=now)
    assert theirs.document_versions(info.id) == [first, second]
    theirs.restore_version(second, expected=mine.document(info.id).info)
    assert theirs.text(info.id) == "two\n"


def test_places_are_set_only_from_where_the_highlights_were_read(open_store: Opener) -> None:
    """A move made from a reading of a highlight's place is refused if someone moved or deleted
    it since; a retag or a note made meanwhile is no conflict, and stays."""
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc("one two three two\n")])
    h = mine.add_highlight(info.id, 4, 7, 1)
    version = theirs.update_document(info.id, _doc("one 2 three two\n"))
    orphaned = h._replace(orphaned_version=version.id, updated_at="2030-01-01T00:00:00.000Z")
    retagged = theirs.update_highlight(h.id, tag_id=2, note="why")
    [stored] = mine.set_highlight_places([orphaned], expected=[h])
    assert stored == orphaned._replace(tag_id=2, note="why")
    placed = stored._replace(start=12, end=15, prefix="one 2 three ", suffix="\n")
    with pytest.raises(Conflict):  # made from the place it had before it became an orphan
        theirs.set_highlight_places([placed], expected=[retagged])
    assert mine.highlight(h.id) == stored
    assert theirs.set_highlight_places([placed], expected=[stored]) == [placed]
    mine.delete_highlight(h.id)
    with pytest.raises(NotFound):
        theirs.set_highlight_places([stored], expected=[placed])
    assert theirs.set_highlight_places([stored]) == []  # without `expected`, skipped


def test_a_change_made_from_a_stale_record_is_refused(open_store: Opener) -> None:
    """Two people change the same highlight: the second change, made from the record as it was
    before the first, is refused and writes nothing."""
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc()])
    seen = mine.add_highlight(info.id, 0, 5, 1)
    now = theirs.update_highlight(seen.id, tag_id=2, expected=seen)
    with pytest.raises(Conflict):
        mine.update_highlight(seen.id, note="mine", expected=seen)
    with pytest.raises(Conflict):
        mine.set_rating(seen.id, mine.ratings()[0].id, expected=seen)
    with pytest.raises(Conflict):
        mine.delete_highlight(seen.id, expected=seen)
    assert mine.highlight(seen.id) == now
    # From the record as it is now, the change is made.
    after = mine.update_highlight(seen.id, note="mine", expected=now)
    assert (after.tag_id, after.note) == (2, "mine")
    assert mine.delete_highlight(seen.id, expected=after) == after
    with pytest.raises(NotFound):
        theirs.update_highlight(seen.id, note="late", expected=after)


def test_links_with_their_types(open_store: Opener) -> None:
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc()])
    a = mine.add_highlight(info.id, 0, 5, 1)
    b = mine.add_highlight(info.id, 6, 10, 2)
    supports, attacks = (t.id for t in mine.relation_types())
    made = mine.insert_link(Link(0, "u-1", b.id, a.id, supports, "", "tester", "t", "t"))
    assert made.id > 0
    assert mine.links() == [made]
    with pytest.raises(ClaimmarkError, match="already linked"):
        mine.insert_link(made._replace(id=0, uuid="u-2"))
    assert mine.links_touching([a.id]) == [made]
    assert mine.relation_type_usage(supports) == 1
    changed = theirs.update_link(made.id, type_id=attacks, expected=made)
    with pytest.raises(Conflict):
        mine.update_link(made.id, note="stale", expected=made)
    with pytest.raises(Conflict):
        mine.delete_link(made.id, expected=made)
    assert mine.delete_link(made.id, expected=changed) == changed
    assert mine.insert_links([changed]) == [changed]
    mine.delete_highlight(a.id)  # its links go with it
    assert mine.links() == []
    assert mine.insert_links([changed]) == []  # its highlight is gone


def test_ratings_progress_settings_and_annotators(store: ProjectStore) -> None:
    [info] = store.add_documents([_doc()])
    h = store.add_highlight(info.id, 0, 5, 1)
    best = store.ratings()[0]
    rated = store.set_rating(h.id, best.id)
    assert rated.rating_id == best.id
    rating, had = store.delete_rating(best.id)
    assert had == [rated]
    assert store.highlight(h.id).rating_id is None
    assert store.restore_rating(rating, had) == [rated]
    assert store.highlight(h.id).rating_id == best.id
    store.set_done("ana", info.id, "2026-01-01T00:00:00.000Z")
    assert store.done() == {("ana", info.id): "2026-01-01T00:00:00.000Z"}
    assert store.annotators() == ["ana", "tester"]
    store.set_done("ana", info.id, None)
    assert store.done() == {}
    assert store.setting("name") is None
    store.set_setting("name", "Desk")
    store.set_setting("name", "The desk")
    assert store.setting("name") == "The desk"


def test_a_rating_put_back_goes_only_to_claims_as_its_deletion_left_them(
    open_store: Opener,
) -> None:
    """The undo of deleting a rating gives it back to the claims that lost it, but not to one
    that got another verdict since, or one whose verdict was given and taken away since."""
    mine, theirs = open_store(), open_store()
    [info] = mine.add_documents([_doc()])
    false, true = (next(r for r in mine.ratings() if r.name == n) for n in ("False", "True"))
    untouched, judged, cleared = (
        mine.set_rating(mine.add_highlight(info.id, start, end, 1).id, false.id)
        for start, end in [(0, 5), (6, 10), (11, 16)]
    )
    rating, had = mine.delete_rating(false.id)
    assert [h.updated_at for h in mine.highlights()] == [h.updated_at for h in had]
    judged = theirs.set_rating(judged.id, true.id)
    theirs.set_rating(cleared.id, true.id)
    cleared = theirs.set_rating(cleared.id, None, "2031-01-01T00:00:00.000Z")
    restored = mine.restore_rating(rating, had)
    assert mine.highlights() == [untouched, judged, cleared]
    assert restored == [untouched]
    assert mine.rating(false.id) == rating


def test_records_stored_with_their_ids_do_not_take_later_ids(store: ProjectStore) -> None:
    """A copy stores records with the ids they had; new ones get ids beyond them."""
    [info] = store.add_documents([_doc()])
    h = store.add_highlight(info.id, 0, 5, 1)
    copied = h._replace(id=h.id + 500, uuid="copied")
    assert store.insert_highlights([copied], keep_ids=True) == 1
    assert store.add_highlight(info.id, 6, 10, 1).id > copied.id
    tag = store.insert_tag(Tag(40, "copied", "#123456", "", -1))
    assert store.add_tag("later", "#654321").id > tag.id


def test_export_records_are_json_in_the_order_asked(store: ProjectStore) -> None:
    """What the JSON export is made of: each record one JSON object, escaped as orjson
    escapes, the fields in the order the format asks, the separator between records; the
    pieces may be cut anywhere."""
    import orjson

    from desktop.core.model import Link

    text = 'Alpha "beta"\tgamma.\nDelta 🇺🇦 epsilon\u2028.\n'
    [info] = store.add_documents([_doc(text, title="T\x01")])
    a = store.add_highlight(info.id, 0, 5, 1, note='a "note"\n')
    b = store.add_highlight(info.id, 6, 12, 2)
    store.set_rating(a.id, store.ratings()[0].id)
    supports = store.relation_types()[0]
    store.insert_link(
        Link(0, "l-1", b.id, a.id, supports.id, "", "tester", a.created_at, a.created_at)
    )
    store.set_done("tester", info.id, "2026-11-24T03:12:51.123Z")

    def records(
        kind: str, fields: tuple[str, ...], where: HighlightFilter = HighlightFilter()
    ) -> bytes:
        return b"".join(store.export_records(kind, fields, where, separator=b"|"))

    a, b = store.highlight(a.id), store.highlight(b.id)
    assert records("documents", ("text", "id")) == orjson.dumps({"text": text, "id": info.id})
    assert records("documents", ("title", "page_starts", "text")) == orjson.dumps(
        {"title": "T\x01", "page_starts": [], "text": text}
    )
    fields = ("id", "start", "tag", "rating", "note", "updated_at")
    assert records("highlights", fields) == b"|".join(
        orjson.dumps({"id": h.uuid, "start": h.start, "tag": tag, "rating": rating,
                      "note": h.note, "updated_at": h.updated_at})
        for h, tag, rating in ((a, "claim", store.ratings()[0].name), (b, "evidence", None))
    )  # fmt: skip
    assert records("relations", ("from_id", "to_id", "type")) == orjson.dumps(
        {"from_id": b.uuid, "to_id": a.uuid, "type": "supports"}
    )
    assert records("relations", ("id",), HighlightFilter(tag_names=("claim",))) == b""
    assert records("done", ("annotator", "document_id")) == orjson.dumps(
        {"annotator": "tester", "document_id": info.id}
    )
    assert store.highlight_ids_by_uuid([a.uuid, "nothing", b.uuid]) == {a.uuid: a.id, b.uuid: b.id}
