"""The change path: a key press becomes an operation, and every view, including a new one that
only subscribes to the session, updates itself from the change record (do, undo and redo)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.core.changes import Changes
from desktop.ui.main_window import MainWindow
from desktop.ui.session import Session
from tests.ui.conftest import select, tag_with_key


class ClaimCounter(QLabel):
    """What a newcomer writes to add a panel: one class that subscribes to the session."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.records: list[Changes] = []
        session.changed.connect(self._on_changes)
        self._show()

    def _on_changes(self, changes: Changes) -> None:
        self.records.append(changes)
        self._show()

    def _show(self) -> None:
        claim = next(t for t in self.session.summary.tags if t.name == "claim")
        counts = self.session.summary.counts(1)
        self.setText(f"{counts.get(claim.id, 0)} claims")


def test_a_new_panel_follows_do_undo_and_redo(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = ClaimCounter(window.session)
    qtbot.addWidget(panel)
    window.open_document(1)
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert panel.text() == "1 claims"
    [made] = panel.records[-1].added
    window.undo_action.trigger()
    assert panel.text() == "0 claims"
    assert panel.records[-1].removed == (made,)
    window.redo_action.trigger()
    assert panel.text() == "1 claims"
    assert panel.records[-1].added == (made,)  # the same highlight: id, uuid, times
    assert window.store.highlights() == [made]


def test_undo_of_a_compound_delete_restores_every_view(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch
) -> None:
    monkeypatch.setattr("desktop.ui.dialogs.ask", lambda *_a: True)
    window.open_document(1)
    for phrase in ("A controversy", "American embassy"):
        start = window.view.text.index(phrase)
        select(window, start, start + len(phrase))
        qtbot.keyClick(window.view, Qt.Key.Key_1)
    claim = tag_with_key(window, "1")
    window.tags.delete_tag(claim)
    assert len(window.view.index or []) == 0
    assert window.hl_panel.model.total() == 0
    assert "claim" not in [b.tag.name for b in window.tag_panel.buttons()]
    window.undo_action.trigger()
    assert len(window.view.index or []) == 2
    assert window.hl_panel.model.total() == 2
    counts = {b.tag.name: b.text() for b in window.tag_panel.buttons()}
    assert counts["claim"].endswith("2")
    assert "2 highlights here" in window.status_line.document_label.text()


def test_the_window_has_no_change_handlers() -> None:
    """Views follow the session; the window only lays out and wires."""
    handlers = [name for name in vars(MainWindow) if name.startswith("_on_")]
    assert handlers == []


class Faulty:
    """An operation with a defect: it writes, then fails in a way no one foresaw."""

    label = "Faulty change"

    def do(self, store):  # type: ignore[no-untyped-def]
        with store.batch():
            store.add_highlight(1, 0, 9, 1)
            raise RuntimeError("a defect")

    undo = do


def test_an_unexpected_error_is_a_message_and_no_undo_step(
    window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:
    failures: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: failures.append(text)
    )
    assert window.session.run(Faulty()) is False  # type: ignore[arg-type]
    assert failures == [
        "Cannot do “Faulty change”: an unexpected error (RuntimeError: a defect). "
        "Nothing was changed."
    ]
    assert window.store.highlights() == []  # its transaction rolled back
    assert window.session.undo_stack.count() == 0
    assert not window.undo_action.isEnabled()
