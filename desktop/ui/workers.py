"""Long work (imports, exports) off the GUI thread, with a progress dialog and Cancel.

The work function runs in a QThread and must open its own store connection: an sqlite3
connection belongs to the thread that opened it. It reports progress through the callback it is
given and checks `is_cancelled()` between steps.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop, QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import QProgressDialog, QPushButton, QWidget

from desktop.core.errors import ClaimmarkError
from desktop.core.progress import Cancelled

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)
Work = Callable[[Progress, Callable[[], bool]], Any]


class _Runner(QObject):
    progressed = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, work: Work) -> None:
        super().__init__()
        self.work = work
        self.cancel_event = threading.Event()

    @Slot()
    def run(self) -> None:
        try:
            result = self.work(
                lambda done, total, what: self.progressed.emit(done, total, what),
                self.cancel_event.is_set,
            )
        except Cancelled:
            self.failed.emit("")
        except ClaimmarkError as e:
            self.failed.emit(str(e))
        except Exception as e:  # a bug: keep the window alive and say what happened
            log.exception("background work failed")
            self.failed.emit(f"Unexpected error: {e}")
        else:
            self.done.emit(result)


class _Bridge(QObject):
    """Lives in the GUI thread, so the runner's signals reach it there (queued): the dialog
    and the event loop are only ever touched from the GUI thread."""

    def __init__(self, dialog: QProgressDialog, title: str, loop: QEventLoop) -> None:
        super().__init__()
        self.dialog = dialog
        self.title = title
        self.loop = loop
        self.outcome: tuple[bool, Any] = (False, "")
        self.stopping = False

    @Slot()
    def cancelling(self) -> None:
        """Say at once that the work is stopping; the worker rolls back what it had begun and
        stops at its next check, a moment later."""
        self.stopping = True
        self.dialog.setLabelText(f"{self.title}\nCancelling…")
        button = self.dialog.findChild(QPushButton)
        if button is not None:
            button.setEnabled(False)

    @Slot(int, int, str)
    def progressed(self, done: int, total: int, what: str) -> None:
        if self.stopping:
            return
        self.dialog.setMaximum(max(total, 0))
        self.dialog.setValue(min(done, total) if total else 0)
        if what:
            self.dialog.setLabelText(f"{self.title}\n{what}")

    @Slot(object)
    def done(self, result: Any) -> None:
        self.outcome = (True, result)
        self.loop.quit()

    @Slot(str)
    def failed(self, message: str) -> None:
        self.outcome = (False, message)
        self.loop.quit()


def run_with_progress(parent: QWidget, title: str, work: Work) -> tuple[bool, Any]:
    """Run `work` in a thread while a progress dialog shows; return (succeeded, result or message).

    A cancelled run returns (False, "").
    """
    dialog = QProgressDialog(title, "Cancel", 0, 0, parent)
    dialog.setWindowTitle("claimmark")
    dialog.setWindowModality(Qt.WindowModality.WindowModal)
    dialog.setMinimumDuration(400)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    loop = QEventLoop()
    bridge = _Bridge(dialog, title, loop)
    runner = _Runner(work)
    thread = QThread()
    runner.moveToThread(thread)
    runner.progressed.connect(bridge.progressed)
    runner.done.connect(bridge.done)
    runner.failed.connect(bridge.failed)
    dialog.canceled.connect(runner.cancel_event.set)
    dialog.canceled.connect(bridge.cancelling)
    thread.started.connect(runner.run)
    thread.start()
    loop.exec()
    thread.quit()
    thread.wait()
    dialog.close()
    dialog.deleteLater()
    ok, value = bridge.outcome
    if runner.cancel_event.is_set() and not ok:
        return False, ""
    return ok, value
