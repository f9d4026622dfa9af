"""View > Interface Size scales every control's text, those with a style of their own too."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication, QPushButton, QToolButton

from desktop.ui.main_window import MainWindow


def _choose(window: MainWindow, percent: int) -> None:
    [action] = [a for a in window.size_menu.actions() if a.text() == f"{percent}%"]
    action.trigger()


def test_tag_buttons_and_filter_chips_grow_with_the_interface(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    base = QApplication.font().pointSizeF()
    buttons = window.tag_panel.findChildren(QPushButton) + window.hl_panel.findChildren(QToolButton)
    styled = [b for b in buttons if b.styleSheet()]
    assert len(styled) >= 6  # three tags, each a button in the panel and a chip above the list
    heights = {b: b.sizeHint().height() for b in styled}
    _choose(window, 150)
    try:
        for button in styled:
            assert button.font().pointSizeF() == base * 1.5, button.text()
            assert button.sizeHint().height() > heights[button], button.text()
    finally:
        _choose(window, 100)
    assert all(b.font().pointSizeF() == base for b in styled)


def test_the_size_chosen_last_time_is_there_from_the_start(qtbot, tmp_path, make_window) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QSettings

    from desktop.ui.appearance import restore_interface_scale, set_interface_scale

    base = QApplication.font().pointSizeF()
    usual = make_window()
    row, tag_height = (
        usual.hl_panel.table.verticalHeader().defaultSectionSize(),
        {b.text(): b.sizeHint().height() for b in usual.tag_panel.findChildren(QPushButton)},
    )
    usual.close()
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("view/interface_scale", 150)
    restore_interface_scale(settings)  # as the app does before it makes its window
    try:
        window = make_window()
        assert window.hl_panel.table.verticalHeader().defaultSectionSize() > row
        for button in window.tag_panel.findChildren(QPushButton):
            assert button.font().pointSizeF() == base * 1.5
            if button.text() in tag_height:
                assert button.sizeHint().height() > tag_height[button.text()]
    finally:
        set_interface_scale(100)


def test_the_list_keeps_room_for_the_quote_and_rows_fit_their_font(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    """Each column is as wide as its title and content, unless the list is narrow: then the
    others give way so that the quote keeps about a third of the width, and nothing scrolls
    sideways.
    Again after the interface size changes the font."""
    from desktop.ui.highlight_list import COLUMNS, QUOTE

    table = window.hl_panel.table
    header = table.horizontalHeader()

    def laid_out() -> bool:
        room = table.viewport().width()
        titles = header.fontMetrics()
        others = [c for c in range(len(COLUMNS)) if c != QUOTE]
        wide_enough = all(
            header.sectionSize(c) > titles.horizontalAdvance(COLUMNS[c]) for c in others
        )
        return (
            # a third of the width when the list was last measured; a scroll bar may take some
            (wide_enough or header.sectionSize(QUOTE) >= room // 4)
            and sum(header.sectionSize(c) for c in range(len(COLUMNS))) <= room + 1
            and table.verticalHeader().defaultSectionSize() > table.fontMetrics().height()
        )

    assert laid_out()
    row = table.verticalHeader().defaultSectionSize()
    _choose(window, 150)
    try:  # the widgets hear of the new font as the event loop turns
        qtbot.waitUntil(lambda: table.verticalHeader().defaultSectionSize() > row)
        assert laid_out()
    finally:
        _choose(window, 100)
    qtbot.waitUntil(lambda: table.verticalHeader().defaultSectionSize() == row)
    assert laid_out()


def test_tag_buttons_keep_their_height_in_a_short_window_with_a_big_font(
    qtbot, make_window
) -> None:  # type: ignore[no-untyped-def]
    """At 900x600 with 150% (or with dozens of tags), the tags scroll rather than being
    squeezed: every button keeps the height its text needs."""
    from desktop.ui.appearance import set_interface_scale

    set_interface_scale(150)
    try:
        window = make_window(size=(900, 600))
        window.side.setSizes([120, 480])  # the tags' part as short as a small screen leaves it
        qtbot.wait(10)
        for button in window.tag_panel.buttons():
            assert button.height() >= button.sizeHint().height(), button.text()
    finally:
        set_interface_scale(100)
