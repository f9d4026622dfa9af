"""The Scheme tab: adding and editing link types and the verdicts of the rating scale in their
dialogs, as undoable steps; an edit that changes nothing leaves no step."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QDialog

from desktop.ui.main_window import MainWindow
from desktop.ui.scheme_panel import RatingDialog
from desktop.ui.tag_panel import TagDialog

Fill = Callable[[TagDialog], None]


@pytest.fixture
def answer(monkeypatch: pytest.MonkeyPatch) -> Callable[[Fill], list[str]]:
    """The next dialog is filled by `fill` and accepted once; returns the dialogs' titles."""
    titles: list[str] = []

    def set_up(fill: Fill) -> list[str]:
        def exec_(dialog: QDialog) -> bool:
            if titles:  # asked again: cancel
                return False
            titles.append(dialog.windowTitle())
            fill(dialog)  # type: ignore[arg-type]
            return True

        monkeypatch.setattr(TagDialog, "exec", exec_)
        return titles

    return set_up


def test_add_a_link_type_in_its_dialog_and_undo(window: MainWindow, answer) -> None:  # type: ignore[no-untyped-def]
    def fill(dialog: TagDialog) -> None:
        dialog.name.setText("contradicts")
        dialog.key.setText("3")

    titles = answer(fill)
    window.scheme_panel.types.add_requested.emit()
    assert titles == ["Add Link Type"]
    assert [(t.name, t.key) for t in window.store.relation_types()][-1] == ("contradicts", "3")
    texts = [window.scheme_panel.types.list.item(i).text() for i in range(3)]
    assert texts[-1] == "contradicts   [3]"
    assert window.session.undo_stack.undoText() == "Add link type contradicts"
    window.undo_action.trigger()
    assert [t.name for t in window.store.relation_types()] == ["supports", "attacks"]


def test_a_verdict_edited_in_its_dialog_and_one_left_as_it_was(window: MainWindow, answer) -> None:  # type: ignore[no-untyped-def]
    mixed = next(r for r in window.store.ratings() if r.name == "Mixed")
    titles = answer(lambda _dialog: None)  # OK without a change
    window.scheme_panel.ratings.edit_requested.emit(mixed)
    assert titles == ["Edit Verdict"]
    assert window.session.undo_stack.count() == 0

    def fill(dialog: TagDialog) -> None:
        assert isinstance(dialog, RatingDialog)
        assert dialog.value.value() == 4
        dialog.name.setText("Half true")
        dialog.value.setValue(7)

    titles.clear()
    answer(fill)
    window.scheme_panel.ratings.edit_requested.emit(mixed)
    changed = window.store.rating(mixed.id)
    assert (changed.name, changed.value, changed.colour) == ("Half true", 7, mixed.colour)
    assert window.scheme_panel.ratings.list.item(0).text() == "Half true (7)   [3]"  # best first
    window.undo_action.trigger()
    assert window.store.rating(mixed.id) == mixed


def test_undo_of_deleting_a_verdict_says_which_claims_keep_one_given_since(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("desktop.ui.dialogs.ask", lambda *_a: True)
    store = window.store
    mixed = next(r for r in store.ratings() if r.name == "Mixed")
    false = next(r for r in store.ratings() if r.name == "False")
    first, second = store.add_highlight(1, 0, 9, 1), store.add_highlight(1, 20, 30, 1)
    for claim in (first, second):
        store.set_rating(claim.id, mixed.id)
    window.session.reload()
    window.scheme.delete_rating(mixed)
    assert store.highlight(first.id).rating_id is None
    store.set_rating(second.id, false.id)  # given since, in another window
    window.undo_action.trigger()
    assert store.highlight(first.id).rating_id == mixed.id
    assert store.highlight(second.id).rating_id == false.id
    assert window.statusBar().currentMessage() == (
        "Undone: Delete rating Mixed; 1 claim keeps the verdict given since."
    )
