"""Annotating as a user does: select, press a key, and see the row saved and the colour drawn."""

from __future__ import annotations

import sqlite3
from collections import Counter

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor

from desktop.core.anchoring import trim_span
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import document_id_titled, select, tag_with_key


def drawn_background(window: MainWindow, cp: int) -> QColor | None:
    """The background colour on screen behind code point `cp` (None where nothing is drawn).

    Scrolls the position into view without moving the cursor, grabs the viewport, and takes
    the most common colour of that character's cell (the glyph covers only part of it).
    """
    view = window.view
    pos = view.positions.to_qt(cp)
    block = view.document().findBlock(pos)
    view.verticalScrollBar().setValue(block.firstLineNumber())
    image = view.viewport().grab().toImage()
    cursor = QTextCursor(view.document())
    cursor.setPosition(pos)
    here = view.cursorRect(cursor)
    cursor.setPosition(pos + 1)
    there = view.cursorRect(cursor)
    right = (
        there.left()
        if there.top() == here.top() and there.left() > here.left()
        else here.left() + 4
    )
    counts: Counter[int] = Counter()
    for x in range(here.left() + 1, right):
        for y in range(here.top() + 1, here.bottom()):
            counts[image.pixel(x, y)] += 1
    colour = QColor.fromRgb(counts.most_common(1)[0][0])
    base = view.palette().color(view.viewport().backgroundRole())
    return None if colour.rgb() == base.rgb() else colour


def on_white(colour: str, alpha: int) -> tuple[int, int, int]:
    """A tag colour painted at `alpha` over a white page."""
    c = QColor(colour)
    return tuple(
        round(v * alpha / 255 + 255 * (1 - alpha / 255)) for v in (c.red(), c.green(), c.blue())
    )  # type: ignore[return-value]


def rows(window: MainWindow) -> list[tuple]:
    conn = sqlite3.connect(window.store.location)
    try:
        return conn.execute(
            "SELECT document_id, start_pos, end_pos, quote, t.name, note FROM highlights h"
            " JOIN tags t ON t.id = h.tag_id ORDER BY h.id"
        ).fetchall()
    finally:
        conn.close()


def test_window_opens_on_the_first_article_with_focus_in_the_text(window: MainWindow) -> None:
    assert window.windowTitle() == "claimmark — project"
    assert window.view.hasFocus()
    assert window.view.toPlainText().startswith("Ukraine’s survival hangs in the balance\n")
    assert window.view.isReadOnly()


