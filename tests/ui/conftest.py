"""Fixtures for window tests: a seeded project, settings in a temporary folder, a shown window."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QMessageBox

from desktop.core.importing import import_paths
from desktop.core.model import Tag
from desktop.core.sqlite_store import SqliteStore
from desktop.ui.main_window import MainWindow
from tests.conftest import SAMPLES, SEED_DIGEST

WindowFactory = Callable[..., MainWindow]


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A modal dialog nobody answers would hang the suite: make it fail the test instead."""

    def refuse(dialog: QDialog) -> int:
        raise AssertionError(f"unexpected dialog: {dialog.windowTitle()!r}")

    monkeypatch.setattr(QDialog, "exec", refuse)
    monkeypatch.setattr(QMessageBox, "exec", refuse)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project file with the seed articles and the tricky samples."""
    path = tmp_path / "project.claimmark"
    store = SqliteStore.open(path)
    import_paths(
        store,
        [
            SEED_DIGEST,
            SAMPLES / "emoji-and-marks.txt",
            SAMPLES / "looks-like-html.txt",
            SAMPLES / "crlf.txt",
        ],
    )
    store.close()
    return path


@pytest.fixture
def make_window(qtbot, tmp_path: Path, project: Path) -> Iterator[WindowFactory]:  # type: ignore[no-untyped-def]
    """Open (and later close) windows on the project, as the app does."""
    opened: list[MainWindow] = []

    def make(path: Path = project, size: tuple[int, int] | None = None) -> MainWindow:
        store = SqliteStore.open(path)
        store.annotator = "tester"
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings)
        qtbot.addWidget(window)
        if size is not None:  # as a size kept from last time is, before the window shows
            window.resize(*size)
        with qtbot.waitExposed(window):
            window.show()
        with qtbot.waitActive(window):
            window.activateWindow()
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        window.store.close()


@pytest.fixture
def window(make_window: WindowFactory) -> MainWindow:
    return make_window()


def select(window: MainWindow, start: int, end: int) -> None:
    """Select [start, end) code points in the view, as a user dragging over the text would."""
    view = window.view
    cursor = view.textCursor()
    cursor.setPosition(view.positions.to_qt(start))
    cursor.setPosition(view.positions.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
    view.setTextCursor(cursor)


def document_id_titled(window: MainWindow, prefix: str) -> int:
    return next(d.id for d in window.store.documents() if d.title.startswith(prefix))


def tag_with_key(window: MainWindow, key: str) -> Tag:
    return next(t for t in window.session.summary.tags if t.key == key)


def tooltip_as_shown(tip: str) -> str:
    """A tooltip's text as Qt shows it: read as markup when it looks like markup."""
    from PySide6.QtGui import Qt, QTextDocument  # QtGui's Qt has mightBeRichText

    if not Qt.mightBeRichText(tip):
        return tip
    document = QTextDocument()
    document.setHtml(tip)
    return document.toPlainText()
