"""How big things are: the text's zoom (Ctrl+= / Ctrl+- / Ctrl+0) and the size of the whole
interface (View > Interface Size), both remembered."""

from __future__ import annotations

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from desktop.ui.document_view import DocumentView, reading_font

SCALES = (75, 90, 100, 115, 125, 150, 175, 200)  # per cent of the system's font size
_BASE_POINT_SIZE = "claimmark_base_point_size"  # the system font size, kept on the app


def restore_interface_scale(settings: QSettings) -> None:
    """The interface size chosen last time: set before the window is made, so that every
    widget measures itself with it."""
    chosen = settings.value("view/interface_scale", 100, type=int)
    if chosen != 100:
        set_interface_scale(chosen)


def set_interface_scale(percent: int) -> None:
    """Scale every widget's text (and so the widgets) to `percent` of the system's size."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return
    base = app.property(_BASE_POINT_SIZE)
    if base is None:
        base = app.font().pointSizeF()
        app.setProperty(_BASE_POINT_SIZE, base)
    font = app.font()
    font.setPointSizeF(float(base) * percent / 100)
    app.setFont(font)
    # A widget with a style sheet of its own (the tag buttons, the filter chips) keeps the font
    # it had when the sheet was applied; applying the sheet again gives it the new one.
    for widget in app.allWidgets():
        if widget.styleSheet():
            widget.setStyleSheet(widget.styleSheet())


class Appearance(QObject):
    def __init__(
        self, view: DocumentView, menu: QMenu, window: QMainWindow, settings: QSettings
    ) -> None:
        super().__init__(window)
        self.view = view
        self.settings = settings
        group = QActionGroup(self)
        chosen = settings.value("view/interface_scale", 100, type=int)
        for percent in SCALES:
            action = QAction(f"{percent}%", group)
            action.setCheckable(True)
            action.setChecked(percent == chosen)
            action.triggered.connect(lambda _c=False, p=percent: self.scale_interface(p))
            menu.addAction(action)

    def scale_interface(self, percent: int) -> None:
        set_interface_scale(percent)
        self.settings.setValue("view/interface_scale", percent)

    def reset_zoom(self) -> None:
        """Ctrl+0: the text at its usual size again."""
        self.view.zoom(round(reading_font().pointSizeF() - self.view.font().pointSizeF()))
