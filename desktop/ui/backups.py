"""Backups while the window is open: one when the project opens (if it changed since the newest
backup), then every ten minutes while it changes, each made in the background by the store;
and File > Restore Backup, which asks which one to put back."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import ClaimmarkError
from desktop.core.model import BackupInfo
from desktop.core.project import is_server_location
from desktop.ui import dialogs
from desktop.ui.session import Session

log = logging.getLogger(__name__)

BACKUP_INTERVAL_S = 10 * 60  # while changes are being made


class BackupDialog(QDialog):
    """Pick one of the project's backups to restore."""

    def __init__(self, parent: QWidget, backups: list[BackupInfo]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore Backup")
        self.backups = backups
        self.list = QListWidget()
        for b in backups:
            when = b.made_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            self.list.addItem(f"{when}   {b.documents} documents, {b.highlights} highlights")
        self.list.setCurrentRow(0)
        note = QLabel(
            "The project is replaced by the backup you choose. Its present state is kept as a "
            "backup first, so a restore can be undone by restoring that one."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(480, 320)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None


class Backups(QObject):
    restore_requested = Signal(object)  # Path of a backup to put in place of this project

    def __init__(self, session: Session, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        self.changed = session.store.changed_since_backup()
        # A project on a server is backed up there (pg_dump), not by each window.
        self.on_server = is_server_location(session.store.location)
        self._thread: threading.Thread | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(BACKUP_INTERVAL_S * 1000)
        self._timer.timeout.connect(self.back_up_if_changed)
        self._timer.start()
        session.changed.connect(self._on_changes)

    def _on_changes(self, _changes: object) -> None:
        self.changed = True

    def back_up_if_changed(self) -> threading.Thread | None:
        """Back the project up in the background when it changed since the last backup."""
        if not self.changed or self.running() or self.on_server:
            return None
        self.changed = False
        store = self.session.store

        def run() -> None:
            try:
                log.info("backup made: %s", store.make_backup())
            except ClaimmarkError as e:
                log.warning("backup failed: %s", e)

        self._thread = threading.Thread(target=run, name="claimmark-backup")
        self._thread.start()
        return self._thread

    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def finish(self) -> None:
        """Wait for a backup in progress (before the project is closed or replaced)."""
        if self._thread is not None:
            self._thread.join()

    def choose_backup(self) -> None:
        if self.on_server:
            dialogs.show_message(
                self.window,
                "This project is on a database server: it is backed up there (pg_dump), and "
                "restored by the server's administrator. To keep a copy of your own, use "
                "claimmark copy --from SERVER --to FILE.",
                error=False,
            )
            return
        backups = self.session.store.backups()
        if not backups:
            dialogs.show_message(
                self.window, "There is no backup of this project yet.", error=False
            )
            return
        dialog = BackupDialog(self.window, backups)
        chosen = dialog.chosen() if dialog.exec() else None
        dialog.deleteLater()
        if chosen is not None:
            self.restore_requested.emit(chosen.path)
