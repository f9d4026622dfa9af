"""The document list as a user searches, orders and edits it, and finding text in every
document."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette

from desktop.ui.document_list import DOCUMENT_ID_ROLE
from desktop.ui.main_window import MainWindow


def listed(window: MainWindow) -> list[str]:
    shown = window.doc_list.shown
    return [shown.index(r, 0).data() for r in range(shown.rowCount())]


def test_search_and_order_the_documents(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.doc_panel
    everything = listed(window)
    qtbot.keyClicks(panel.search, "the cradle")  # an outlet
    assert listed(window)
    assert len(listed(window)) < len(everything)
    assert all(window.doc_list.doc_model.document(r).outlet == "The Cradle" for r in (
        window.doc_list.shown.mapToSource(window.doc_list.shown.index(i, 0)).row()
        for i in range(window.doc_list.shown.rowCount())
    ))  # fmt: skip
    panel.search.clear()
    assert listed(window) == everything
    panel.order.setCurrentIndex(panel.order.findText("Title"))
    assert listed(window) == sorted(everything, key=str.casefold)
    panel.order.setCurrentIndex(panel.order.findText("Newest first"))
    dates = [window.session.summary.document(window.doc_list.shown.index(r, 0).data(
        Qt.ItemDataRole.UserRole + 1)).published for r in range(len(everything))]  # fmt: skip
    assert dates == sorted(dates, reverse=True)


def test_edit_a_documents_details_and_undo(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui import document_details

    window.open_document(1)
    old = window.session.summary.document(1)

    def answer(dialog: document_details.DocumentDetailsDialog) -> int:
        dialog.title.setText("A better title")
        dialog.published.setText("2024-03-29")
        dialog.url.setText("https://example.org/story")
        return 1

    monkeypatch.setattr(document_details.DocumentDetailsDialog, "exec", answer)
    window.actions["edit_document"].trigger()
    info = window.store.documents()[0]
    assert (info.title, info.published, info.url) == (
        "A better title",
        "2024-03-29",
        "https://example.org/story",
    )
    assert "A better title" in listed(window)
    assert window.status_line.document_label.text().startswith("A better title")
    window.undo_action.trigger()
    assert window.store.documents()[0] == old


def test_a_bad_date_is_refused_and_asked_again(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from desktop.ui import document_details

    window.open_document(1)
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    answers = iter([("29/03/2024", 1), ("", 0)])

    def answer(dialog: document_details.DocumentDetailsDialog) -> int:
        date, accepted = next(answers)
        dialog.published.setText(date)
        return accepted

    monkeypatch.setattr(document_details.DocumentDetailsDialog, "exec", answer)
    window.actions["edit_document"].trigger()
    assert "YYYY-MM-DD" in messages[0]
    assert window.store.documents()[0].published == "2024-03-28"


def test_find_in_all_documents_lists_and_jumps(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    window.actions["find_all"].trigger()
    search = window.editing._corpus_search
    assert search is not None
    qtbot.addWidget(search)
    search.field.setText("Daesh")
    search.search()
    assert search.results.count() > 1
    assert "document" in search.count.text()
    hits = [
        search.results.item(i).data(Qt.ItemDataRole.UserRole + 1)
        for i in range(search.results.count())
    ]
    other = next(h for h in hits if h.document_id != 1)
    search.results.setCurrentRow(hits.index(other))
    search.results.itemActivated.emit(search.results.currentItem())
    assert window.view.document_id == other.document_id
    start, end = window.view.selection_span()
    assert window.view.text[start:end].casefold() == "daesh"
    search.close()


def test_searching_the_documents_never_opens_one(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.doc_panel
    window.open_document(1)
    qtbot.keyClicks(panel.search, "the cradle")  # hides the open document
    assert window.session.document_id == 1
    assert window.view.document_id == 1
    assert not window.doc_list.selectionModel().hasSelection()  # not listed: none selected
    panel.search.clear()  # listed again: selected again, still open
    assert window.session.document_id == 1
    current = window.doc_list.currentIndex()
    assert current.data(DOCUMENT_ID_ROLE) == 1
    # The reader's choice opens one: Enter goes to the list, an arrow key moves and opens.
    qtbot.keyClicks(panel.search, "the cradle")
    qtbot.keyClick(panel.search, Qt.Key.Key_Return)
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Down)
    chosen = window.doc_list.currentIndex().data(DOCUMENT_ID_ROLE)
    assert chosen is not None
    assert window.session.summary.document(chosen).outlet == "The Cradle"
    assert window.session.document_id == chosen


def rows_drawn_selected(qtbot, window: MainWindow) -> list[int]:  # type: ignore[no-untyped-def]
    """The documents whose rows the screen shows selected: the window as last painted (its
    backing store), not painted afresh, so a row left unrepainted shows as it is."""
    qtbot.wait(50)  # the pending repaints
    image = window.screen().grabWindow(window.winId()).toImage()
    documents = window.doc_list
    selected = documents.palette().color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    drawn = []
    for row in range(documents.model().rowCount()):
        index = documents.model().index(row, 0)
        corner = documents.visualRect(index).topLeft() + QPoint(2, 2)
        if image.pixelColor(documents.viewport().mapTo(window, corner)) == selected:
            drawn.append(index.data(DOCUMENT_ID_ROLE))
    return drawn


def test_a_hit_in_another_document_leaves_one_row_selected(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.doc_list.setFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Down)  # the second document: Moscow massacre
    moscow = window.session.document_id
    qtbot.keyClick(window.doc_list, Qt.Key.Key_Return)
    assert rows_drawn_selected(qtbot, window) == [moscow]
    qtbot.keyClick(
        window.view,
        Qt.Key.Key_F,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    search = window.editing._corpus_search
    assert search is not None
    qtbot.addWidget(search)
    qtbot.keyClicks(search.field, "Moscow")
    qtbot.keyClick(search.field, Qt.Key.Key_Return)  # the first place: in the first document
    first = search.results.item(0).data(Qt.ItemDataRole.UserRole + 1).document_id
    assert first != moscow
    assert window.session.document_id == first
    chosen = window.doc_list.selectionModel()
    assert [i.data(DOCUMENT_ID_ROLE) for i in chosen.selectedRows()] == [first]
    assert chosen.currentIndex().data(DOCUMENT_ID_ROLE) == first
    assert rows_drawn_selected(qtbot, window) == [first]
    # Down the places to one in the Moscow article, Enter: that row alone, again.
    while search.results.currentItem().data(Qt.ItemDataRole.UserRole + 1).document_id != moscow:
        qtbot.keyClick(search.results, Qt.Key.Key_Down)
    qtbot.keyClick(search.results, Qt.Key.Key_Return)
    assert window.session.document_id == moscow
    assert [i.data(DOCUMENT_ID_ROLE) for i in chosen.selectedRows()] == [moscow]
    assert chosen.currentIndex().data(DOCUMENT_ID_ROLE) == moscow
    assert rows_drawn_selected(qtbot, window) == [moscow]
    search.close()
