"""The cursor moves between the lines of the text as if the display's paragraph gaps were
margins: it never rests on a position the stored text does not have."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from desktop.ui.main_window import MainWindow


def put(window: MainWindow, cp: int) -> None:
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(cp))
    window.view.setTextCursor(cursor)


def here(window: MainWindow) -> int:
    return window.view.positions.to_code_point(window.view.textCursor().position())


def on_gap(window: MainWindow) -> bool:
    return window.view.positions.is_gap(window.view.textCursor().position())


def test_down_right_and_selection_skip_the_gaps(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    view, text = window.view, window.view.text
    title_end = text.index("\n")
    put(window, title_end)  # the end of the title
    qtbot.keyClick(view, Qt.Key.Key_Right)  # one press: the start of the byline
    assert not on_gap(window)
    assert here(window) == title_end + 1
    # Down from the title's line lands on the byline's, never in between.
    put(window, 3)
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert not on_gap(window)
    assert text[here(window) - 1 : here(window) + 1] != "\n\n"
    assert title_end < here(window) < text.index("\n", title_end + 1)
    # "Down, Home, Shift+End, 2" after tagging the title tags the next line.
    put(window, 0)
    cursor = view.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_1)
    for key, modifier in (
        (Qt.Key.Key_Down, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Home, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_2, Qt.KeyboardModifier.NoModifier),
    ):
        qtbot.keyClick(view, key, modifier)
    byline = text[title_end + 1 : text.index("\n", title_end + 1)]
    assert sorted(h.quote for h in window.store.highlights()) == sorted([text[:title_end], byline])
    # Up and Left step back over a gap; Shift+Down keeps the selection off the gap.
    second = text.index("\n", title_end + 1) + 1
    put(window, second + 2)
    qtbot.keyClick(view, Qt.Key.Key_Up)
    assert not on_gap(window)
    put(window, second)
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert here(window) == second - 1
    assert not on_gap(window)
    put(window, 0)
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Down, Qt.KeyboardModifier.ShiftModifier)
        assert not on_gap(window)
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_PageDown)
        assert not on_gap(window)


def test_a_click_in_a_gap_puts_the_cursor_on_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    view = window.view
    gap_qt = next(q for q in range(view.positions.length_qt) if view.positions.is_gap(q))
    cursor = view.textCursor()
    cursor.setPosition(gap_qt)
    point = view.cursorRect(cursor).center() + QPoint(40, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert not on_gap(window)
