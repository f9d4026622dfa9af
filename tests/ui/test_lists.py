"""The document list and the highlight list: counts, filters, jumping, and model correctness."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt

from desktop.ui.main_window import MainWindow
from tests.ui.conftest import document_id_titled, select, tag_with_key
from tests.ui.test_linking import press_in_popup


def quotes(window: MainWindow) -> list[str]:
    """The quotes of the highlight list's rows, in order."""
    return [window.hl_panel.model.texts(r.id)[0] for r in window.hl_panel.model.rows]


def annotate(qtbot, window: MainWindow, doc_id: int, spans: list[tuple[str, int]]) -> None:  # type: ignore[no-untyped-def]
    window.open_document(doc_id)
    for phrase, key in spans:
        start = window.view.text.index(phrase)
        select(window, start, start + len(phrase))
        qtbot.keyClick(window.view, getattr(Qt.Key, f"Key_{key}"))


def test_models_pass_the_model_tester(qtmodeltester, qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 1, [("A controversy", 1), ("Moscow", 2)])
    qtmodeltester.check(window.doc_list.doc_model)
    window.hl_panel.show_all_documents(True)
    qtmodeltester.check(window.hl_panel.model)


def test_document_list_counts_and_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 2, [("A massive tragedy", 1), ("Crocus Concert Hall", 2)])
    row = window.doc_list.doc_model.row_of(2)
    subtitle = window.doc_list.doc_model.index(row).data(Qt.ItemDataRole.UserRole + 2)
    assert subtitle == "◐ in progress · Press TV · 2024-03-26 · 2 highlights"
    shares = window.doc_list.doc_model.index(row).data(Qt.ItemDataRole.UserRole + 3)
    assert [n for _, n in shares] == [1, 1, 0]
    # Down arrow in the list opens the next document.
    window.doc_list.setFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Down)
    assert window.view.document_id == window.doc_list.doc_model.document(row + 1).id
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Return)
    assert window.view.hasFocus()


def test_filter_by_tag_document_and_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 1, [("A controversy", 1), ("American embassy", 2), ("needlessly", 3)])
    annotate(qtbot, window, 2, [("A massive tragedy", 1)])
    panel = window.hl_panel
    assert quotes(window) == ["A massive tragedy"]  # open document
    panel.show_all_documents(True)
    assert len(window.hl_panel.model.rows) == 4
    panel.toggle_tag(tag_with_key(window, "1").id, False)
    assert sorted(quotes(window)) == ["American embassy", "needlessly"]
    qtbot.keyClicks(panel.search, "EMBASSY")
    qtbot.waitUntil(lambda: quotes(window) == ["American embassy"])
    assert panel.count.text() == "1 shown of 4 in the project"
    panel.search.clear()
    panel.apply_filter()
    # The text can show only the tags toggled on.
    window.open_document(1)
    start = window.view.text.index("A controversy")
    window.actions["filtered_tags_only"].setChecked(True)
    from tests.ui.test_annotating import drawn_background

    assert drawn_background(window, start + 2) is None
    window.actions["filtered_tags_only"].setChecked(False)
    assert drawn_background(window, start + 2) is not None


