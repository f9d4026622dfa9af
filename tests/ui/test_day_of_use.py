"""What a day of use asked for: undo shows and names what it undid, the cursor follows the list
after a delete, a typed note is not thrown away by Esc, and the highlight under the cursor
leaves overlapping highlights' colours visible."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.main_window import MainWindow
from desktop.ui.note_dialog import NoteDialog
from tests.ui.conftest import select
from tests.ui.test_annotating import drawn_background


def tag(qtbot, window: MainWindow, phrase: str, key: Qt.Key = Qt.Key.Key_1) -> None:  # type: ignore[no-untyped-def]
    start = window.view.text.index(phrase)
    select(window, start, start + len(phrase))
    qtbot.keyClick(window.view, key)


def test_undo_of_an_off_screen_change_shows_and_names_it(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, "A controversy arose")
    made = window.store.highlights()[0]
    window.open_document(2)  # elsewhere now
    window.undo_action.trigger()
    assert window.view.document_id == 1
    assert window.statusBar().currentMessage() == "Undone: Highlight as claim."
    assert window.view.cursor_position() == made.start
    window.redo_action.trigger()
    assert window.statusBar().currentMessage() == "Redone: Highlight as claim."
    assert window.view.selection_span() == (made.start, made.end)


def test_after_a_delete_the_cursor_follows_the_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    for phrase in ("A controversy arose", "American embassy", "imminent plans"):
        tag(qtbot, window, phrase)
    first, second, _third = sorted(window.store.highlights(), key=lambda h: h.start)
    window.editing.jump_to(first)
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.view.current_highlight() == second.id
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)  # Delete again: the next one goes
    assert [h.start for h in window.store.highlights()] == [_third.start]


def test_escape_asks_before_throwing_away_a_typed_note(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    answers = [False, True]
    asked: list[bool] = []

    def discard(_parent) -> bool:  # type: ignore[no-untyped-def]
        asked.append(True)
        return answers.pop(0)

    monkeypatch.setattr("desktop.ui.note_dialog.discard_typed_note", discard)
    dialog = NoteDialog(None, "Note:", "quote", "")
    qtbot.addWidget(dialog)
    dialog.reject()  # nothing typed: closes without asking
    assert asked == []
    dialog.editor.setPlainText("the date is wrong")
    dialog.reject()  # "Keep Editing"
    assert len(asked) == 1
    assert dialog.result() == 0
    assert dialog.editor.toPlainText() == "the date is wrong"
    dialog.reject()  # "Discard"
    assert len(asked) == 2


def test_the_current_highlight_keeps_an_overlap_readable(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, "A controversy arose needlessly", Qt.Key.Key_1)
    tag(qtbot, window, "arose", Qt.Key.Key_2)
    inner = window.view.text.index("arose") + 1
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    window.view.setTextCursor(cursor)
    away = drawn_background(window, inner)
    cursor.setPosition(window.view.positions.to_qt(inner))
    window.view.setTextCursor(cursor)
    qtbot.waitUntil(lambda: window.view.current_highlight() is not None)
    assert drawn_background(window, inner) == away  # the blend, not one solid colour


def test_ctrl_0_resets_the_zoom_and_the_interface_scales(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QApplication

    usual = window.view.font().pointSizeF()
    qtbot.keyClick(window.view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() > usual
    qtbot.keyClick(window.view, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert window.view.font().pointSizeF() == usual
    before = QApplication.font().pointSizeF()
    [bigger] = [a for a in window.size_menu.actions() if a.text() == "150%"]
    bigger.trigger()
    try:
        assert QApplication.font().pointSizeF() == before * 1.5
        assert window.settings.value("view/interface_scale", type=int) == 150
        qtbot.waitUntil(lambda: window.tag_panel.font().pointSizeF() == before * 1.5)
    finally:
        [normal] = [a for a in window.size_menu.actions() if a.text() == "100%"]
        normal.trigger()
    assert QApplication.font().pointSizeF() == before


def test_keyboard_reaches_the_filter_and_focus_shows(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.hl_panel
    qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert panel.search.hasFocus()
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Tab)
    assert panel.search.hasFocus()  # the first Tab stop after the list
    toggle = next(iter(panel._tag_buttons.values()))
    plain = toggle.grab().toImage()
    toggle.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(toggle.hasFocus)
    assert toggle.grab().toImage() != plain  # the focused toggle looks different


def test_fifty_tags_and_a_small_screen(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from desktop.core import operations

    for n in range(47):
        window.session.run(operations.AddTag(f"code number {n:02d}", "#0072B2", ""))
    assert len(window.session.summary.tags) == 50
    assert window.minimumSizeHint().width() < 900
    window.resize(900, 600)
    qtbot.waitUntil(lambda: window.width() <= 900)
    panel = window.hl_panel
    chars = panel.search.fontMetrics().averageCharWidth()
    assert panel.search.width() >= 16 * chars  # room to type a word, not "Fi…"
    # the toggles scroll instead of making the window wider
    qtbot.waitUntil(lambda: panel.tag_scroll.horizontalScrollBar().maximum() > 0)
    window.status_line.document_label.setText("A very long title " * 20)
    shown = window.status_line.document_label
    assert shown_text(shown).endswith("…") or "…" in shown_text(shown)
    window.actions["side_panel"].setChecked(False)
    assert not window.side.isVisible()


def shown_text(label) -> str:  # type: ignore[no-untyped-def]
    """What a label shows (an eliding label keeps the full text apart)."""
    from PySide6.QtWidgets import QLabel

    return QLabel.text(label)
