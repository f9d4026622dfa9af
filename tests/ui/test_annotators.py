"""Several annotators in the window: who is annotating, documents marked done, whose highlights
are shown (blind mode, mine, one annotator, everyone's with others' fainter)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt

from desktop.core.sqlite_store import SqliteStore
from desktop.ui.document_list import SUBTITLE_ROLE
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import select
from tests.ui.test_annotating import drawn_background


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