def test_clicking_a_row_opens_scrolls_and_selects(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    doc_id = document_id_titled(window, "Reviving ISIS")
    annotate(qtbot, window, doc_id, [("extraordinary synergies", 1)])
    window.open_document(1)
    window.hl_panel.show_all_documents(True)
    row = next(i for i, q in enumerate(quotes(window)) if q == "extraordinary synergies")
    index = window.hl_panel.model.index(row, 2)
    rect = window.hl_panel.table.visualRect(index)
    qtbot.mouseClick(window.hl_panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.view.document_id == doc_id
    assert window.view.selection_span() == (
        window.view.text.index("extraordinary synergies"),
        window.view.text.index("extraordinary synergies") + len("extraordinary synergies"),
    )
    cursor_rect = window.view.cursorRect()
    assert window.view.viewport().rect().contains(cursor_rect.center())


def test_next_and_previous_highlight(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(
        qtbot,
        window,
        1,
        [("A controversy", 1), ("Clearly, Washington", 1), ("However, in a strange", 1)],
    )
    cursor = window.view.textCursor()
    cursor.setPosition(0)
    window.view.setTextCursor(cursor)
    window.actions["next_highlight"].trigger()
    assert window.view.text[slice(*window.view.selection_span())] == "A controversy"
    window.actions["next_highlight"].trigger()
    assert window.view.text[slice(*window.view.selection_span())] == "Clearly, Washington"
    window.actions["previous_highlight"].trigger()
    assert window.view.text[slice(*window.view.selection_span())] == "A controversy"


def test_sorting_the_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 1, [("needlessly", 1), ("American embassy", 2), ("A controversy", 3)])
    window.hl_panel.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    assert quotes(window) == [
        "A controversy",
        "American embassy",
        "needlessly",
    ]
    window.hl_panel.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert quotes(window) == [
        "needlessly",
        "American embassy",
        "A controversy",
    ]
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)  # a new row lands in its sorted place
    assert quotes(window) == ["Ukraine’s", "needlessly", "American embassy", "A controversy"]


def test_find_in_document(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.find_bar.isVisible()
    qtbot.keyClicks(window.find_bar.field, "moscow")
    expected = window.view.text.lower().count("moscow")
    qtbot.waitUntil(lambda: len(window.find_bar.hits) == expected)  # once typing pauses
    hits = window.find_bar.hits
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert window.view.selection_span() == hits[0]
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert window.view.selection_span() == hits[1]
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert window.view.selection_span() == hits[0]
    assert window.find_bar.status.text() == f"1 of {len(hits)}"
    assert len(window.view.extraSelections()) >= len(hits)
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Escape)
    assert not window.find_bar.isVisible()
    assert window.view.hasFocus()


def test_find_starts_from_the_cursor(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    text = window.view.text
    second = text.index("Moscow", text.index("Moscow") + 1)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(second))
    window.view.setTextCursor(cursor)
    window.find_bar.open_bar()
    window.find_bar.field.setText("Moscow")
    qtbot.keyClick(window.find_bar.field, Qt.Key.Key_Return)
    assert window.view.selection_span() == (second, second + len("Moscow"))


def test_delete_a_document_and_undo(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []
    monkeypatch.setattr("desktop.ui.dialogs.ask", lambda _p, text, _c: asked.append(text) or True)
    annotate(qtbot, window, 2, [("A massive tragedy", 1)])
    before = (window.store.document(2), window.store.highlights())
    window.doc_list.setFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Delete)  # Delete in the list: the document
    assert "Its 1 highlight will be deleted" in asked[0]
    assert 2 not in [d.id for d in window.store.documents()]
    assert window.store.highlights() == []
    assert window.view.document_id != 2
    assert window.doc_list.doc_model.row_of(2) is None
    window.undo_action.trigger()
    assert (window.store.document(2), window.store.highlights()) == before
    assert window.doc_list.doc_model.row_of(2) is not None
    assert window.hl_panel.model.total() == 1
    window.redo_action.trigger()
    assert window.store.highlights() == []


def cursor_into(window: MainWindow, phrase: str) -> None:
    """Put the text cursor inside `phrase`, as a click there would."""
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(window.view.text.index(phrase) + 2))
    window.view.setTextCursor(cursor)


def selected_quotes(window: MainWindow) -> list[str]:
    """The quotes of the highlight list's selected rows, and of its current row."""
    table, model = window.hl_panel.table, window.hl_panel.model
    chosen = [
        model.texts(model.highlight(i.row()).id)[0] for i in table.selectionModel().selectedRows()
    ]
    current = table.currentIndex()
    return [*chosen, model.texts(model.highlight(current.row()).id)[0] if current.isValid() else ""]


