"""Quitting and reopening gives back the project as it was left, and the window as it was."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.main_window import MainWindow
from tests.ui.conftest import WindowFactory, select
from tests.ui.test_annotating import drawn_background


def test_reopen_restores_document_highlights_and_layout(qtbot, make_window: WindowFactory) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    first.resize(780, 560)  # the offscreen screen is 800x600; a restored window is kept on it
    first.open_document(3)
    start = first.view.text.index("reasonable grounds")
    select(first, start, start + len("reasonable grounds"))
    qtbot.keyClick(first.view, Qt.Key.Key_2)
    first.splitter.setSizes([200, 400, 170])
    sizes = first.splitter.sizes()
    first.view.zoom(2)
    font_size = first.view.font().pointSizeF()
    first.close()
    first.store.close()

    second = make_window()
    assert second.view.document_id == 3
    assert [h.quote for h in second.store.highlights()] == ["reasonable grounds"]
    assert drawn_background(second, start + 1) is not None
    assert second.splitter.sizes() == sizes
    assert second.view.font().pointSizeF() == font_size
    assert second.hl_panel.model.total() == 1


def test_another_window_sees_changes_when_it_regains_focus(
    qtbot, make_window: WindowFactory
) -> None:  # type: ignore[no-untyped-def]
    a = make_window()
    b = make_window()
    with qtbot.waitActive(a):
        a.activateWindow()
    select(a, 0, 9)
    qtbot.keyClick(a.view, Qt.Key.Key_1)
    assert b.hl_panel.model.total() == 0
    with qtbot.waitActive(b):
        b.activateWindow()
    qtbot.waitUntil(lambda: b.hl_panel.model.total() == 1)
    assert drawn_background(b, 2) is not None


def test_restore_a_backup_from_the_file_menu(qtbot, project, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from desktop.core.backup import list_backups
    from desktop.ui.app import Launcher

    launcher = Launcher(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat), "tester")
    window = launcher.open(project)
    assert window is not None
    qtbot.addWidget(window)
    with qtbot.waitActive(window):
        window.activateWindow()
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    window.backups.finish()  # the one made on opening
    thread = window.backups.back_up_if_changed()
    assert thread is not None
    thread.join()
    [newest, *_] = list_backups(project)
    assert newest.highlights == 1
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.store.highlights() == []
    with qtbot.waitSignal(window.restore_requested) as signal:
        window.restore_requested.emit(newest.path)
    restored = launcher.window
    assert restored is not None
    assert restored is not window
    qtbot.addWidget(restored)
    assert [h.quote for h in restored.store.highlights()] == ["Ukraine’s"]
    assert restored.hl_panel.model.total() == 1
    assert signal.args == [newest.path]
    restored.close()
    restored.store.close()


def test_own_changes_do_not_hide_another_windows(qtbot, make_window: WindowFactory) -> None:  # type: ignore[no-untyped-def]
    from desktop.core.sqlite_store import SqliteStore

    window = make_window()
    other = SqliteStore.open(window.store.location)
    other.add_highlight(2, 0, 9, 1)
    other.close()
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)  # a change of its own after the other's
    assert window.session.changed_elsewhere()


def test_undoing_a_change_to_a_highlight_deleted_elsewhere_says_so(
    qtbot, make_window: WindowFactory, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from desktop.core.sqlite_store import SqliteStore

    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    window = make_window()
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    qtbot.keyClick(window.view, Qt.Key.Key_2)  # retag
    [h] = window.store.highlights()
    other = SqliteStore.open(window.store.location)
    other.delete_highlight(h.id)
    other.close()
    window.undo_action.trigger()  # the retag cannot be undone: the highlight is gone
    assert "Cannot undo" in messages[0]
    assert "deleted" in messages[0]
    assert window.store.highlights() == []
    assert window.hl_panel.model.total() == 0  # the window shows the project as it is
    assert window.view.index is not None
    assert len(window.view.index) == 0


def test_reading_position_is_restored_exactly(qtbot, make_window: WindowFactory) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    first.resize(780, 560)
    first.open_document(1)
    view = first.view
    view.verticalScrollBar().setValue(view.verticalScrollBar().maximum() // 2)
    qtbot.wait(10)
    top = view.first_visible()
    assert top > 0
    cursor = view.textCursor()
    cursor.setPosition(view.positions.to_qt(top + 5))
    view.setTextCursor(cursor)
    first.close()
    first.store.close()

    second = make_window()
    shown = second.view

    def on_first_line() -> bool:  # the window may be wider now: lines wrap elsewhere
        first_line = shown.rect_of(shown.first_visible())
        return first_line is not None and shown.rect_of(top).top() == first_line.top()

    qtbot.waitUntil(on_first_line)
    assert shown.first_visible() <= top
    assert shown.cursor_position() == top + 5


def test_a_highlight_deleted_in_another_window_is_no_error_to_hover_or_press_keys_on(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch
) -> None:
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    from desktop.core.sqlite_store import SqliteStore

    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _parent, text, **_kw: shown.append(text)
    )
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [h] = window.store.highlights()

    def hover(at: int) -> None:
        cursor = window.view.textCursor()
        cursor.setPosition(window.view.positions.to_qt(at))
        pos = window.view.cursorRect(cursor).center()
        viewport = window.view.viewport()
        QApplication.sendEvent(
            viewport, QHelpEvent(QEvent.Type.ToolTip, pos, viewport.mapToGlobal(pos))
        )

    hover(4)
    assert "claim" in QToolTip.text()
    elsewhere = SqliteStore.open(window.store.location)  # another window on the project
    elsewhere.delete_highlight(h.id)
    elsewhere.close()
    hover(4)  # this window still draws it: hovering over it says nothing
    assert shown == []
    # Keys on it: no message box, each time; the window reads the project again and shows
    # the highlight gone.
    window.view.select_span(4, 4)
    assert window.view.spans_at_cursor()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    assert shown == []
    assert window.hl_panel.model.total() == 0
    assert window.view.spans_at_cursor() == []
