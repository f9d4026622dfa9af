"""Several annotators in the window: who is annotating, documents marked done, whose highlights
are shown (blind mode, mine, one annotator, everyone's with others' fainter)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from desktop.core import operations
from desktop.core.sqlite_store import SqliteStore
from desktop.ui.document_list import SUBTITLE_ROLE
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import select, tag_with_key
from tests.ui.test_annotating import drawn_background
from tests.ui.test_day_of_use import tag


def bobs_highlight(window: MainWindow, phrase: str) -> None:
    """Bob, in his own window on the same project, highlights `phrase` as a claim."""
    other = SqliteStore.open(window.store.location)
    other.annotator = "bob"
    start = window.view.text.index(phrase)
    other.add_highlight(window.view.document_id, start, start + len(phrase), 1)
    other.close()
    window.session.reload()


def subtitle(window: MainWindow, document_id: int) -> str:
    model = window.doc_list.doc_model
    return model.index(model.row_of(document_id)).data(SUBTITLE_ROLE)


def test_ctrl_d_marks_the_document_done_for_me_and_undo(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    assert subtitle(window, 1) == "Indian Punchline · 2024-03-28 · 0 highlights"  # to do
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert subtitle(window, 1).startswith("◐ in progress · ")
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert subtitle(window, 1).startswith("✓ done · ")
    assert list(window.store.done()) == [("tester", 1)]
    assert window.actions["mark_done"].isChecked()
    assert "done for you" in window.status_line.document_label.text()
    window.undo_action.trigger()
    assert window.store.done() == {}
    assert subtitle(window, 1).startswith("◐ in progress · ")
    # Another annotator's view of the same document: nothing of mine is theirs.
    window.session.set_annotator("carol")
    assert subtitle(window, 1) == "Indian Punchline · 2024-03-28 · 1 highlight"  # to do
    assert "Annotator: carol" in window.status_line.project_label.text()


def test_whose_highlights_are_shown(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    mine, bobs = "A controversy arose", "American embassy"
    start = window.view.text.index(mine)
    select(window, start, start + len(mine))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    bobs_highlight(window, bobs)
    model, panel = window.hl_panel.model, window.hl_panel
    bob_at = window.view.text.index(bobs) + 2
    # Everyone's: both listed, Bob's drawn fainter than mine.
    assert len(model.rows) == 2
    strong, faint = drawn_background(window, start + 2), drawn_background(window, bob_at)
    assert strong is not None
    assert faint is not None
    assert faint.lightness() > strong.lightness()
    # One annotator: only Bob's, in the list and the text.
    panel.whose.setCurrentIndex(panel.whose.findData("bob"))
    assert [r.annotator for r in model.rows] == ["bob"]
    assert drawn_background(window, start + 2) is None
    # Blind mode: only mine, whatever the list says, and remembered.
    window.actions["blind_mode"].setChecked(True)
    assert [r.annotator for r in model.rows] == ["tester"]
    assert drawn_background(window, bob_at) is None
    assert not panel.whose.isEnabled()
    window.actions["blind_mode"].setChecked(False)
    assert panel.whose.isEnabled()


def test_the_first_start_asks_who_is_annotating(
    qtbot, project: Path, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.app import Launcher

    asked: list[tuple[str, bool]] = []
    monkeypatch.setattr(
        "desktop.ui.app.ask_annotator_name",
        lambda _parent, current, first_time: asked.append((current, first_time)) or "Dana",
    )
    settings = QSettings(str(tmp_path / "first.ini"), QSettings.Format.IniFormat)
    window = Launcher(settings, None).open(project)
    assert window is not None
    qtbot.addWidget(window)
    assert asked
    assert asked[0][1] is True
    assert window.session.annotator == "Dana"
    assert settings.value("annotator") == "Dana"
    window.close()
    window.store.close()
    again = Launcher(settings, None).open(project)  # the second start does not ask again
    assert again is not None
    qtbot.addWidget(again)
    assert len(asked) == 1
    again.close()
    again.store.close()


def test_a_second_annotator_marks_exactly_the_passage_a_colleague_marked(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    window.open_document(1)
    phrase = "A controversy arose"
    start = window.view.text.index(phrase)
    end = start + len(phrase)
    claim, evidence = tag_with_key(window, "1"), tag_with_key(window, "2")
    other = SqliteStore.open(window.store.location)
    other.annotator = "ana"
    anas = other.add_highlight(1, start, end, claim.id)
    other.close()
    window.session.reload()
    window.session.set_annotator("bob")
    assert window.hl_panel.annotators_shown() is None  # everyone's: Ana's is shown
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [bobs] = [h for h in window.store.highlights() if h.annotator == "bob"]
    assert (bobs.start, bobs.end, bobs.tag_id) == (start, end, claim.id)
    assert window.store.highlight(anas.id) == anas
    # Bob's keys now act on his own highlight, never on Ana's: 2 retags his...
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    assert window.store.highlight(bobs.id).tag_id == evidence.id
    assert window.store.highlight(anas.id) == anas
    # ...and Delete, with the cursor in the passage, deletes his.
    select(window, start + 2, start + 2)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.store.highlights() == [anas]


def test_blind_mode_off_shows_again_what_was_shown(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    bobs_highlight(window, "American embassy")
    panel = window.hl_panel

    def blind_mode_key() -> None:
        qtbot.keyClick(
            window.view,
            Qt.Key.Key_B,
            Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
        )

    blind_mode_key()
    assert [r.annotator for r in panel.model.rows] == ["tester"]
    assert window.statusBar().currentMessage() == (
        "Blind mode on: only your own highlights are shown."
    )
    blind_mode_key()
    assert sorted(r.annotator for r in panel.model.rows) == ["bob", "tester"]
    assert panel.whose.currentText() == "Everyone's"
    assert window.statusBar().currentMessage() == "Blind mode off: everyone's highlights are shown."
    # One annotator's before: that annotator's again after.
    panel.whose.setCurrentIndex(panel.whose.findData("bob"))
    window.actions["blind_mode"].trigger()  # View > Blind Mode
    assert panel.whose.currentText() == "Mine (tester)"
    window.actions["blind_mode"].trigger()
    assert panel.whose.currentText() == "bob"
    assert [r.annotator for r in panel.model.rows] == ["bob"]
    assert window.statusBar().currentMessage() == "Blind mode off: bob's highlights are shown."


def test_the_margin_draws_only_what_belongs_to_shown_highlights(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    window.open_document(1)
    window.session.set_annotator("ana")
    claim, evidence = tag_with_key(window, "1"), tag_with_key(window, "2")
    false, true = (
        next(r for r in window.store.ratings() if r.name == n) for n in ("False", "True")
    )
    supports = window.store.relation_types()[0]
    text = window.view.text

    def place(phrase: str) -> tuple[int, int]:
        return text.index(phrase), text.index(phrase) + len(phrase)

    # Bob, in his own window: a claim with a verdict and a note, evidence linked to it, and a
    # link from it to a claim in another document.
    bob = SqliteStore.open(window.store.location)
    bob.annotator = "bob"
    bobs_claim = bob.add_highlight(1, *place("A controversy arose"), claim.id, note="dubious")
    bob.set_rating(bobs_claim.id, false.id)
    bobs_evidence = bob.add_highlight(1, *place("American embassy"), evidence.id)
    elsewhere = bob.add_highlight(2, 0, 5, claim.id)
    links = [
        operations.AddLink(bob, bobs_evidence.id, bobs_claim.id, supports.id),
        operations.AddLink(bob, bobs_claim.id, elsewhere.id, supports.id),
    ]
    for link in links:
        link.do(bob)
    bob.close()
    # Ana's own: a claim with a verdict.
    start, end = place("The US and British intelligence agencies work in tandem")
    select(window, start, end)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [anas] = [h for h in window.store.highlights() if h.annotator == "ana"]
    window.store.set_rating(anas.id, true.id)
    window.session.reload()
    margin = window.link_margin
    bobs_arc, bobs_marker = (link.link.id for link in links)

    # Everyone's shown: everything is drawn.
    qtbot.waitUntil(lambda: margin.drawn is not None and len(margin.drawn.badges) == 2)
    drawn = margin.drawn
    assert {b.highlight_id for b in drawn.badges} == {bobs_claim.id, anas.id}
    assert [n.highlight_id for n in drawn.notes] == [bobs_claim.id]
    assert [a.link.id for a in drawn.arcs] == [bobs_arc]
    assert [m.link.id for m in drawn.markers] == [bobs_marker]

    def only_anas() -> bool:
        drawn = margin.drawn
        return [b.highlight_id for b in drawn.badges] == [
            anas.id
        ] and drawn.notes == drawn.arcs == drawn.markers == []

    # Blind mode: only Ana's verdict, as soon as it is on.
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_B,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert window.hl_panel.annotators_shown() == {"ana"}
    qtbot.waitUntil(only_anas)
    # Off again: everyone's; then "Mine" in the list's menu: Ana's only again.
    window.actions["blind_mode"].trigger()
    qtbot.waitUntil(lambda: len(margin.drawn.arcs) == 1)
    window.hl_panel.whose.setCurrentIndex(window.hl_panel.whose.findData("ana"))
    qtbot.waitUntil(only_anas)


def test_blind_mode_counts_only_mine_everywhere(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Counts would tell what others marked: the tag panel, the document list, the status bar
    and the list's count follow whose highlights are shown."""
    window.open_document(1)
    tag(qtbot, window, "A controversy arose")  # mine: a claim
    bobs_highlight(window, "American embassy")  # Bob's: a claim
    bobs_highlight(window, "imminent plans")
    claim = tag_with_key(window, "1")

    def claims_on_the_button() -> str:
        [button] = [b for b in window.tag_panel.buttons() if b.tag.id == claim.id]
        return button.text().split()[-1]

    assert claims_on_the_button() == "3"
    assert subtitle(window, 1).endswith("3 highlights")
    assert "3 highlights here" in window.status_line.document_label.text()
    assert window.hl_panel.count.text().endswith("of 3 in the project")
    window.actions["blind_mode"].trigger()
    assert claims_on_the_button() == "1"
    assert subtitle(window, 1).endswith("1 highlight")
    assert "1 highlight here" in window.status_line.document_label.text()
    assert "· 1 in the project" in window.status_line.document_label.text()
    assert window.hl_panel.count.text() == "1 shown of 1 in the project"
    window.actions["blind_mode"].trigger()
    assert claims_on_the_button() == "3"
    assert subtitle(window, 1).endswith("3 highlights")
    tag(qtbot, window, "to the effect")  # a change counts as before, in every view
    assert claims_on_the_button() == "4"


