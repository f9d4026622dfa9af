"""Real sources in the window: File > Import from URL (in the background, with progress and a
Cancel that stops a download), and what a document from the web or a PDF tells in its tooltips."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog, QPushButton

from desktop.ui.main_window import MainWindow
from tests.conftest import LocalWeb
from tests.core.test_import_sources import BARE_ARTICLE, PAGES, make_pdf
from tests.ui.conftest import select, tag_with_key


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _parent, text, **_kw: shown.append(text)
    )
    return shown


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the user types into the address box (set by the test), and what it offered them."""
    answers: list[str] = []

    def ask_for_url(_parent: object, suggestion: str = "") -> str | None:
        answers.append(f"offered: {suggestion}")
        return answers[0] if not answers[0].startswith("offered: ") else None

    monkeypatch.setattr("desktop.ui.dialogs.ask_for_url", ask_for_url)
    return answers


def test_import_from_url_adds_the_page_and_shows_its_address(
    window: MainWindow, local_web: LocalWeb, typed: list[str], messages: list[str]
) -> None:
    local_web.pages["/news/council"] = (200, "text/html", BARE_ARTICLE.format(meta="").encode())
    address = local_web.url("/news/council")
    QApplication.clipboard().setText(address)
    typed.append(address)
    before = window.doc_list.doc_model.rowCount()
    window.actions["import_url"].trigger()
    assert typed[1] == f"offered: {address}"  # the address on the clipboard
    assert messages == []
    assert window.doc_list.doc_model.rowCount() == before + 1
    [info] = [d for d in window.store.documents() if d.source == address]
    assert info.title == "Council votes on the budget"
    row = window.doc_list.doc_model.row_of(info.id)
    assert row is not None
    tip = window.doc_list.doc_model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert address in tip
    assert "from http" not in tip  # the address once, not again as where it came from
    assert "Added 1 document" in window.statusBar().currentMessage()


def test_offline_says_so_and_changes_nothing(
    window: MainWindow, typed: list[str], messages: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*_args: object, **_kw: object) -> None:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    typed.append("https://news.example/story")
    before = window.store.documents()
    window.actions["import_url"].trigger()
    [message] = messages
    assert "https://news.example/story: cannot find the server news.example" in message
    assert "offline" in message
    assert window.store.documents() == before


def test_what_is_not_a_web_address_is_not_fetched(
    window: MainWindow, typed: list[str], messages: list[str]
) -> None:
    typed.append("news.example/story")
    window.actions["import_url"].trigger()
    assert messages == [
        "“news.example/story” is not a web address: it starts with https:// or http://."
    ]


def test_cancel_stops_a_download_that_keeps_waiting(
    window: MainWindow, local_web: LocalWeb, messages: list[str]
) -> None:
    local_web.hanging.add("/slow")
    pressed: list[bool] = []

    def press_cancel() -> None:
        dialogs = [d for d in window.findChildren(QProgressDialog) if d.isVisible()]
        if not dialogs:  # not shown yet (it waits 400 ms before it shows)
            QTimer.singleShot(100, press_cancel)
            return
        pressed.append(True)
        button = dialogs[0].findChild(QPushButton)
        assert button.text() == "Cancel"
        button.click()

    QTimer.singleShot(100, press_cancel)
    before = window.store.documents()
    report = window.files.import_files([local_web.url("/slow")])
    assert pressed == [True]
    assert report is not None
    assert report.cancelled
    assert report.refused == []  # not given up on after the time-out: cancelled before
    assert messages == ["Cancelled: the rest was not imported."]
    assert window.store.documents() == before


def test_a_highlight_in_a_pdf_says_which_page_it_is_on(
    window: MainWindow, tmp_path: Path, qtbot
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "budget.pdf"
    make_pdf(path, PAGES, title="Library budget")
    report = window.files.import_files([path])
    assert report is not None
    [info] = report.documents_added
    window.open_document(info.id)
    start = window.view.text.index("Critics called")
    select(window, start, start + len("Critics called"))
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    [h] = [h for h in window.store.highlights() if h.document_id == info.id]
    assert h.tag_id == tag_with_key(window, "1").id
    assert "page 2" in window.view.describe([h.id])
    row = window.doc_list.doc_model.row_of(info.id)
    assert row is not None
    assert "4 pages" in window.doc_list.doc_model.index(row).data(Qt.ItemDataRole.ToolTipRole)
