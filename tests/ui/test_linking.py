"""Links and verdicts as a user makes them: by keyboard (L, move, Enter, the type's key; V and
the verdict's key), by Alt+drag, and the list's filters, drawing and undo."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from desktop.ui.highlight_list import LINKS, VERDICT
from desktop.ui.main_window import MainWindow
from tests.ui.conftest import select


def tag(qtbot, window: MainWindow, phrase: str, key: str) -> None:  # type: ignore[no-untyped-def]
    start = window.view.text.index(phrase)
    select(window, start, start + len(phrase))
    qtbot.keyClick(window.view, getattr(Qt.Key, f"Key_{key}"))


def cursor_into(window: MainWindow, phrase: str) -> None:
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(window.view.text.index(phrase) + 2))
    window.view.setTextCursor(cursor)


def press_in_popup(qtbot, key: Qt.Key, tries: int = 100) -> None:  # type: ignore[no-untyped-def]
    """Press `key` in the popup menu that is about to open (a chooser), once it is open."""

    def press() -> None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu) and popup.isVisible():
            qtbot.keyClick(popup, key)
        elif tries:
            press_in_popup(qtbot, key, tries - 1)

    QTimer.singleShot(20, press)


CLAIM = "A controversy arose needlessly"
EVIDENCE = "the American embassy in Moscow"


def test_link_evidence_to_a_claim_by_keyboard_then_undo_and_redo(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, EVIDENCE, "2")
    claim, evidence = sorted(window.store.highlights(), key=lambda h: h.tag_id)
    cursor_into(window, EVIDENCE)
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    assert "Linking from “the American embassy" in window.statusBar().currentMessage()
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_2)  # the second type: attacks
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    [link] = window.store.links()
    attacks = window.store.relation_types()[1]
    assert (link.from_id, link.to_id, link.type_id) == (evidence.id, claim.id, attacks.id)
    assert link.annotator == "tester"
    # Shown: the list's links column, the inspector, the margin.
    row = window.hl_panel.model.row_of(claim.id)
    assert window.hl_panel.model.index(row, LINKS).data() == "←1"
    qtbot.waitUntil(lambda: window.inspector.highlight is not None)
    assert window.inspector.links.count() == 1
    assert "attacks" in window.inspector.links.item(0).text()
    assert link.id in {k.id for k in window.link_margin._links_here()}
    window.undo_action.trigger()
    assert window.store.links() == []
    assert window.hl_panel.model.index(row, LINKS).data() == ""
    window.redo_action.trigger()
    assert window.store.links() == [link]


def test_escape_cancels_and_enter_outside_a_highlight_waits(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    cursor_into(window, CLAIM)
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    cursor = window.view.textCursor()
    cursor.setPosition(window.view.positions.to_qt(len(window.view.text) - 3))
    window.view.setTextCursor(cursor)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert "Move the cursor into the highlight" in window.statusBar().currentMessage()
    assert window.linking.active
    qtbot.keyClick(window.view, Qt.Key.Key_Escape)
    assert not window.linking.active
    assert window.store.links() == []


def test_deleting_a_highlight_takes_its_links_and_undo_brings_them_back(
    qtbot, window: MainWindow
) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, EVIDENCE, "2")
    cursor_into(window, EVIDENCE)
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_Return)  # Enter takes the first type: supports
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    [link] = window.store.links()
    cursor_into(window, CLAIM)
    qtbot.keyClick(window.view, Qt.Key.Key_Delete)
    assert window.store.links() == []
    window.undo_action.trigger()
    assert window.store.links() == [link]
    assert window.session.summary.links == {link.id: link}


def test_alt_drag_links_across_the_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, EVIDENCE, "2")
    view = window.view

    def point(phrase: str) -> QPoint:
        cursor = view.textCursor()
        cursor.setPosition(view.positions.to_qt(view.text.index(phrase) + 3))
        return view.cursorRect(cursor).center()

    press_in_popup(qtbot, Qt.Key.Key_1)
    qtbot.mousePress(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, point(EVIDENCE)
    )
    qtbot.mouseRelease(
        view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.AltModifier, point(CLAIM)
    )
    [link] = window.store.links()
    assert window.store.highlight(link.to_id).quote == CLAIM


def test_verdict_by_keyboard_shown_in_list_and_filtered(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, "Moscow", "2")
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_5)  # False
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    claim = next(h for h in window.store.highlights() if h.quote == CLAIM)
    assert window.store.rating(claim.rating_id).name == "False"
    model = window.hl_panel.model
    assert model.index(model.row_of(claim.id), VERDICT).data() == "False"
    panel = window.hl_panel
    panel.structure.setCurrentIndex(panel.structure.findData("judged"))
    assert [r.id for r in model.rows] == [claim.id]
    panel.structure.setCurrentIndex(panel.structure.findData("unsupported"))
    assert [r.id for r in model.rows] == [claim.id]  # a claim nothing supports yet
    panel.structure.setCurrentIndex(panel.structure.findData("idle"))
    assert [model.texts(r.id)[0] for r in model.rows] == ["Moscow"]
    # Link the evidence to the claim: the claim is no longer unsupported.
    cursor_into(window, "Moscow")
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_1)
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert model.rows == []  # the evidence now supports something
    panel.structure.setCurrentIndex(panel.structure.findData("unsupported"))
    assert model.rows == []
    # V on evidence says what verdicts are for.
    cursor_into(window, "Moscow")
    qtbot.keyClick(window.view, Qt.Key.Key_V)
    assert "Verdicts are given to claims" in window.statusBar().currentMessage()


def test_the_highlight_tab_shows_the_highlight_under_the_cursor_when_shown_again(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow
) -> None:
    window.open_document(1)
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, EVIDENCE, "2")
    claim, evidence = sorted(window.store.highlights(), key=lambda h: h.tag_id)
    inspector = window.inspector
    cursor_into(window, CLAIM)
    qtbot.waitUntil(lambda: inspector.highlight is not None and inspector.highlight.id == claim.id)
    assert inspector.links.count() == 0
    # The Scheme tab in front: the reader moves to the evidence and links it to the claim.
    window.side_tabs.setCurrentWidget(window.scheme_panel)
    assert not inspector.isVisible()
    cursor_into(window, EVIDENCE)
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    cursor_into(window, CLAIM)
    press_in_popup(qtbot, Qt.Key.Key_1)  # supports
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert len(window.store.links()) == 1
    with qtbot.waitSignal(window.view.current_highlight_changed) as moved:
        cursor_into(window, EVIDENCE)
    assert moved.args == [evidence.id]
    # The Highlight tab again: the evidence, with its new link, not the claim as it was.
    window.side_tabs.setCurrentWidget(inspector)
    assert inspector.highlight is not None
    assert inspector.highlight.id == evidence.id
    assert inspector.links.count() == 1
    assert "supports" in inspector.links.item(0).text()


def test_the_claim_picker_names_documents_and_starts_near_the_source(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch
) -> None:
    from desktop.ui.link_picker import LinkPicker
    from tests.ui.conftest import document_id_titled, tooltip_as_shown

    html_doc = document_id_titled(window, "<b>This is not bold")
    window.open_document(html_doc)
    tag(qtbot, window, "<b>This is not bold</b>", "1")
    window.open_document(1)
    long_claim = (
        "Clearly, Washington was in possession of some information which was at the very least "
        "credible enough in terms of its source but was not specific enough for Moscow."
    )
    tag(qtbot, window, CLAIM, "1")
    tag(qtbot, window, long_claim, "1")
    moscow = document_id_titled(window, "Moscow massacre")
    window.open_document(moscow)
    tag(qtbot, window, "Almost immediately, Daesh", "1")
    tag(qtbot, window, "Daesh has historically been at the service of Western powers.", "1")
    tag(qtbot, window, "body cam footage", "2")
    titles = {d.id: d.title for d in window.store.documents()}

    seen: dict[str, object] = {}

    def look_then_enter(picker: LinkPicker) -> int:
        picker.show()
        picker.activateWindow()
        qtbot.waitUntil(picker.isActiveWindow)
        assert picker.filter.hasFocus()
        rows = picker.list.model()
        shown = [
            (
                rows.index(r, 0).data(),
                rows.index(r, 1).data(),
                rows.index(r, 0).data(Qt.ItemDataRole.ToolTipRole),
            )
            for r in range(rows.rowCount())
        ]
        seen["rows"] = {quote: (where, tip) for quote, where, tip in shown}
        seen["current"] = rows.index(picker.list.currentIndex().row(), 0).data()
        seen["scrolls sideways"] = picker.list.horizontalScrollBar().isVisible()
        seen["quote fits"] = all(
            picker.list.visualRect(rows.index(r, c)).right() <= picker.list.viewport().width()
            for r in range(rows.rowCount())
            for c in range(rows.columnCount())
        )
        qtbot.keyClick(picker.filter, Qt.Key.Key_Return)
        return picker.result()

    monkeypatch.setattr(LinkPicker, "exec", look_then_enter)
    cursor_into(window, "body cam footage")
    qtbot.keyClick(window.view, Qt.Key.Key_L)
    press_in_popup(qtbot, Qt.Key.Key_Return)  # the link's type: the first
    qtbot.keyClick(window.view, Qt.Key.Key_L)  # L again: the picker
    # The nearest claim of this document is chosen, and is linked to on Enter.
    assert seen["current"] == "Almost immediately, Daesh"
    [link] = window.store.links()
    assert window.store.highlight(link.to_id).quote == "Almost immediately, Daesh"
    rows = seen["rows"]
    assert isinstance(rows, dict)
    # Claims of other documents name their document; those of this one need not.
    assert rows[CLAIM][0] == titles[1]
    assert rows["<b>This is not bold</b>"][0] == titles[html_doc]
    assert not rows["Almost immediately, Daesh"][0]
    # A long quote is cut to the width, whole in its tooltip, as plain text.
    assert not seen["scrolls sideways"]
    assert seen["quote fits"]
    assert tooltip_as_shown(rows[long_claim][1]) == long_claim
    assert tooltip_as_shown(rows["<b>This is not bold</b>"][1]) == "<b>This is not bold</b>"
