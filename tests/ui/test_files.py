"""Import and export from the window: in the background, with the filter the list shows."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest
from PySide6.QtCore import QPoint, Qt

from desktop.core.sqlite_store import SqliteStore
from desktop.ui.main_window import MainWindow
from tests.conftest import SAMPLES
from tests.ui.conftest import select, tag_with_key


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _parent, text, **_kw: shown.append(text)
    )
    return shown


def test_import_files_adds_documents_and_reports_refusals(
    window: MainWindow, tmp_path: Path, messages: list[str]
) -> None:
    new = tmp_path / "new article.md"
    new.write_text("# Fresh news\n\nBy A | B | 2024-05-01\nBody.\n", encoding="utf-8")
    before = window.doc_list.doc_model.rowCount()
    report = window.files.import_files([new, SAMPLES / "binary.png", SAMPLES / "empty.txt"])
    assert report is not None
    assert [d.title for d in report.documents_added] == ["Fresh news"]
    assert window.doc_list.doc_model.rowCount() == before + 1
    assert "binary.png" in messages[0]
    assert "empty.txt" in messages[0]


def test_export_writes_what_the_filter_shows(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    for phrase, key in (("A controversy", Qt.Key.Key_1), ("American embassy", Qt.Key.Key_2)):
        start = window.view.text.index(phrase)
        select(window, start, start + len(phrase))
        qtbot.keyClick(window.view, key)
    window.hl_panel.toggle_tag(tag_with_key(window, "1").id, False)
    target = tmp_path / "out.json"
    assert window.files.export_to(target, "json")
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(h["quote"], h["tag"]) for h in data["highlights"]] == [
        ("American embassy", "evidence")
    ]
    assert [d["id"] for d in data["documents"]] == [1]
    assert not list(tmp_path.glob("*.part"))


def test_double_click_in_a_highlight_edits_its_note(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    start = window.view.text.index("A controversy")
    select(window, start, start + 13)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    monkeypatch.setattr("desktop.ui.note_dialog.ask_for_note", lambda *a: "why")
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(start + 4))
    rect = window.view.cursorRect(cursor)
    qtbot.mouseDClick(
        window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center() + QPoint(1, 0)
    )
    assert window.store.highlights()[0].note == "why"


def test_export_dialog_follows_the_format(tmp_path: Path) -> None:
    from desktop.ui.export_dialog import ExportDialog

    dialog = ExportDialog(None, 3, 10, tmp_path, "json")
    assert dialog.destination() == tmp_path / "highlights.json"
    assert dialog.filtered.isChecked()
    assert "(3)" in dialog.filtered.text()
    assert "(10)" in dialog.everything.text()
    dialog.format.setCurrentIndex(dialog.format.findData("brat"))
    assert dialog.destination() == tmp_path / "highlights"
    assert "folder" in dialog.hint.text()
    dialog.format.setCurrentIndex(dialog.format.findData("jsonl"))
    assert "Allow overlapping spans" in dialog.hint.text()
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    assert dialog.destination() == tmp_path / "highlights.csv"
    dialog.deleteLater()


def test_every_format_exports_from_the_window(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, messages
) -> None:
    from PySide6.QtWidgets import QInputDialog

    from desktop.core.formats import claimreview
    from desktop.core.registry import export_formats
    from tests.ui.test_linking import cursor_into, press_in_popup

    start = window.view.text.index("A controversy")
    select(window, start, start + 13)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    cursor_into(window, "A controversy")
    press_in_popup(qtbot, Qt.Key.Key_5)  # the verdict "False", for ClaimReview
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    # ClaimReview asks, the first time, who publishes the fact checks and where.
    answers = iter([("Fact Desk", True), ("https://factdesk.example/{id}", True)])
    asked: list[str] = []

    def answer(parent, title, label, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(label)
        return next(answers)

    monkeypatch.setattr(QInputDialog, "getText", answer)
    for name, fmt in export_formats().items():
        target = tmp_path / f"out-{name}{fmt.suffix}"
        assert window.files.export_to(target, name)
        if fmt.writes_folder:
            assert any(p.suffix == ".ann" for p in target.iterdir())
        else:
            assert "A controversy" in target.read_text(encoding="utf-8-sig")
    assert len(asked) == 2
    assert window.store.setting(claimreview.PUBLISHER_SETTING) == "Fact Desk"
    [review] = json.loads((tmp_path / "out-claimreview.jsonld").read_text(encoding="utf-8"))
    assert review["reviewRating"]["alternateName"] == "False"
    assert window.files.export_to(tmp_path / "again.jsonld", "claimreview")  # not asked again
    assert len(asked) == 2
    # What brat cannot carry was said: the verdict.
    assert any(
        "brat: 1 verdict (on a highlight tagged “claim”) is not written" in m for m in messages
    )


def test_long_work_can_be_cancelled(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import time

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from desktop.core.progress import Cancelled
    from desktop.ui.workers import run_with_progress

    def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            progress(1, 100, "busy")
            if is_cancelled():
                raise Cancelled
            time.sleep(0.01)
        return "finished"

    def press_cancel() -> None:
        dialog = window.findChild(QProgressDialog)
        assert dialog is not None
        dialog.findChild(QPushButton).click()

    QTimer.singleShot(300, press_cancel)
    started = time.monotonic()
    assert run_with_progress(window, "Working…", work) == (False, "")
    assert time.monotonic() - started < 5


def test_cancel_says_at_once_that_the_work_is_stopping(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """The worker may need a moment to roll back; the dialog says so from the click on, and
    its Cancel cannot be pressed again."""
    import threading

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    from desktop.core.progress import Cancelled
    from desktop.ui.workers import run_with_progress

    seen: list[tuple[str, bool]] = []
    stopped = threading.Event()

    def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
        while not is_cancelled():
            progress(1, 10, "step")
            stopped.wait(0.02)
        stopped.wait(5)  # rolling back
        progress(2, 10, "a step after the cancel")
        raise Cancelled

    def press_cancel() -> None:
        dialog = window.findChild(QProgressDialog)
        button = dialog.findChild(QPushButton)
        button.click()
        seen.append((dialog.labelText(), button.isEnabled()))
        QTimer.singleShot(
            100, lambda: (seen.append((dialog.labelText(), button.isEnabled())), stopped.set())
        )

    QTimer.singleShot(200, press_cancel)
    assert run_with_progress(window, "Working…", work) == (False, "")
    assert seen == [("Working…\nCancelling…", False)] * 2


def test_progress_reaches_the_dialog_while_the_work_runs(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import threading
    import time

    from PySide6.QtWidgets import QProgressDialog

    from desktop.ui.workers import run_with_progress

    gui = threading.get_ident()
    seen: list[tuple[int, bool]] = []
    real = QProgressDialog.setValue

    def recording(dialog: QProgressDialog, value: int) -> None:
        seen.append((value, threading.get_ident() == gui))
        real(dialog, value)

    QProgressDialog.setValue = recording  # type: ignore[method-assign]
    try:
        finished_at: list[float] = []

        def work(progress, _cancelled):  # type: ignore[no-untyped-def]
            for n in range(3):
                progress(n, 3, "step")
                time.sleep(0.1)
            finished_at.append(time.monotonic())
            return "done"

        assert run_with_progress(window, "Working…", work) == (True, "done")
    finally:
        QProgressDialog.setValue = real  # type: ignore[method-assign]
    assert [v for v, _ in seen] == [0, 1, 2]
    assert all(on_gui for _, on_gui in seen)  # widgets are touched from the GUI thread only


def test_the_export_dialog_asks_before_replacing_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QMessageBox

    from desktop.ui.export_dialog import ExportDialog

    folder = tmp_path / "highlights-brat"
    folder.mkdir()
    (folder / "my-notes.txt").write_text("mine", encoding="utf-8")
    asked: list[str] = []

    def answer(box: QMessageBox) -> QMessageBox.StandardButton:
        asked.append(box.text())
        return QMessageBox.StandardButton.Cancel

    monkeypatch.setattr(QMessageBox, "exec", answer)
    dialog = ExportDialog(None, 3, 10, tmp_path, "brat")
    assert dialog.destination() == folder
    dialog.accept()
    assert len(asked) == 1
    assert "my-notes.txt" in asked[0]
    assert "everything in it" in asked[0]
    assert dialog.result() != ExportDialog.DialogCode.Accepted

    import os

    os.mkfifo(tmp_path / "pipe.json")
    dialog.format.setCurrentIndex(dialog.format.findData("json"))
    dialog.path.setText(str(tmp_path / "pipe.json"))
    dialog.accept()
    assert "not a regular file" in dialog.hint.text()
    assert len(asked) == 1  # refused outright, not offered for replacing
    dialog.deleteLater()


def test_the_window_says_what_an_export_could_not_carry(
    qtbot,
    window: MainWindow,
    tmp_path: Path,
    messages: list[str],  # type: ignore[no-untyped-def]
) -> None:
    (tmp_path / ".out.json.claimmark-0123abcd.part").write_text("left by a killed export")
    assert window.files.export_to(tmp_path / "out.json", "json")
    assert len(messages) == 1
    assert ".out.json.claimmark-0123abcd.part" in messages[0]
    assert not (tmp_path / ".out.json.claimmark-0123abcd.part").exists()


def test_after_a_doccano_export_the_window_says_what_doccano_would_drop(
    qtbot,
    window: MainWindow,
    tmp_path: Path,
    messages: list[str],  # type: ignore[no-untyped-def]
) -> None:
    start = window.view.text.index("A controversy")
    for end in (start + 13, start + 30):  # two highlights, one inside the other
        select(window, start + (end - start - 13) // 2, end)
        qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert window.files.export_to(tmp_path / "out.jsonl", "jsonl")
    [message] = messages
    assert "1 label overlaps others" in message
    assert "Allow overlapping spans" in message


def _big_export(tmp_path: Path, highlights: int) -> Path:
    """A claimmark JSON export of one document with many highlights: one long import."""
    from desktop.core.formats import native
    from desktop.core.model import Highlight, NewDocument
    from desktop.core.sqlite_store import SqliteStore

    source = SqliteStore.open(tmp_path / "source.claimmark")
    text = "Alpha beta gamma delta. " * (highlights // 3 + 1)
    [doc] = source.add_documents([NewDocument(text=text, title="Big", source="big.txt")])
    moment = "2024-01-01T00:00:00.000Z"
    source.insert_highlights(
        [
            Highlight(
                0,
                f"h{n}",
                doc.id,
                n * 7,
                n * 7 + 5,
                1,
                text[n * 7 : n * 7 + 5],
                "",
                "",
                "",
                "ana",
                moment,
                moment,
            )
            for n in range(highlights)
        ],
        keep_ids=False,
    )
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps(native.export_native(source)))
    source.close()
    return path


def test_cancel_stops_the_import_of_a_single_file_at_once(
    qtbot,
    window: MainWindow,
    tmp_path: Path,
    messages: list[str],  # type: ignore[no-untyped-def]
) -> None:
    """Cancel works inside a file, not only between files: the file's transaction is rolled
    back, and nothing of it is in the project."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QProgressDialog, QPushButton

    path = _big_export(tmp_path, 60_000)
    before = len(window.store.highlights())
    documents_before = len(window.store.documents())
    real = QProgressDialog.setLabelText

    def cancel_once_the_file_is_named(dialog: QProgressDialog, text: str) -> None:
        real(dialog, text)
        if "big.json" in text:
            QTimer.singleShot(50, dialog.findChild(QPushButton).click)

    QProgressDialog.setLabelText = cancel_once_the_file_is_named  # type: ignore[method-assign]
    try:
        report = window.files.import_files([path])
    finally:
        QProgressDialog.setLabelText = real  # type: ignore[method-assign]
    assert report is not None
    assert report.cancelled
    assert report.merges == []
    assert len(window.store.highlights()) == before
    assert len(window.store.documents()) == documents_before


