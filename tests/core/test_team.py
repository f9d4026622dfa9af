"""Team mode on a PostgreSQL server: opening and refusing databases, who may change what (in the
database itself), conflicts between teammates, the change feed, copying projects both ways, and
a lost server."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from desktop import cli
from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError, Conflict, ConnectionLost, NotFound, ProjectError
from desktop.core.formats.native import export_native
from desktop.core.model import Highlight, HighlightFilter, Link, NewDocument
from desktop.core.pg_store import PgStore
from desktop.core.project import open_project
from desktop.core.store import ProjectStore
from tests.conftest import SEED_DIGEST, new_database, set_up_team
from tests.core.conftest import TEXT


def as_user(location: str, user: str) -> str:
    return location.replace("postgresql://postgres@", f"postgresql://{user}@")


@pytest.fixture
def server(pg_location: str) -> Iterator[PgStore]:
    store = PgStore.open(pg_location)
    store.annotator = "owner"
    yield store
    store.close()


@pytest.fixture
def team(server: PgStore) -> tuple[PgStore, int]:
    """A project with roles: ana and bob annotate, judy adjudicates; one document."""
    set_up_team(server.location, ["ana", "bob"], ["judy"])
    [info] = server.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    return server, info.id


def login(server: PgStore, user: str) -> PgStore:
    return PgStore.open(as_user(server.location, user))


# Opening ---------------------------------------------------------------------------------------


def test_a_new_database_gets_the_schema_and_the_seed_articles(pg_location: str) -> None:
    store = open_project(pg_location, seed=True)
    try:
        assert len(store.documents()) == 8
        assert [t.name for t in store.tags()] == ["claim", "evidence", "opinion"]
        assert store.annotator == "postgres"  # the login name
    finally:
        store.close()
    again = open_project(pg_location, seed=True)  # not new: no second copy of the seeds
    assert len(again.documents()) == 8
    again.close()


def test_a_newer_schema_is_refused_and_not_written(server: PgStore) -> None:
    server._x("UPDATE claimmark_schema SET version = 99")
    with pytest.raises(ProjectError, match=r"newer claimmark.*version 99"):
        PgStore.open(server.location)
    assert server._x("SELECT version FROM claimmark_schema").fetchone()[0] == 99


def test_a_database_of_another_program_is_refused(pg_location: str) -> None:
    with psycopg.connect(pg_location, autocommit=True) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER)")
    with pytest.raises(ProjectError, match="another program"):
        open_project(pg_location)
    with psycopg.connect(pg_location) as conn:
        assert (
            conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0]
            == 1
        )


def test_no_server_there_is_a_clear_message(pg_cluster: object) -> None:
    from desktop.pgcluster import free_port

    with pytest.raises(ProjectError, match="cannot connect to the server"):
        open_project(f"postgresql://postgres@127.0.0.1:{free_port()}/nothing")


def test_the_command_line_takes_a_server(
    pg_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["import", "--db", pg_location, str(SEED_DIGEST)]) == 0
    store = open_project(pg_location)
    store.annotator = "ana"
    store.add_highlight(1, 0, 9, 1)
    store.close()
    assert cli.main(["list", "--db", pg_location]) == 0
    out = capsys.readouterr().out
    assert "8 documents, 1 highlight," in out
    assert "postgres@" not in out  # the location is shown without credentials when at all
    assert cli.main(["export", "--db", pg_location, "--format", "csv"]) == 0
    assert ",claim," in capsys.readouterr().out
    assert cli.main(["agreement", "--db", pg_location, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["annotators"] == ["ana"]


# Who may change what ------------------------------------------------------------------------


def test_an_annotator_cannot_change_anothers_highlight_even_with_sql(team: tuple) -> None:
    server, doc = team
    bob = login(server, "bob")
    theirs = bob.add_highlight(doc, 0, 5, 1)
    assert theirs.annotator == "bob"
    with psycopg.connect(as_user(server.location, "ana"), autocommit=True) as ana:
        touched = ana.execute(
            "UPDATE highlights SET note = 'mine now', annotator = 'ana' WHERE id = %s",
            (theirs.id,),
        ).rowcount
        assert touched == 0
        assert ana.execute("DELETE FROM highlights WHERE id = %s", (theirs.id,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            ana.execute(
                "INSERT INTO highlights (uuid, document_id, tag_id, start_pos, end_pos, quote,"
                " annotator, created_at, updated_at) VALUES ('x', %s, 1, 0, 5, 'Alpha', 'bob',"
                " 't', 't')",
                (doc,),
            )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            ana.execute("UPDATE tags SET name = 'mine' WHERE id = 1")
    assert server.highlight(theirs.id) == theirs
    bob.close()


def test_the_store_says_whose_highlight_it_is(team: tuple) -> None:
    server, doc = team
    bob, ana = login(server, "bob"), login(server, "ana")
    theirs = bob.add_highlight(doc, 0, 5, 1)
    with pytest.raises(ClaimmarkError, match="bob's"):
        ana.update_highlight(theirs.id, tag_id=2, expected=theirs)
    with pytest.raises(ClaimmarkError, match="bob's"):
        ana.delete_highlight(theirs.id, expected=theirs)
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        ana.add_tag("mine", "#123456")
    ana.annotator = "bob"  # a name that is not the login is refused by the server
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        ana.add_highlight(doc, 6, 10, 1)
    mine = login(server, "ana").add_highlight(doc, 6, 10, 1)
    assert mine.annotator == "ana"
    assert server.highlight(theirs.id) == theirs
    bob.close()
    ana.close()


def test_an_adjudicator_writes_gold_and_edits_tags(team: tuple) -> None:
    server, doc = team
    judy = login(server, "judy")
    judy.annotator = "gold"
    gold = judy.add_highlight(doc, 0, 5, 1)
    assert gold.annotator == "gold"
    assert judy.update_highlight(gold.id, tag_id=2, expected=gold).tag_id == 2
    assert judy.add_tag("needs source", "#0072B2", "4").name == "needs source"
    assert judy.update_relation_type(1, name="backs").name == "backs"
    ana = login(server, "ana")
    ana.annotator = "gold"
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        ana.add_highlight(doc, 6, 10, 1)
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        ana.delete_document(doc)
    login(server, "bob").add_highlight(doc, 6, 10, 1)
    _deleted, highlights = judy.delete_document(doc)  # with everyone's highlights on it
    assert {h.annotator for h in highlights} == {"gold", "bob"}
    assert server.highlights() == []
    judy.close()
    ana.close()


def test_deleting_my_highlight_never_takes_a_teammates_link_with_it(team: tuple) -> None:
    """The database deletes a highlight's links with it (its foreign keys cascade, past the
    row-level rules): an annotator's highlight that a teammate linked to stays until the
    teammate's link is gone, whether deleted or undone, by the store or in SQL."""
    server, doc = team
    ana, bob = login(server, "ana"), login(server, "bob")
    add = operations.AddHighlight(ana, doc, 0, 5, 1)
    [claim] = add.do(ana).added
    evidence = bob.add_highlight(doc, 6, 10, 2)
    [link] = operations.AddLink(bob, evidence.id, claim.id, 1).do(bob).links_added
    with pytest.raises(ClaimmarkError, match="bob's link"):
        add.undo(ana)
    with pytest.raises(ClaimmarkError, match="bob's link"):
        ana.delete_highlight(claim.id, expected=claim)
    with (
        psycopg.connect(as_user(server.location, "ana"), autocommit=True) as sql,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="bob's link"),
    ):
        sql.execute("DELETE FROM highlights WHERE id = %s", (claim.id,))
    assert server.link(link.id) == link
    assert server.highlight(claim.id) == claim
    own = ana.add_highlight(doc, 11, 15, 3)  # ana's own links go with her highlight
    operations.AddLink(ana, own.id, claim.id, 1).do(ana)
    ana.delete_highlight(own.id)
    bob.delete_link(link.id)
    ana.delete_highlight(claim.id)
    assert server.highlights() == [evidence]
    judy = login(server, "judy")  # an adjudicator deletes a document with everyone's links
    again = ana.add_highlight(doc, 0, 5, 1)
    operations.AddLink(bob, evidence.id, again.id, 1).do(bob)
    judy.delete_document(doc)
    assert server.links() == []
    for store in (ana, bob, judy):
        store.close()