def test_blind_mode_lists_only_my_links(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The list's Links column and the Highlight tab leave out a teammate's links in blind
    mode, as the margin does."""
    from desktop.ui.highlight_list import LINKS
    from desktop.ui.link_picker import claim_choices

    window.open_document(1)
    tag(qtbot, window, "A controversy arose")  # my claim
    tag(qtbot, window, "American embassy", Qt.Key.Key_2)  # my evidence
    claim, evidence = sorted(window.store.highlights(), key=lambda h: h.start)
    operations.AddLink(window.store, evidence.id, claim.id, 1).do(window.store)
    bobs_highlight(window, "imminent plans")
    other = SqliteStore.open(window.store.location)
    other.annotator = "bob"
    [bobs] = [h for h in other.highlights() if h.annotator == "bob"]
    operations.AddLink(other, bobs.id, claim.id, 2).do(other)
    other.close()
    window.session.reload()
    model = window.hl_panel.model

    def links_column() -> str:
        [row] = [n for n, r in enumerate(model.rows) if r.id == claim.id]
        return model.index(row, LINKS).data()

    def links_listed() -> int:
        window.editing.jump_to(claim)
        qtbot.waitUntil(lambda: window.inspector.highlight is not None)
        return window.inspector.links.count()

    assert links_column() == "←2"
    assert links_listed() == 2

    def claims_to_pick() -> set[int]:  # what L, then L again, offers
        return {c.id for c in claim_choices(window.session, None)}

    assert claims_to_pick() == {claim.id, bobs.id}  # Bob's passage is a claim too
    window.actions["blind_mode"].trigger()
    assert links_column() == "←1"
    assert links_listed() == 1
    assert claims_to_pick() == {claim.id}
    window.actions["blind_mode"].trigger()
    assert links_column() == "←2"