def test_the_window_keeps_answering_while_a_worker_reads_crafted_bylines(
    qtbot,
    window: MainWindow,
    tmp_path: Path,
    messages: list[str],  # type: ignore[no-untyped-def]
) -> None:
    """Each of these lines held the interpreter's lock for over a second while a worker read it,
    and the window stayed black while 5,000 of them were read. The window must never be stuck
    for a whole second (a guard against that, not a measure of speed)."""
    import itertools
    import time

    from PySide6.QtCore import QTimer

    from tests.core.test_digest import crafted_lines

    digest = tmp_path / "crafted.txt"
    lines = crafted_lines() * 8
    digest.write_text("A title\n" + "\n".join(lines) + "\nBody.\n", encoding="utf-8")
    ticks: list[float] = [time.monotonic()]
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start(20)
    report = window.files.import_files([digest])
    timer.stop()
    ticks.append(time.monotonic())
    assert report is not None
    assert [d.title for d in report.documents_added] == ["A title"]
    assert max(b - a for a, b in itertools.pairwise(ticks)) < 1.0


def export_what_the_list_shows(
    window: MainWindow, target: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """File > Export, "the highlights the list shows", saved to `target`; returns what the
    dialog offered."""
    from desktop.ui.export_dialog import ExportDialog

    offered: list[str] = []

    def answer(dialog: ExportDialog) -> int:
        offered.append(dialog.filtered.text())
        assert dialog.filtered.isChecked()
        dialog.format.setCurrentIndex(dialog.format.findData("json"))
        dialog.path.setText(str(target))
        dialog.accept()  # Save
        return dialog.result()

    monkeypatch.setattr(ExportDialog, "exec", answer)
    window.actions["export"].trigger()
    [text] = offered
    return text


def exported(target: Path) -> list[tuple[str, str]]:
    data = json.loads(target.read_text(encoding="utf-8"))
    return [(h["quote"], h["annotator"]) for h in data["highlights"]]


def test_export_of_the_list_writes_only_whose_highlights_it_shows(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_annotators import bobs_highlight
    from tests.ui.test_linking import tag

    window.open_document(1)
    tag(qtbot, window, "A controversy arose", "1")
    bobs_highlight(window, "American embassy")
    other = SqliteStore.open(window.store.location)
    other.set_done("bob", 1, "2026-11-24T03:12:51.123Z")  # Bob marks the article done
    other.close()
    window.session.reload()
    # Blind mode: the list shows my highlight only, and so does the export.
    window.actions["blind_mode"].setChecked(True)
    offered = export_what_the_list_shows(window, tmp_path / "blind.json", monkeypatch)
    assert "(1)" in offered
    assert exported(tmp_path / "blind.json") == [("A controversy arose", "tester")]
    data = json.loads((tmp_path / "blind.json").read_text(encoding="utf-8"))
    assert data["done"] == []  # nor that Bob is done with it
    # One annotator chosen in the list: that annotator's.
    window.actions["blind_mode"].setChecked(False)
    panel = window.hl_panel
    panel.whose.setCurrentIndex(panel.whose.findData("bob"))
    offered = export_what_the_list_shows(window, tmp_path / "bob.json", monkeypatch)
    assert "(1)" in offered
    assert exported(tmp_path / "bob.json") == [("American embassy", "bob")]


def test_export_of_the_list_writes_the_part_of_the_argument_it_shows(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.ui.test_linking import cursor_into, press_in_popup, tag

    window.open_document(1)
    tag(qtbot, window, "A controversy arose", "1")
    tag(qtbot, window, "American embassy", "1")
    cursor_into(window, "A controversy arose")
    press_in_popup(qtbot, Qt.Key.Key_5)  # the verdict "False"
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    panel = window.hl_panel
    panel.structure.setCurrentIndex(panel.structure.findData("judged"))  # claims with a verdict
    assert panel.model.rowCount() == 1
    offered = export_what_the_list_shows(window, tmp_path / "judged.json", monkeypatch)
    assert "(1)" in offered
    assert exported(tmp_path / "judged.json") == [("A controversy arose", "tester")]
    panel.structure.setCurrentIndex(panel.structure.findData("unjudged"))
    export_what_the_list_shows(window, tmp_path / "unjudged.json", monkeypatch)
    assert exported(tmp_path / "unjudged.json") == [("American embassy", "tester")]