def write_note(qtbot, window: MainWindow, monkeypatch, note: str) -> None:  # type: ignore[no-untyped-def]
    """N in the text, type the note, Ctrl+Enter."""
    from desktop.ui.note_dialog import NoteDialog

    def type_and_save(dialog: NoteDialog) -> int:
        dialog.show()
        dialog.activateWindow()
        qtbot.waitUntil(dialog.isActiveWindow)
        qtbot.keyClicks(dialog.editor, note)
        qtbot.keyClick(dialog.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return dialog.result()

    monkeypatch.setattr(NoteDialog, "exec", type_and_save)
    qtbot.keyClick(window.view, Qt.Key.Key_N)
    window.activateWindow()  # closed, the dialog gives the keys back to the window
    qtbot.waitUntil(window.isActiveWindow)


def test_a_changed_highlight_stays_selected_in_the_list(
    qtbot, window: MainWindow, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 1, [("A controversy", 1), ("needlessly", 3), ("American embassy", 2)])
    cursor_into(window, "needlessly")
    qtbot.waitUntil(lambda: selected_quotes(window) == ["needlessly", "needlessly"])
    write_note(qtbot, window, monkeypatch, "loaded word")
    assert [h.note for h in window.store.highlights() if h.quote == "needlessly"] == ["loaded word"]
    qtbot.wait(300)  # the list follows the cursor a moment later
    assert selected_quotes(window) == ["needlessly", "needlessly"]
    # Sorted by note, the note moves the row: it stays selected where it goes.
    window.hl_panel.table.sortByColumn(5, Qt.SortOrder.DescendingOrder)
    assert selected_quotes(window) == ["needlessly", "needlessly"]
    write_note(qtbot, window, monkeypatch, " and more")
    assert quotes(window)[0] == "needlessly"
    qtbot.wait(300)
    assert selected_quotes(window) == ["needlessly", "needlessly"]
    # A new tag, sorted by tag: the same.
    window.hl_panel.table.sortByColumn(1, Qt.SortOrder.AscendingOrder)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    assert quotes(window)[:2] == ["A controversy", "needlessly"]
    qtbot.wait(300)
    assert selected_quotes(window) == ["needlessly", "needlessly"]
    # A verdict (V, then its key), sorted by verdict: the same.
    window.hl_panel.table.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    press_in_popup(qtbot, Qt.Key.Key_1)
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    assert quotes(window)[0] == "needlessly"
    qtbot.wait(300)
    assert selected_quotes(window) == ["needlessly", "needlessly"]
    # Listing the claims with a verdict, which a change lists again: the same.
    window.hl_panel.structure.setCurrentIndex(window.hl_panel.structure.findData("judged"))
    write_note(qtbot, window, monkeypatch, ", checked")
    assert quotes(window) == ["needlessly"]
    qtbot.wait(300)
    assert selected_quotes(window) == ["needlessly", "needlessly"]


def drawn_in_rows(window: MainWindow, monkeypatch) -> dict[int, list[str]]:  # type: ignore[no-untyped-def]
    """The texts the document list paints in each document's row, as it paints them now."""
    from PySide6.QtGui import QPainter

    from desktop.ui.document_list import DOCUMENT_ID_ROLE

    painted: list[tuple[QRect, str]] = []
    draw = QPainter.drawText

    def record(painter: QPainter, *args: object) -> None:
        rect, text = args[0], args[-1]
        if isinstance(rect, QRect) and isinstance(text, str):
            painted.append((rect, text))
        draw(painter, *args)

    documents = window.doc_list
    with monkeypatch.context() as patch:
        patch.setattr(QPainter, "drawText", record)
        documents.viewport().repaint()
    width = documents.viewport().width()
    rows: dict[int, list[str]] = {}
    for row in range(documents.model().rowCount()):
        index = documents.model().index(row, 0)
        area = documents.visualRect(index)
        rows[index.data(DOCUMENT_ID_ROLE)] = [
            text
            for rect, text in painted
            if area.contains(rect.center()) and rect.left() >= 0 and rect.right() < width
        ]
    return rows


def test_the_done_mark_shows_in_the_document_list(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 2, [("A massive tragedy", 1)])  # in progress
    annotate(qtbot, window, 1, [("A controversy", 1)])
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)  # done
    for size in ((1300, 820), (1400, 900), (900, 600)):
        window.resize(*size)
        qtbot.wait(20)
        rows = drawn_in_rows(window, monkeypatch)
        assert any("✓ done" in text for text in rows[1]), (size, rows[1])
        assert any("◐ in progress" in text for text in rows[2]), (size, rows[2])
        assert not any("✓" in text or "◐" in text for text in rows[3]), (size, rows[3])


def test_down_or_enter_in_the_filter_goes_to_the_first_row(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    annotate(qtbot, window, 1, [("A controversy", 1), ("American embassy", 2), ("UK embassy", 2)])
    panel = window.hl_panel
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Return):
        window.view.setFocus()
        qtbot.keyClick(window.view, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
        assert panel.search.hasFocus()
        qtbot.keyClicks(panel.search, "embassy")
        qtbot.keyClick(panel.search, key)  # at once, before the typing pause filters
        assert panel.table.hasFocus()
        assert quotes(window) == ["American embassy", "UK embassy"]
        assert selected_quotes(window) == ["American embassy", "American embassy"]
        qtbot.keyClick(panel.table, Qt.Key.Key_Down)  # and on through the rows
        assert selected_quotes(window) == ["UK embassy", "UK embassy"]
        panel.search.clear()


def test_the_count_says_what_it_counts(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    from desktop.core.changes import Changes
    from desktop.core.sqlite_store import SqliteStore

    window = make_window(size=(900, 600))
    annotate(qtbot, window, 1, [("A controversy", 1), ("American embassy", 2), ("needlessly", 3)])
    count = window.hl_panel.count
    assert count.text() == "3 shown of 3 in the project"
    window.open_document(2)  # none here
    assert count.text() == "0 shown of 3 in the project"
    # Whole, in a window 900 pixels wide.
    assert count.isVisible()
    assert count.width() >= count.sizeHint().width()
    assert window.hl_panel.rect().contains(count.geometry())
    # A highlight made in another window, in another document, counts in the project's number.
    elsewhere = SqliteStore.open(window.store.location)
    elsewhere.annotator = "tester"
    added = elsewhere.add_highlight(1, 0, 9, tag_with_key(window, "1").id)
    elsewhere.close()
    window.session.announce_from_elsewhere(Changes(added=(added,)))
    assert count.text() == "0 shown of 4 in the project"