# Two people, one highlight (the fixture `two` is in conftest.py) -------------------------------


def test_the_second_change_to_a_highlight_is_refused(two: tuple[ProjectStore, ...]) -> None:
    mine, theirs = two
    h = mine.add_highlight(1, 0, 5, 1)
    theirs_op = operations.ChangeHighlight(theirs.highlight(h.id), tag_id=2)
    mine_op = operations.ChangeHighlight(h, tag_id=3)
    theirs_op.do(theirs)
    with pytest.raises(Conflict, match="meanwhile"):
        mine_op.do(mine)
    assert mine.highlight(h.id).tag_id == 2
    if isinstance(mine, PgStore):  # a server names who
        with pytest.raises(Conflict, match="changed by bob"):
            mine_op.do(mine)


def test_undo_of_a_change_a_teammate_changed_since_does_nothing(
    two: tuple[ProjectStore, ...],
) -> None:
    mine, theirs = two
    h = mine.add_highlight(1, 0, 5, 1)
    retag = operations.ChangeHighlight(h, tag_id=2)
    retag.do(mine)
    operations.ChangeHighlight(theirs.highlight(h.id), tag_id=3).do(theirs)
    with pytest.raises(Conflict):
        retag.undo(mine)
    assert mine.highlight(h.id).tag_id == 3
    add = operations.AddHighlight(mine, 1, 6, 10, 1)
    [made] = add.do(mine).added
    operations.ChangeHighlight(theirs.highlight(made.id), note="checked").do(theirs)
    with pytest.raises(Conflict):
        add.undo(mine)  # would delete a note made since
    assert mine.highlight(made.id).note == "checked"
    # A change to another field meanwhile stays, and the undo is made.
    note = operations.ChangeHighlight(mine.highlight(made.id), note="mine")
    note.do(mine)
    operations.ChangeHighlight(theirs.highlight(made.id), tag_id=2).do(theirs)
    note.undo(mine)
    assert (mine.highlight(made.id).note, mine.highlight(made.id).tag_id) == ("checked", 2)