def test_select_and_press_key_saves_and_draws(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    text = window.view.text
    start = text.index("A controversy arose")
    end = start + len("A controversy arose needlessly")
    select(window, start - 1, end + 1)  # with white space at both edges: trimmed
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert rows(window) == [(1, start, end, "A controversy arose needlessly", "claim", "")]
    cursor = window.view.textCursor()
    cursor.setPosition(0)  # out of the highlight, so it is drawn as every other
    window.view.setTextCursor(cursor)
    expected = on_white(tag_with_key(window, "1").colour, window.view.formatter.alpha)
    drawn = drawn_background(window, start + 3)
    assert drawn is not None
    assert all(abs(a - b) <= 2 for a, b in zip(drawn.getRgb()[:3], expected, strict=True))
    assert drawn_background(window, end + 2) is None
    assert "1 highlight here" in window.status_line.document_label.text()


def test_keyboard_selection_then_key(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    view = window.view
    cursor = view.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.Start)
    view.setTextCursor(cursor)
    qtbot.keyClick(view, Qt.Key.Key_End, Qt.KeyboardModifier.ShiftModifier)  # the title line
    qtbot.keyClick(view, Qt.Key.Key_2)
    assert rows(window)[0][3] == "Ukraine’s survival hangs in the balance"
    assert rows(window)[0][4] == "evidence"


def test_retag_delete_note_undo_redo(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    view = window.view
    start = view.text.index("Clearly, Washington")
    select(window, start, start + 19)
    qtbot.keyClick(view, Qt.Key.Key_1)
    # The cursor sits in the new highlight: a tag key retags it.
    qtbot.keyClick(view, Qt.Key.Key_3)
    assert [r[4] for r in rows(window)] == ["opinion"]
    # N edits the note.
    monkeypatch.setattr(
        "desktop.ui.note_dialog.ask_for_note", lambda *args: "<b>loaded</b> wording"
    )
    qtbot.keyClick(view, Qt.Key.Key_N)
    assert rows(window)[0][5] == "<b>loaded</b> wording"
    # Delete removes it.
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert rows(window) == []
    assert drawn_background(window, start + 2) is None
    # Undo brings back the same highlight, note and tag; every step is in the database.
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert rows(window) == [
        (1, start, start + 19, "Clearly, Washington", "opinion", "<b>loaded</b> wording")
    ]
    assert drawn_background(window, start + 2) is not None
    window.undo_action.trigger()  # the note
    assert rows(window)[0][5] == ""
    window.undo_action.trigger()  # the retag
    assert rows(window)[0][4] == "claim"
    window.undo_action.trigger()  # the highlight itself
    assert rows(window) == []
    qtbot.keyClick(
        view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    assert [r[4] for r in rows(window)] == ["claim"]
    for _ in range(3):
        window.redo_action.trigger()
    assert rows(window) == []


def test_undone_delete_keeps_the_same_id(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    [before] = window.store.highlights()
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    window.undo_action.trigger()
    assert window.store.highlights() == [before]


def test_overlapping_highlights_both_stay_visible(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    text = window.view.text
    start = text.index("A controversy arose")
    select(window, start, start + 40)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    select(window, start + 10, start + 20)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    cursor = window.view.textCursor()
    cursor.setPosition(0)  # leave the highlights, so neither is shown as the current one
    window.view.setTextCursor(cursor)
    claim = drawn_background(window, start + 2)
    both = drawn_background(window, start + 12)
    assert claim is not None
    assert both is not None
    assert claim.rgb() != both.rgb()  # blended where they overlap
    assert len(window.store.highlights()) == 2


def test_emoji_sample_gives_exact_offsets(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    doc_id = document_id_titled(window, "Kyiv and the flag")
    window.open_document(doc_id)
    view = window.view
    text = view.text
    # Put the cursor after the family emoji with the keyboard and select the next word.
    cursor = view.textCursor()
    cursor.setPosition(view.positions.to_qt(text.index("families")))
    view.setTextCursor(cursor)
    for _ in range(len("families")):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_1)
    # And a span holding the combining accent and the text after the flag.
    start = text.index("Cafe\u0301")
    select(window, start, start + len("Cafe\u0301 owners"))
    qtbot.keyClick(view, Qt.Key.Key_3)
    flag = text.index("🇺🇦")
    select(window, flag, flag + len("🇺🇦: officials"))
    qtbot.keyClick(view, Qt.Key.Key_2)
    quotes = [(h.quote, text[h.start : h.end]) for h in window.store.highlights()]
    assert [q for q, _ in quotes] == ["🇺🇦: officials", "families", "Cafe\u0301 owners"]
    assert all(q == t for q, t in quotes)


def test_html_looking_text_shows_literally(window: MainWindow) -> None:
    doc_id = document_id_titled(window, "<b>This is not bold</b>")
    window.open_document(doc_id)
    assert window.view.toPlainText().startswith('<b>This is not bold</b> and <img src="x"')
    row = window.doc_list.doc_model.row_of(doc_id)
    assert (
        window.doc_list.doc_model.index(row).data()
        == '<b>This is not bold</b> and <img src="x" onerror="alert(1)"> is not an image.'
    )
    tooltip = window.doc_list.doc_model.index(row).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;This is not bold&lt;/b&gt;" in tooltip
    assert "<img" not in tooltip


def test_tag_button_applies_the_tag(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    select(window, 0, 9)
    evidence = next(b for b in window.tag_panel.buttons() if b.tag.name == "evidence")
    qtbot.mouseClick(evidence, Qt.MouseButton.LeftButton)
    assert [(h.quote, h.tag_id) for h in window.store.highlights()] == [
        ("Ukraine’s", evidence.tag.id)
    ]
    assert "evidence" in evidence.text()
    assert evidence.text().endswith("1")
    assert window.view.hasFocus()


def test_key_without_selection_explains(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert window.store.highlights() == []
    assert "Select a passage" in window.statusBar().currentMessage()


def test_copy_takes_the_stored_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    text = window.view.text
    start = text.index("conveyed.")
    select(window, start, start + len("conveyed.\nClearly"))
    data = window.view.createMimeDataFromSelection()
    assert data.text() == "conveyed.\nClearly"


def test_tooltip_describes_the_highlight_escaped(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    h = window.store.highlights()[0]
    window.store.update_highlight(h.id, note="<script>x</script>")
    window.session.reload()
    tip = window.view.describe([h.id])
    assert "&lt;script&gt;" in tip
    assert "claim" in tip
    assert "tester" in tip


def test_a_one_megabyte_line_is_broken_for_display_only(
    qtbot, window: MainWindow, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui.textpos import SPLIT_LINES_AT

    words = [f"word{n % 97}🇺🇦" if n % 50 == 0 else f"word{n % 97}" for n in range(150_000)]
    line = " ".join(words)
    assert len(line.encode()) > 1_000_000
    path = tmp_path / "one-line.txt"
    path.write_text(line, encoding="utf-8")
    report = window.files.import_files([path])
    assert report is not None
    doc = report.documents_added[0]
    assert window.store.document(doc.id).text == line  # stored exactly
    window.open_document(doc.id)
    assert window.view.blockCount() > len(line) // SPLIT_LINES_AT
    longest = max(len(b) for b in window.view.toPlainText().split("\n"))
    assert longest <= SPLIT_LINES_AT + 1
    # A selection across a display break gives the exact stored quote.
    start = 1_000_000 - 20
    select(window, start, start + 4000)
    qtbot.keyClick(window.view, Qt.Key.Key_2)
    [h] = window.store.highlights()
    begin, end = trim_span(line, start, start + 4000)
    assert (h.start, h.end) == (begin, end)
    assert h.quote == line[h.start : h.end]


def test_a_full_disk_is_said_and_nothing_is_shown_as_saved(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    conn = window.store._conn
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # not one page more: the disk is full
    length = len(window.view.text) - 200  # a long quote needs new pages
    select(window, 100, 100 + length)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert len(messages) == 1
    assert "disk is full" in messages[0]
    assert rows(window) == []
    assert window.view.index is not None
    assert len(window.view.index) == 0  # nothing drawn that is not saved
    assert window.hl_panel.model.total() == 0
    assert window.session.undo_stack.count() == 0
    conn.execute("PRAGMA max_page_count = 1073741823")  # space again: the same key works
    select(window, 100, 100 + length)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert len(rows(window)) == 1
