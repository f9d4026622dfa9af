"""Text that looks like HTML or Qt rich text shows as the characters it is, everywhere."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop.ui.dialogs import show_message
from desktop.ui.highlight_list import COLUMNS, NOTE, QUOTE, TAG
from desktop.ui.main_window import MainWindow
from desktop.ui.note_dialog import NoteDialog
from tests.ui.conftest import document_id_titled, select

MARKUP = '<b>bold</b> & <img src="x"> <a href="y">link</a>'


def test_markup_in_tags_notes_and_titles_stays_literal(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    tag = window.store.add_tag(MARKUP, "#0072B2", "4")
    window.session.reload()
    button = next(b for b in window.tag_panel.buttons() if b.tag.id == tag.id)
    assert button.text().startswith(MARKUP.replace("&", "&&"))  # && shows one &
    action = next(a for a in window.tags.tag_actions if a.shortcut().toString() == "4")
    assert MARKUP.replace("&", "&&") in action.text()

    doc_id = document_id_titled(window, "<b>This is not bold</b>")
    window.open_document(doc_id)
    select(window, 0, 23)
    qtbot.keyClick(window.view, Qt.Key.Key_4)
    h = window.store.highlights()[0]
    window.store.update_highlight(h.id, note=MARKUP)
    window.session.reload()
    window.hl_panel.show_all_documents(True)
    row = window.hl_panel.model.row_of(h.id)
    cells = [window.hl_panel.model.index(row, c).data() for c in range(len(COLUMNS))]
    assert cells[TAG] == MARKUP
    assert cells[QUOTE] == "<b>This is not bold</b>"
    assert cells[NOTE] == MARKUP
    tip = window.hl_panel.model.index(row, NOTE).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;img" in tip
    assert "<img" not in tip
    assert "&lt;b&gt;bold&lt;/b&gt;" in window.view.describe([h.id])
    assert window.status_line.document_label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>This is not bold</b>" in window.status_line.document_label.text()


def test_note_dialog_and_messages_are_plain_text(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    dialog = NoteDialog(None, "Note:", MARKUP, MARKUP)
    assert dialog.label.textFormat() == Qt.TextFormat.PlainText
    assert MARKUP in dialog.label.text()
    assert dialog.editor.toPlainText() == MARKUP
    dialog.deleteLater()
    shown: list[tuple[Qt.TextFormat, str]] = []
    monkeypatch.setattr(
        QMessageBox, "exec", lambda box: shown.append((box.textFormat(), box.text())) or 0
    )
    show_message(None, MARKUP)
    assert shown == [(Qt.TextFormat.PlainText, MARKUP)]
