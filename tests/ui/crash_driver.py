"""Drives the real window on a project, printing each highlight once it is drawn.

Run by test_crash_safety.py, which kills this process with SIGKILL at random moments and then
checks that every highlight reported here as saved is in the project. Not a test module.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtTest import QTest

from desktop.ui.app import Launcher, application

KEYS = {"1": Qt.Key.Key_1, "2": Qt.Key.Key_2, "3": Qt.Key.Key_3}


def main() -> None:
    project, settings_file, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    rng = random.Random(seed)
    app = application()
    launcher = Launcher(QSettings(settings_file, QSettings.Format.IniFormat), "crash-test")
    window = launcher.open(project)
    assert window is not None
    window.activateWindow()
    view = window.view
    print("ready", flush=True)

    def step() -> None:
        docs = window.store.documents()
        if view.document_id is None or rng.random() < 0.1:
            window.open_document(rng.choice(docs).id)
        text = view.text
        existing = window.store.highlights()
        if existing and rng.random() < 0.15:
            victim = rng.choice(
                [h for h in existing if h.document_id == view.document_id] or [None]
            )
            if victim is not None:
                cursor = view.textCursor()
                cursor.setPosition(view.positions.to_qt(victim.start + 1))
                view.setTextCursor(cursor)
                if view.current_highlight() == victim.id:
                    # Said before the key: a kill may come between the commit and any report.
                    print(f"deleting {victim.uuid}", flush=True)
                    QTest.keyClick(view, Qt.Key.Key_Delete)
                QTimer.singleShot(0, step)
                return
        start = rng.randrange(0, max(1, len(text) - 60))
        end = start + rng.randrange(5, 60)
        cursor = view.textCursor()
        cursor.setPosition(view.positions.to_qt(start))
        cursor.setPosition(view.positions.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        view.setTextCursor(cursor)
        before = {h.id for h in existing}
        QTest.keyClick(view, KEYS[rng.choice("123")])
        for h in window.store.highlights():
            drawn = view.index is not None and any(
                s.id == h.id for s in view.index.at(view.positions.to_qt(h.start))
            )
            if h.id not in before and drawn:
                print(f"saved {h.uuid}", flush=True)  # drawn: the user sees it as done
        QTimer.singleShot(0, step)

    QTimer.singleShot(0, step)
    app.exec()


if __name__ == "__main__":
    main()