def test_a_link_changed_meanwhile_is_not_deleted(two: tuple[ProjectStore, ...]) -> None:
    mine, theirs = two
    a, b = mine.add_highlight(1, 0, 5, 1), mine.add_highlight(1, 6, 10, 2)
    add = operations.AddLink(mine, b.id, a.id, 1)
    [link] = add.do(mine).links_added
    operations.ChangeLink(theirs.link(link.id), note="why").do(theirs)
    with pytest.raises(Conflict):
        operations.DeleteLink(link).do(mine)
    with pytest.raises(Conflict):
        add.undo(mine)
    operations.DeleteLink(theirs.link(link.id)).do(theirs)
    with pytest.raises(NotFound):
        operations.ChangeLink(link, note="late").do(mine)


# The change feed ------------------------------------------------------------------------------


def wait_for(feed: object, until: Callable[[Changes], bool], seconds: float = 5) -> Changes:
    """Read the feed until a change record satisfies `until`; all records read, merged."""
    seen = Changes()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for changes in feed.read():  # type: ignore[attr-defined]
            seen |= changes
        if until(seen):
            return seen
        time.sleep(0.01)
    raise AssertionError(f"not in the feed within {seconds} s: {seen}")


def test_the_feed_brings_teammates_changes_as_records(server: PgStore) -> None:
    [info] = server.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    teammate = PgStore.open(server.location)
    teammate.annotator = "bob"
    feed = server.change_feed()
    server.add_highlight(info.id, 0, 5, 1)  # the window's own: not in its feed
    h = teammate.add_highlight(info.id, 6, 10, 1)
    got = wait_for(feed, lambda c: bool(c.added))
    assert got.added == (h,)
    retagged = teammate.update_highlight(h.id, tag_id=2)
    teammate.update_highlight(h.id, tag_id=3)
    got = wait_for(feed, lambda c: len(c.changed) == 2)
    # Each record carries the tags it went from and to, so that counts add up.
    assert [(o.tag_id, n.tag_id) for o, n in got.changed] == [(1, 2), (2, 3)]
    assert got.changed[0][1].note == retagged.note
    link = teammate.insert_link(Link(0, "u", h.id, 1, 1, "", "bob", "t", "t"))
    teammate.delete_highlight(h.id)
    got = wait_for(feed, lambda c: bool(c.removed))
    # Added and deleted before the feed was read: the records carry what the notification did.
    assert [(x.id, x.from_id, x.to_id) for x in got.links_added] == [(link.id, h.id, 1)]
    assert [x.id for x in got.links_removed] == [link.id]  # went with its highlight
    assert [(x.id, x.document_id, x.tag_id) for x in got.removed] == [(h.id, info.id, 3)]
    teammate.add_tag("question", "#009E73")
    assert wait_for(feed, lambda c: c.tags).tags
    teammate.set_done("bob", info.id, "2026-01-01T00:00:00.000Z")
    assert wait_for(feed, lambda c: c.progress).progress
    feed.close()
    teammate.close()


