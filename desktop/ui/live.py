"""Team mode in the window: teammates' changes as they commit, and the state of the connection.

A project on a server announces every committed change; the store's change feed listens on a
connection of its own. Its socket is watched here, on the GUI thread, with a QSocketNotifier:
when it is readable the feed turns what arrived into one change record, which the session
announces like any other, so every view updates itself without moving the reader's scroll
position or selection. A teammate's new version of a document (its text replaced, its
highlights moved or orphaned) comes as "everything": every view shows the new text; a
teammate's placing or deleting an orphan comes with the `orphans` flag, for the Orphans panel.

When the connection is lost the status bar says so, the store refuses every change with a clear
message (nothing is shown as saved that is not), and a background thread tries to connect again
every few seconds; once back, everything is re-read, which catches up with what changed
meanwhile. A project file has no feed: nothing here is made for it.
"""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStatusBar

from desktop.core.changes import EVERYTHING, Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.store import ChangeFeed
from desktop.ui import dialogs
from desktop.ui.session import Session

log = logging.getLogger(__name__)

CHECK_INTERVAL_MS = 1000  # how often the connection is looked at
RETRY_INTERVAL_S = 3.0  # between attempts to reconnect


class Live(QObject):
    """Follows one server project's change feed for a window's session."""

    connection_changed = Signal(bool)  # connected?

    def __init__(self, session: Session, feed: ChangeFeed, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.session = session
        self.feed = feed
        self.bar = bar
        self.connected = True
        self.indicator = QLabel()
        self.indicator.setTextFormat(Qt.TextFormat.PlainText)
        bar.addPermanentWidget(self.indicator)
        self._notifier: QSocketNotifier | None = None
        self._attempt: threading.Thread | None = None
        self._attempt_error: str | None = None
        self._next_attempt = 0.0
        self._watch()
        self._show_state()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_INTERVAL_MS)
        self._timer.timeout.connect(self._check)
        self._timer.start()
        session.changed.connect(self._on_changes)

    # Reading the feed --------------------------------------------------------------------

    def _watch(self) -> None:
        self._unwatch()
        fd = self.feed.fileno()
        if fd >= 0:
            self._notifier = QSocketNotifier(fd, QSocketNotifier.Type.Read, self)
            self._notifier.activated.connect(self.read)

    def _unwatch(self) -> None:
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier.deleteLater()
            self._notifier = None

    def read(self) -> list[Changes]:
        """Announce what teammates changed since the last read, in order; returns it."""
        if not self.connected:
            return []
        try:
            records = self.feed.read()
            for changes in records:
                self.session.announce_from_elsewhere(changes)
        except ClaimmarkError as e:
            log.warning("change feed: %s", e)
            self._lost()
            return []
        return records

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything:  # re-read in one snapshot: what it saw is shown already
            self.feed.skip_seen()

    # The connection ----------------------------------------------------------------------

    def _check(self) -> None:
        if self.connected:
            if not self.feed.connected:
                self._lost()
            return
        attempt = self._attempt
        if attempt is not None and attempt.is_alive():
            return
        if attempt is not None:  # an attempt ended
            self._attempt = None
            if self._attempt_error is None:
                self._back()
                return
            self._show_state(self._attempt_error)
        if _now() >= self._next_attempt:
            self._next_attempt = _now() + RETRY_INTERVAL_S
            self._attempt_error = None
            self._attempt = threading.Thread(
                target=self._reconnect, name="claimmark-reconnect", daemon=True
            )
            self._attempt.start()

    def _reconnect(self) -> None:
        """In the background: a connection attempt may wait for an unreachable server."""
        try:
            self.feed.reconnect()
        except ClaimmarkError as e:
            self._attempt_error = str(e)
        except Exception as e:  # keep trying whatever went wrong
            log.exception("reconnecting failed")
            self._attempt_error = str(e)

    def _lost(self) -> None:
        if not self.connected:
            return
        self.connected = False
        self._unwatch()
        self._next_attempt = _now() + 0.5
        self._show_state()
        self.bar.showMessage(
            "The connection to the server is lost: changes are not saved until it is back. "
            "Reconnecting…"
        )
        self.connection_changed.emit(False)

    def _back(self) -> None:
        self.connected = True
        self._watch()
        try:  # everything is re-read in one snapshot, which the feed then skips
            self.session.announce_from_elsewhere(EVERYTHING)
        except ClaimmarkError as e:
            log.warning("catching up failed: %s", e)
            self._lost()
            return
        self._show_state()
        self.bar.showMessage("Reconnected to the server; up to date with everyone's changes.", 8000)
        self.connection_changed.emit(True)

    def _show_state(self, detail: str | None = None) -> None:
        name = self.session.store.name
        if self.connected:
            self.indicator.setText(f"● Live: {name}")
            self.indicator.setStyleSheet("color: #1A7F37;")
            self.indicator.setToolTip(
                "Connected to the server: teammates' changes show as they are made."
            )
        else:
            self.indicator.setText("● Connection lost")
            self.indicator.setStyleSheet("color: #B42318; font-weight: bold;")
            # The server's own words, or its name: shown as they are, never as markup.
            lost = detail or f"The connection to {name} is lost."
            self.indicator.setToolTip(dialogs.plain_tooltip(lost))

    def close(self) -> None:
        self._timer.stop()
        self._unwatch()
        self.feed.close()


def _now() -> float:
    return time.monotonic()


def attach(session: Session, bar: QStatusBar) -> Live | None:
    """Follow the project's change feed in the window (a server project); None for a file."""
    feed = session.store.change_feed()
    return None if feed is None else Live(session, feed, bar)
