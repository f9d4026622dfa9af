"""Starting the window: the Qt application, settings, logging, and the project to open."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QMessageLogContext, QSettings, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from desktop.core.bundled import resource
from desktop.core.errors import ClaimmarkError
from desktop.core.importing import Source
from desktop.core.project import is_server_location, open_project, restore_backup
from desktop.ui.annotators import ask_annotator_name, login_name
from desktop.ui.appearance import restore_interface_scale
from desktop.ui.dialogs import sentence, show_message
from desktop.ui.main_window import MainWindow

log = logging.getLogger("desktop.qt")

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _qt_message(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
    log.log(_QT_LEVELS.get(kind, logging.WARNING), message)


def application() -> QApplication:
    """The QApplication, created once with claimmark's names (used by QSettings)."""
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setOrganizationName("claimmark")
    app.setApplicationName("claimmark")
    app.setDesktopFileName("claimmark")
    app.setWindowIcon(QIcon(str(resource("claimmark.svg"))))
    return app


class Launcher:
    """Opens project windows; a window asking for another project is replaced by it."""

    def __init__(self, settings: QSettings, annotator: str | None) -> None:
        self.settings = settings
        self.annotator = annotator
        self.window: MainWindow | None = None

    def open(self, path: str | Path | None) -> MainWindow | None:
        try:
            store = open_project(path, seed=True)
        except ClaimmarkError as e:
            show_message(self.window, f"Cannot open the project.\n\n{sentence(str(e))}")
            return None
        # On a server the annotator is the login name unless given for this run (the name kept
        # in the settings is a file project's, asked for on the first start).
        on_server = is_server_location(store.location)
        name = self.annotator or (None if on_server else self.settings.value("annotator"))
        if not name and not on_server:  # the first start: ask who is annotating
            name = ask_annotator_name(None, login_name() or "", first_time=True) or login_name()
            if name:
                self.settings.setValue("annotator", name)
        if name:
            store.annotator = str(name)
        window = MainWindow(store, self.settings)
        window.project_requested.connect(self.open)
        window.restore_requested.connect(self.restore)
        old = self.window
        self.window = window
        window.show()
        if old is not None:
            old.close()
            old.store.close()
            old.deleteLater()
        return window

    def restore(self, backup: Path) -> MainWindow | None:
        """Close the project, put the backup in its place, and open it again."""
        window = self.window
        if window is None:
            return None
        project = window.store.location
        window.close()
        window.store.close()
        window.deleteLater()
        self.window = None
        try:
            restore_backup(project, backup)
        except ClaimmarkError as e:
            show_message(None, f"Could not restore the backup.\n\n{sentence(str(e))}")
        return self.open(project)


def run_app(db: str | Path | None, files: list[Source], annotator: str | None) -> int:
    """Open the window on project `db` (default project if None), importing `files` (files,
    folders or web addresses)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    qInstallMessageHandler(_qt_message)
    app = application()
    settings = QSettings()
    if annotator:
        settings.setValue("annotator", annotator)
    restore_interface_scale(settings)
    launcher = Launcher(settings, annotator)
    window = launcher.open(db)
    if window is None:
        return 1
    if files:
        window.files.import_files(files)
    code = app.exec()
    if launcher.window is not None:
        launcher.window.store.close()
    return code