def test_the_feed_keeps_the_order_of_changes(server: PgStore) -> None:
    """A highlight added and deleted before the window reads: added, then removed (merged,
    a view would remove it first and then draw it)."""
    [info] = server.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    teammate = PgStore.open(server.location)
    feed = server.change_feed()
    h = teammate.add_highlight(info.id, 0, 5, 1)
    teammate.delete_highlight(h.id)
    deadline = time.monotonic() + 5
    records: list[Changes] = []
    while len(records) < 2 and time.monotonic() < deadline:
        records += feed.read()
        time.sleep(0.01)
    assert [([x.id for x in r.added], [x.id for x in r.removed]) for r in records] == [
        ([h.id], []),
        ([], [h.id]),
    ]
    feed.close()
    teammate.close()


def test_a_bulk_change_is_everything_and_a_reread_skips_what_it_saw(server: PgStore) -> None:
    teammate = PgStore.open(server.location)
    feed = server.change_feed()
    [info] = teammate.add_documents([NewDocument(text=TEXT * 200, title="T", source="t")])
    highlights = [teammate.add_highlight(info.id, n * 10, n * 10 + 5, 1) for n in range(3)]
    with server.snapshot():  # a window re-reads everything
        server.highlights()
    feed.skip_seen()
    assert feed.read() == []  # all seen by the re-read
    teammate.insert_highlights(
        [highlights[0]._replace(id=0, uuid=f"bulk-{n}", start=n, end=n + 3) for n in range(150)],
        keep_ids=False,
    )
    assert wait_for(feed, lambda c: c.everything).everything
    feed.close()
    teammate.close()


# Articles that change ------------------------------------------------------------------------

OLD = (
    "The mayor said the bridge would open in May. Critics doubt it.\n"
    "A spokesperson declined to comment on the delay.\n"
    "Work on the eastern ramp resumed in the spring after a long pause.\n"
)
NEW = (
    "The mayor said the bridge would open in May. Critics doubt it.\n"
    "Construction began in 2019.\n"
    "Work on the eastern ramp resumed in the spring after a long pause.\n"
)
KEPT, DELETED = "The mayor said the bridge would open in May.", "A spokesperson declined"


def new_version(text: str = NEW) -> NewDocument:
    return NewDocument(text=text, title="Bridge", source="bridge.html")


def mark(store: ProjectStore, document_id: int, quote: str, tag_id: int = 1) -> Highlight:
    start = store.text(document_id).index(quote)
    return store.add_highlight(document_id, start, start + len(quote), tag_id)


@pytest.fixture
def bridge(two: tuple[ProjectStore, ...]) -> int:
    """The two connections' project with the bridge article, a highlight of each on it."""
    mine, theirs = two
    [info] = mine.add_documents([new_version(OLD)])
    mark(mine, info.id, KEPT)
    mark(theirs, info.id, DELETED)
    return info.id


def test_an_update_over_a_teammates_update_is_refused(
    two: tuple[ProjectStore, ...], bridge: int
) -> None:
    mine, theirs = two
    mine_op = operations.UpdateDocument(mine, bridge, new_version())
    operations.UpdateDocument(theirs, bridge, new_version(NEW + "Updated at noon.\n")).do(theirs)
    with pytest.raises(Conflict, match="meanwhile"):
        mine_op.do(mine)
    assert mine.text(bridge).endswith("Updated at noon.\n")
    assert len(mine.document_versions(bridge)) == 1


def test_undo_of_an_update_is_refused_once_a_teammate_placed_an_orphan(
    two: tuple[ProjectStore, ...], bridge: int
) -> None:
    mine, theirs = two
    update = operations.UpdateDocument(mine, bridge, new_version())
    update.do(mine)
    assert str(update.summary) == "kept 1, moved 0, fuzzy 0, orphaned 1"
    [orphan] = theirs.orphans(bridge)
    start = NEW.index("Construction")
    place = operations.PlaceOrphan(theirs, orphan, start, start + 12)
    place.do(theirs)
    with pytest.raises(Conflict):
        update.undo(mine)  # the orphan would go back to a text it is no longer in
    assert mine.text(bridge) == NEW
    assert mine.orphans() == []
    with pytest.raises(Conflict, match="placed already"):
        operations.PlaceOrphan(mine, orphan, 0, 5).do(mine)
    place.undo(theirs)
    update.undo(mine)
    assert mine.text(bridge) == OLD
    assert sorted(h.quote for h in mine.highlights()) == sorted([KEPT, DELETED])
    assert mine.document_versions(bridge) == []


