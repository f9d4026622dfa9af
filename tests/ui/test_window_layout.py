"""The window as it first appears and as it follows what the user does: the text fits its view
beside the link margin, the tag toggles are whole, the Highlight tab follows the open document,
and the status bar gives a message room and then shows the project again."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui.main_window import MainWindow
from tests.ui.conftest import WindowFactory
from tests.ui.test_linking import CLAIM, EVIDENCE, cursor_into, press_in_popup, tag


def assert_text_fits_its_view(window: MainWindow) -> None:
    view = window.view
    viewport = view.viewport()
    # The widest line laid out (with the document's margins) is no wider than what shows of it.
    assert view.document().size().width() <= viewport.width()
    assert not view.horizontalScrollBar().isVisible()
    # The link margin is beside the text, not over it.
    assert window.link_margin.geometry().left() > viewport.geometry().right()


def assert_tag_toggles_are_whole(window: MainWindow) -> None:
    panel = window.hl_panel
    toggles = list(panel._tag_buttons.values())
    assert toggles
    for toggle in toggles:
        assert toggle.isVisible()
        assert toggle.height() >= toggle.sizeHint().height()
        assert panel.tag_scroll.viewport().height() >= toggle.sizeHint().height()


@pytest.mark.parametrize("size", [None, (900, 600), (1400, 900)])
def test_the_text_fits_its_view_when_the_window_first_shows(  # type: ignore[no-untyped-def]
    make_window: WindowFactory, size: tuple[int, int] | None
) -> None:
    """At the default size (1300x820), and at sizes the window may have when it shows."""
    window = make_window(size=size)
    assert (window.width(), window.height()) == (size or (1300, 820))
    assert window.view.document_id is not None
    QApplication.processEvents()  # Qt shows or hides the scroll bars a turn later
    assert_text_fits_its_view(window)
    assert_tag_toggles_are_whole(window)


def test_the_text_fits_its_view_in_a_window_reopened_at_its_last_size(  # type: ignore[no-untyped-def]
    make_window: WindowFactory,
) -> None:
    first = make_window()
    first.resize(780, 560)  # the offscreen screen is 800x600; a restored window is kept on it
    first.close()
    first.store.close()
    window = make_window()
    assert (window.width(), window.height()) == (780, 560)
    QApplication.processEvents()
    assert_text_fits_its_view(window)
    assert_tag_toggles_are_whole(window)


def test_the_tag_toggles_stay_whole_when_the_tags_are_read_again(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.actions["refresh"].trigger()  # View > Refresh: everything read again, tags too
    toggles = list(window.hl_panel._tag_buttons.values())
    qtbot.waitUntil(lambda: all(t.isVisible() for t in toggles))
    assert_tag_toggles_are_whole(window)


def test_the_highlight_tab_follows_the_cursor_into_another_document(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    cursor_into(window, CLAIM)
    inspector = window.inspector
    qtbot.waitUntil(lambda: inspector.highlight is not None)
    assert "claim" in inspector.summary.text()
    # Ctrl+2 to the document list, End, Enter: the last document, with no highlight in it.
    qtbot.keyClick(window.view, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.doc_list.hasFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_End)
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Return)
    last = window.store.documents()[-1].id
    assert window.view.document_id == last != 1
    qtbot.waitUntil(lambda: inspector.highlight is None)
    assert inspector.summary.text().startswith("Put the cursor in a highlight")
    assert inspector.links.count() == 0
    # And it follows the cursor there.
    text = window.view.text
    start = next(i for i, c in enumerate(text) if c.isalpha())
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(start))
    cursor.setPosition(window.view.positions.to_qt(start + 4), cursor.MoveMode.KeepAnchor)
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, Qt.Key.Key_3)  # opinion
    qtbot.waitUntil(lambda: inspector.highlight is not None)
    assert inspector.highlight.document_id == last
    assert "opinion" in inspector.summary.text()


def test_a_status_message_has_room_and_the_project_comes_back_after_it(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    bar = window.statusBar()
    project = window.status_line.project_label
    assert project.isVisible()
    assert project.text().startswith("Project: ")
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, EVIDENCE, "2")
    cursor_into(window, EVIDENCE)
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    QApplication.processEvents()  # the bar lays itself out again
    message = bar.currentMessage()
    assert message.startswith("Linking from")
    # The message is drawn from the bar's left edge: no label shown over where it goes.
    room = bar.fontMetrics().horizontalAdvance(message[:40])
    shown = [w for w in bar.findChildren(QLabel) if w.isVisible()]
    assert all(w.geometry().left() > room for w in shown), [w.text() for w in shown]
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_1)  # supports
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert len(window.store.links()) == 1
    assert bar.currentMessage() == "Linked: supports."
    bar.clearMessage()  # what the message's timer does when it runs out
    QApplication.processEvents()
    assert bar.currentMessage() == ""
    assert project.isVisible()
    assert project.text().startswith("Project: ")
    document = window.status_line.document_label
    assert document.isVisible()
    assert project.geometry().right() < document.geometry().left()
