"""Tag edits from the tag panel: add, rename, recolour, key, reorder, delete (asking first)."""

from __future__ import annotations

from typing import ClassVar

import pytest
from PySide6.QtCore import Qt

from desktop.core.model import Tag
from desktop.core.sqlite_store import SqliteStore
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import select, tag_with_key


class FakeTagDialog:
    """Stands in for the tag dialog: answers with the given values once."""

    answers: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(self, _parent: object, _tag: Tag | None, _colour: str) -> None:
        pass

    def exec(self) -> bool:
        return bool(FakeTagDialog.answers)

    def values(self) -> tuple[str, str, str]:
        return FakeTagDialog.answers.pop(0)

    def deleteLater(self) -> None:
        pass


@pytest.fixture
def tag_dialog(monkeypatch: pytest.MonkeyPatch) -> type[FakeTagDialog]:
    monkeypatch.setattr("desktop.ui.tag_panel.TagDialog", FakeTagDialog)
    FakeTagDialog.answers = []
    return FakeTagDialog


def test_add_tag_then_use_its_key_and_undo(qtbot, window: MainWindow, tag_dialog) -> None:  # type: ignore[no-untyped-def]
    tag_dialog.answers = [("question", "#0072B2", "4")]
    window.tags.add_tag()
    assert [t.name for t in window.store.tags()] == ["claim", "evidence", "opinion", "question"]
    assert [b.tag.name for b in window.tag_panel.buttons()][-1] == "question"
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_4)
    assert window.store.highlights()[0].tag_id == tag_with_key(window, "4").id
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert [t.name for t in window.store.tags()] == ["claim", "evidence", "opinion"]


def test_a_refused_tag_shows_why_and_asks_again(
    qtbot, window: MainWindow, tag_dialog, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    tag_dialog.answers = [
        ("Claim", "#000000", ""),
        ("quote", "#000000", "1"),
        ("quote", "#000000", "q"),
    ]
    window.tags.add_tag()
    assert messages == [
        "There is already a tag named “Claim”.",
        "The key 1 is already used by the tag “claim”.",
    ]
    assert window.store.tags()[-1].name == "quote"


def test_rename_recolour_rekey(qtbot, window: MainWindow, tag_dialog) -> None:  # type: ignore[no-untyped-def]
    claim = tag_with_key(window, "1")
    tag_dialog.answers = [("assertion", "#D55E00", "a")]
    window.tags.edit_tag(claim)
    tag = window.store.tag(claim.id)
    assert (tag.name, tag.colour, tag.key) == ("assertion", "#D55E00", "a")
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert window.store.highlights()[0].tag_id == claim.id
    qtbot.keyClick(window.view, Qt.Key.Key_1)  # no tag has key 1 any more: nothing happens
    assert window.store.highlights()[0].tag_id == claim.id
    window.undo_action.trigger()  # the highlight
    window.undo_action.trigger()  # the edit
    assert window.store.tag(claim.id) == claim


def test_reorder(window: MainWindow) -> None:
    opinion = tag_with_key(window, "3")
    window.tags.move_tag(opinion, -1)
    assert [t.name for t in window.store.tags()] == ["claim", "opinion", "evidence"]
    assert [b.tag.name for b in window.tag_panel.buttons()] == ["claim", "opinion", "evidence"]
    window.undo_action.trigger()
    assert [t.name for t in window.store.tags()] == ["claim", "evidence", "opinion"]


def test_deleting_a_tag_in_use_asks_with_the_count_and_undo_restores(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    for phrase in ("A controversy", "American embassy"):
        start = window.view.text.index(phrase)
        select(window, start, start + len(phrase))
        qtbot.keyClick(window.view, Qt.Key.Key_1)
    before = window.store.highlights()
    asked: list[str] = []
    answer = [False]
    monkeypatch.setattr(
        "desktop.ui.dialogs.ask", lambda _p, text, _c: asked.append(text) or answer[0]
    )
    claim = tag_with_key(window, "1")
    window.tags.delete_tag(claim)
    assert "It holds 2 highlights" in asked[0]
    assert len(window.store.highlights()) == 2  # declined: nothing deleted
    answer[0] = True
    window.tags.delete_tag(claim)
    assert window.store.highlights() == []
    assert [t.name for t in window.store.tags()] == ["evidence", "opinion"]
    window.undo_action.trigger()
    assert window.store.highlights() == before
    assert window.store.tag(claim.id) == claim
    assert window.hl_panel.model.total() == 2


def test_undoing_a_tag_someone_else_has_used_is_refused(
    qtbot, window: MainWindow, tag_dialog, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    tag_dialog.answers = [("question", "#0072B2", "4")]
    window.tags.add_tag()
    tag = window.store.tags()[-1]
    other = SqliteStore.open(window.store.location)  # another window or program uses the new tag
    other.add_highlight(1, 0, 9, tag.id)
    other.close()
    window.undo_action.trigger()
    assert "now holds 1 highlight" in messages[0]
    assert [t.name for t in window.store.tags()][-1] == "question"
    assert len(window.store.highlights()) == 1
    assert window.session.undo_stack.count() == 0  # the step that cannot be undone is gone


def test_redo_of_a_tag_deletion_keeps_highlights_made_since(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("desktop.ui.dialogs.ask", lambda *_a: True)
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    claim = tag_with_key(window, "1")
    window.tags.delete_tag(claim)
    window.undo_action.trigger()  # the tag and its highlight are back
    other = SqliteStore.open(window.store.location)  # another window uses the tag meanwhile
    other.add_highlight(1, 20, 30, claim.id)
    other.close()
    window.redo_action.trigger()  # delete again: both go
    assert window.store.highlights() == []
    window.undo_action.trigger()  # and both come back
    assert len(window.store.highlights()) == 2


def test_a_tag_key_taken_by_a_text_action_is_refused(
    qtbot, window: MainWindow, tag_dialog, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    tag_dialog.answers = [("needs source", "#0072B2", "n"), ("needs source", "#0072B2", "s")]
    window.tags.add_tag()
    assert "taken by Edit Note" in messages[0]
    assert window.store.tags()[-1].key == "s"