def test_a_document_with_orphans_is_deleted_and_put_back(
    two: tuple[ProjectStore, ...], bridge: int
) -> None:
    mine, _theirs = two
    operations.UpdateDocument(mine, bridge, new_version()).do(mine)
    everything = HighlightFilter(orphaned=None)
    before = (mine.highlights(everything), mine.orphans(), mine.document_versions(bridge))
    delete = operations.DeleteDocument(bridge, "Bridge")
    delete.do(mine)
    assert (mine.highlights(everything), mine.document_versions(bridge)) == ([], [])
    delete.undo(mine)  # the orphan and its version come back in one transaction
    assert (mine.highlights(everything), mine.orphans(), mine.document_versions(bridge)) == before


def test_an_adjudicator_updates_a_document_under_everyones_highlights(team: tuple) -> None:
    server, _doc = team
    [info] = server.add_documents([new_version(OLD)])
    ana, bob, judy = (login(server, name) for name in ("ana", "bob", "judy"))
    kept, orphaned = mark(ana, info.id, KEPT), mark(bob, info.id, DELETED)
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        operations.UpdateDocument(ana, info.id, new_version()).do(ana)
    assert server.text(info.id) == OLD
    update = operations.UpdateDocument(judy, info.id, new_version())
    update.do(judy)
    assert server.text(info.id) == NEW
    [orphan] = server.orphans(info.id)
    assert (orphan.id, orphan.annotator) == (orphaned.id, "bob")
    assert server.highlight(kept.id).annotator == "ana"
    # Moving is all an adjudicator may do to someone else's highlight, even with SQL.
    with (
        psycopg.connect(as_user(server.location, "judy"), autocommit=True) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="may only move"),
    ):
        conn.execute("UPDATE highlights SET note = 'mine' WHERE id = %s", (kept.id,))
    with psycopg.connect(as_user(server.location, "ana"), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DELETE FROM document_versions")
        assert conn.execute("SELECT count(*) FROM document_versions").fetchone() == (1,)
    # An orphan is placed by its annotator (or an adjudicator), not by anyone.
    start = NEW.index("Construction")
    with pytest.raises(ClaimmarkError, match="bob's"):
        operations.PlaceOrphan(ana, orphan, start, start + 12).do(ana)
    place = operations.PlaceOrphan(bob, orphan, start, start + 12)
    place.do(bob)
    place.undo(bob)
    update.undo(judy)
    assert server.text(info.id) == OLD
    assert server.highlight(orphaned.id) == orphaned  # as it was, in its old place
    for store in (ana, bob, judy):
        store.close()


def test_the_feed_brings_a_new_version_and_orphans(server: PgStore) -> None:
    [info] = server.add_documents([new_version(OLD)])
    teammate = PgStore.open(server.location)
    orphaned = mark(teammate, info.id, DELETED)
    feed = server.change_feed()
    operations.UpdateDocument(teammate, info.id, new_version()).do(teammate)
    assert wait_for(feed, lambda c: c.everything).everything  # the text changed under every view
    [orphan] = teammate.orphans(info.id)
    start = NEW.index("Construction")
    place = operations.PlaceOrphan(teammate, orphan, start, start + 12)
    place.do(teammate)
    got = wait_for(feed, lambda c: bool(c.added))
    assert ([h.id for h in got.added], got.orphans) == ([orphaned.id], True)
    place.undo(teammate)
    got = wait_for(feed, lambda c: bool(c.removed))
    assert ([h.id for h in got.removed], got.orphans) == ([orphaned.id], True)
    operations.ChangeHighlight(teammate.highlight(orphaned.id), note="lost").do(teammate)
    got = wait_for(feed, lambda c: c.orphans)
    assert (got.added, got.removed, got.changed) == ((), (), ())  # no view shows an orphan
    feed.close()
    teammate.close()


def test_a_team_project_upgraded_to_versions_gets_their_rules(
    pg_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A project set up for a team before documents had versions (schema version 6): the
    owner's next opening adds them, and who may write them, without another server-setup."""
    from desktop.core import pg_schema

    with monkeypatch.context() as before:
        older = {n: m for n, m in pg_schema.MIGRATIONS.items() if n < 7}
        before.setattr(pg_schema, "MIGRATIONS", older)
        before.setattr(pg_schema, "LATEST", 6)
        before.setattr(pg_schema, "ROLES_SQL", pg_schema.TEAM_ROLES_SQL + pg_schema.TABLE_RULES_SQL)
        set_up_team(pg_location, ["ana", "bob"], ["judy"])
        old = PgStore.open(pg_location)
        [info] = old.add_documents([new_version(OLD)])
        assert old._one("SELECT version FROM claimmark_schema") == 6
        old.close()
    owner = PgStore.open(pg_location)  # its opening upgrades the project
    ana, bob, judy = (login(owner, name) for name in ("ana", "bob", "judy"))
    orphaned = mark(bob, info.id, DELETED)
    operations.UpdateDocument(judy, info.id, new_version()).do(judy)
    assert bob.orphans(info.id) == [judy.highlight(orphaned.id)]
    with pytest.raises(ClaimmarkError, match="does not let ana"):
        operations.UpdateDocument(ana, info.id, new_version(OLD)).do(ana)
    for store in (owner, ana, bob, judy):
        store.close()


# Copying ---------------------------------------------------------------------------------------


def _project_as_json(store: ProjectStore) -> dict:
    data = export_native(store)
    data.pop("exported_at")
    return data


def test_copy_a_file_to_a_server_and_back(
    annotated: ProjectStore, pg_cluster: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = annotated
    [a, b] = file.highlights()[:2]
    link = file.insert_link(Link(0, "link-1", a.id, b.id, 2, "a note", "ana", "t1", "t2"))
    file.set_rating(a.id, file.ratings()[2].id)
    file.set_done("ana", a.document_id, "2026-01-02T00:00:00.000Z")
    file.set_setting("fact_checker", "The desk")
    server = new_database(pg_cluster)
    assert cli.main(["copy", "--from", file.location, "--to", server]) == 0
    assert "copied 9 documents" in capsys.readouterr().out
    back = tmp_path / "back.claimmark"
    assert cli.main(["copy", "--from", server, "--to", str(back)]) == 0
    for location in (server, str(back)):
        copy = open_project(location)
        assert _project_as_json(copy) == _project_as_json(file)
        assert copy.highlights() == file.highlights()  # ids, uuids, annotators, times, verdicts
        assert copy.links() == [link]
        assert copy.done() == file.done()
        assert copy.settings() == {"fact_checker": "The desk"}
        assert copy.relation_types() == file.relation_types()
        assert copy.ratings() == file.ratings()
        later = copy.add_highlight(a.document_id, a.start, a.end, 2)
        assert later.id > max(h.id for h in file.highlights())
        copy.close()


def test_copy_keeps_earlier_versions_and_orphans(
    store: ProjectStore, pg_cluster: object, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    [info] = store.add_documents([new_version(OLD)])
    kept, orphaned = mark(store, info.id, KEPT), mark(store, info.id, DELETED)
    link = store.insert_link(Link(0, "link-1", orphaned.id, kept.id, 1, "", "tester", "t", "t"))
    operations.UpdateDocument(store, info.id, new_version()).do(store)
    everything = HighlightFilter(orphaned=None)
    server = new_database(pg_cluster)
    assert cli.main(["copy", "--from", store.location, "--to", server]) == 0
    assert "(and 1 earlier version), 2 highlights (1 orphaned)" in capsys.readouterr().out
    back = tmp_path / "back.claimmark"
    assert cli.main(["copy", "--from", server, "--to", str(back)]) == 0
    for location in (server, str(back)):
        copy = open_project(location)
        assert copy.document(info.id) == store.document(info.id)
        assert copy.document_versions(info.id) == store.document_versions(info.id)
        assert copy.highlights(everything) == store.highlights(everything)
        assert copy.orphans() == store.orphans() != []
        assert copy.links() == [link]
        copy.close()


def test_a_copy_to_a_new_server_project_is_set_up_for_the_team_by_server_setup(
    seeded: ProjectStore, pg_cluster: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """A login of the cluster's annotators (made by server-setup on another database) cannot
    read a project that a copy made: the copy says what must follow, opening it says why it
    cannot and what to run, and once that ran it opens."""
    # Logins belong to the whole server (the other tests' too): a name of this test's own.
    set_up_team(new_database(pg_cluster), ["flo"])
    newsdesk = new_database(pg_cluster)
    assert cli.main(["copy", "--from", seeded.location, "--to", newsdesk]) == 0
    out = capsys.readouterr().out
    assert "not set up for a team yet" in out
    assert "claimmark server-setup --db" in out
    assert cli.main(["list", "--db", as_user(newsdesk, "flo")]) == 1
    err = capsys.readouterr().err
    assert "flo may not read this project: it is not set up for a team" in err
    assert "server-setup --db" in err
    assert "--annotator flo" in err
    assert "does not let" not in err
    assert "make this change" not in err
    with pytest.raises(ProjectError, match="not set up for a team"):
        PgStore.open(as_user(newsdesk, "flo"))
    assert cli.main(["server-setup", "--db", newsdesk, "--annotator", "flo"]) == 0
    capsys.readouterr()
    assert cli.main(["list", "--db", as_user(newsdesk, "flo")]) == 0
    assert "8 documents" in capsys.readouterr().out
    assert cli.main(["copy", "--from", seeded.location, "--to", newsdesk, "--force"]) == 0
    assert "not set up for a team" not in capsys.readouterr().out  # it is now


def test_copy_refuses_a_project_that_is_not_empty_without_force(
    seeded: ProjectStore, pg_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    target = open_project(pg_location)
    target.add_documents([NewDocument(text="Something else\n", title="S", source="s")])
    target.close()
    assert cli.main(["copy", "--from", seeded.location, "--to", pg_location]) == 1
    assert "not empty (1 document); nothing was copied" in capsys.readouterr().err
    assert cli.main(["copy", "--from", seeded.location, "--to", pg_location, "--force"]) == 0
    target = open_project(pg_location)
    assert [d.title for d in target.documents()] == [d.title for d in seeded.documents()]
    target.close()


# A lost server ----------------------------------------------------------------------------------


@pytest.fixture
def own_cluster() -> Iterator[object]:
    """A cluster of this test's own, to stop and kill."""
    from desktop.pgcluster import Cluster

    cluster = Cluster(fsync=False)
    cluster.start()
    yield cluster
    cluster.remove()


def test_a_lost_server_refuses_changes_then_comes_back(own_cluster: object) -> None:
    location = new_database(own_cluster)
    store = PgStore.open(location)
    [info] = store.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    kept = store.add_highlight(info.id, 0, 5, 1)
    feed = store.change_feed()
    own_cluster.kill()  # type: ignore[attr-defined]
    with pytest.raises(ConnectionLost, match="nothing more is saved"):
        store.add_highlight(info.id, 6, 10, 1)
    assert not store.connected
    with pytest.raises(ConnectionLost):
        store.highlights()  # refused at once, without waiting for the network
    with pytest.raises(ProjectError, match="cannot connect"):
        feed.reconnect()
    own_cluster.start()  # type: ignore[attr-defined]
    feed.reconnect()
    assert store.connected
    assert feed.connected
    assert store.highlights() == [kept]  # nothing acknowledged was lost, nothing half-made
    store.add_highlight(info.id, 6, 10, 1)
    feed.close()
    store.close()


def test_a_server_lost_while_connecting_is_a_message_not_a_traceback(
    server: PgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The server goes away between connecting and the first statement (a reconnection while
    it restarts): the connection could not be made, said as any other (ProjectError)."""
    connect = psycopg.connect

    def connect_then_lose(*args: object, **kwargs: object) -> psycopg.Connection:
        conn = connect(*args, **kwargs)  # type: ignore[arg-type]
        with connect(server.location, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s, 5000)", (conn.info.backend_pid,))
        return conn

    monkeypatch.setattr(psycopg, "connect", connect_then_lose)
    with pytest.raises(ProjectError, match="cannot connect to the server"):
        server.change_feed()  # its connection reads only, and listens
    with pytest.raises(ProjectError, match="cannot connect to the server"):
        PgStore.open(server.location, read_only=True)
    monkeypatch.undo()
    server.change_feed().close()


def test_every_acknowledged_write_of_several_processes_is_there(pg_location: str) -> None:
    """Five annotator processes add, retag and delete highlights at once: nothing acknowledged
    is lost, nothing is there twice (the full run is in desktop.bench)."""
    from desktop.teamload import run_load

    result = run_load(pg_location, writers=5, operations=50)
    assert result.errors == []
    assert result.lost == []
    assert result.duplicated == []
    assert result.unexpected == []
    assert result.acknowledged >= 5 * 50 * 0.9  # a few deletes may find nothing left to delete
    assert json.dumps(result.latencies_ms[:1])  # the commit latencies were measured


def test_server_setup_makes_the_project_and_the_logins(
    pg_location: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # Logins belong to the whole server (the other tests' too): names of this test's own.
    args = ["server-setup", "--db", pg_location, "--annotator", "cy", "--adjudicator", "dee"]
    assert cli.main(args) == 0
    assert cli.main(args) == 0  # again: nothing breaks
    out = capsys.readouterr().out
    assert out.count("created the login cy") == 1
    assert "dee is a member of claimmark_adjudicator" in out
    cy = PgStore.open(as_user(pg_location, "cy"))
    assert len(cy.documents()) == 8  # the seed articles
    assert cy.add_highlight(1, 0, 5, 1).annotator == "cy"
    with pytest.raises(ClaimmarkError, match="does not let cy"):
        cy.add_tag("mine", "#123456")
    cy.close()


def test_server_setup_says_whether_it_created_upgraded_or_found_the_project(
    pg_location: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from desktop.core import pg_schema

    args = ["server-setup", "--db", pg_location]
    with monkeypatch.context() as before:  # the claimmark before documents had versions
        older = {n: m for n, m in pg_schema.MIGRATIONS.items() if n < 7}
        before.setattr(pg_schema, "MIGRATIONS", older)
        before.setattr(pg_schema, "LATEST", 6)
        before.setattr(pg_schema, "ROLES_SQL", pg_schema.TEAM_ROLES_SQL + pg_schema.TABLE_RULES_SQL)
        assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert ": created the project (schema version 6, with the seed articles)\n" in out
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert ": found the project (schema version 7, upgraded from 6)\n" in out
    assert cli.main(args) == 0
    out = capsys.readouterr().out
    assert ": found the project (schema version 7)\n" in out
    assert "is there" not in out


def test_a_server_killed_under_load_loses_nothing_acknowledged(own_cluster: object) -> None:
    """The same load, with the server killed (as a crash would) when a third of the changes
    are made and started again: the writers reconnect by themselves, and every change the
    server had acknowledged is there."""
    from desktop.teamload import run_load

    def crash_and_restart() -> None:
        own_cluster.kill()  # type: ignore[attr-defined]
        time.sleep(0.3)
        own_cluster.start()  # type: ignore[attr-defined]

    result = run_load(
        new_database(own_cluster), writers=5, operations=50, interrupt=crash_and_restart
    )
    assert result.errors == []
    assert result.reconnects >= 1  # the kill met writers at work
    assert result.lost == []
    assert result.unexpected == []
    assert result.duplicated == []
    assert result.acknowledged + result.uncertain == 5 * 50


def test_a_service_from_a_libpq_service_file(
    pg_location: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from psycopg.conninfo import conninfo_to_dict

    params = conninfo_to_dict(pg_location)
    services = tmp_path / "pg_service.conf"
    services.write_text(
        "[newsdesk]\n" + "".join(f"{k}={params[k]}\n" for k in ("host", "port", "dbname", "user")),
        encoding="utf-8",
    )
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    store = open_project("service=newsdesk", seed=True)
    assert store.name == "service newsdesk"
    assert len(store.documents()) == 8
    store.close()


def test_a_server_project_is_upgraded_by_the_next_migration(
    server: PgStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The next migration of schema.py (portable SQL, such as a new column) reaches a server
    project as it reaches a file: in one transaction, on opening; an older claimmark then
    refuses the project."""
    from desktop.core import pg_schema

    server.add_documents([NewDocument(text=TEXT, title="T", source="t")])
    next_one = pg_schema.LATEST + 1
    monkeypatch.setitem(
        pg_schema.MIGRATIONS,
        next_one,
        "ALTER TABLE documents ADD COLUMN checked_by TEXT DEFAULT ''",
    )
    monkeypatch.setattr(pg_schema, "LATEST", next_one)
    upgraded = PgStore.open(server.location)
    assert upgraded._one("SELECT version FROM claimmark_schema") == next_one
    assert upgraded._one("SELECT checked_by FROM documents") == ""
    assert [d.title for d in upgraded.documents()] == ["T"]
    upgraded.close()
    monkeypatch.setattr(pg_schema, "LATEST", next_one - 1)
    with pytest.raises(ProjectError, match="newer claimmark"):
        PgStore.open(server.location)
