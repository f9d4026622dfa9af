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
