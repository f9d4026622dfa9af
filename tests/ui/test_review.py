"""Agreement and curation as a researcher uses them: three annotators' highlights, the Agreement
dialog's figures (the same as the core's), a jump to a disagreement, and settling every
disagreement by keyboard into a gold version that exports."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.core.agreement import compute_agreement, marks_of
from desktop.core.curation import settled
from desktop.core.model import HighlightFilter
from desktop.core.sqlite_store import SqliteStore
from desktop.ui.main_window import MainWindow

PHRASES = {  # annotator -> (phrase, tag id)
    "ana": [("A controversy arose needlessly", 1), ("the American embassy in Moscow", 2)],
    "bob": [("A controversy arose needlessly", 1), ("the American embassy", 3)],
    "cy": [("A controversy arose", 3)],
}


def three_annotators(window: MainWindow) -> None:
    window.open_document(1)
    text = window.view.text
    for name, marks in PHRASES.items():
        other = SqliteStore.open(window.store.location)
        other.annotator = name
        for phrase, tag in marks:
            start = text.index(phrase)
            other.add_highlight(1, start, start + len(phrase), tag)
        other.close()
    window.session.reload()


def test_agreement_dialog_matches_the_core_and_jumps(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    three_annotators(window)
    window.actions["agreement"].trigger()
    dialog = window.review.agreement
    assert dialog is not None
    qtbot.addWidget(dialog)
    store = window.store
    names = {t.id: t.name for t in store.tags()}
    expected = compute_agreement(
        {d.id: d.length for d in store.documents()}, marks_of(store.highlight_rows(), names)
    )
    assert dialog.result is not None
    assert dialog.result.overall == expected.overall
    assert dialog.pairs.rowCount() == 3
    pair = next(p for p in expected.pairs if set(p.annotators) == {"ana", "bob"})
    a, b = dialog.result.annotators.index("ana"), dialog.result.annotators.index("bob")
    assert dialog.pairs.item(a, b).text() == f"{pair.alpha.value:.3f}"
    assert dialog.passages.rowCount() == len(expected.disagreements) > 0
    first = dialog.passages.passages[0]
    dialog.passage_table.setCurrentIndex(dialog.passages.index(0, 0))
    dialog.passage_table.activated.emit(dialog.passages.index(0, 0))
    assert window.view.document_id == first.document_id
    assert window.view.selection_span() is not None
    assert window.hl_panel.annotators_shown() is None  # everyone's shown
    dialog.close()


def test_curation_settles_every_passage_by_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    three_annotators(window)
    window.actions["curation"].trigger()
    panel = window.review.curation
    assert panel is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is panel)
    total = len(panel.passages)
    assert total > 1
    assert "0 of" in panel.progress.text()
    first = panel.passage_now()
    assert first is not None
    ana = panel.choices.index("ana") + 1
    qtbot.keyClick(panel.versions, getattr(Qt.Key, f"Key_{ana}"))  # ana's version here
    gold = window.store.highlights(HighlightFilter(annotators=("gold",)))
    assert gold
    assert all(h.annotator == "gold" for h in gold)
    assert (first.document_id, first.start, first.end) in settled(window.store)
    window.undo_action.trigger()  # one decision, undone
    assert window.store.highlights(HighlightFilter(annotators=("gold",))) == []
    assert settled(window.store) == set()
    for _ in range(total):
        qtbot.keyClick(panel.versions, Qt.Key.Key_0 if _ % 2 else getattr(Qt.Key, f"Key_{ana}"))
    assert f"{total} of {total} settled" in panel.progress.text()
    assert len(settled(window.store)) == total
    panel.close()


def test_the_agreement_dialog_paints_and_switches_measures(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    three_annotators(window)
    window.actions["agreement"].trigger()
    dialog = window.review.agreement
    assert dialog is not None
    qtbot.addWidget(dialog)
    with qtbot.waitExposed(dialog):
        dialog.show()
    assert not dialog.grab().isNull()  # painted
    dialog.pair_measure.setCurrentIndex(dialog.pair_measure.findData("f1_strict"))
    assert dialog.pairs.item(0, 1).text() not in ("", None)
    dialog.close()


def disagree_on_two_documents(window: MainWindow) -> None:
    """Three annotators on the first article, and Ana and Bob differing on the second."""
    three_annotators(window)
    text = window.store.text(2)
    phrase = "A massive tragedy struck Moscow"
    start = text.index(phrase)
    for name, tag in (("ana", 1), ("bob", 2)):
        other = SqliteStore.open(window.store.location)
        other.annotator = name
        other.add_highlight(2, start, start + len(phrase), tag)
        other.close()
    window.session.reload()


def test_review_after_the_document_of_a_passage_is_deleted(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, monkeypatch
) -> None:
    from shiboken6 import isValid

    disagree_on_two_documents(window)
    window.actions["agreement"].trigger()
    dialog = window.review.agreement
    assert dialog is not None
    qtbot.addWidget(dialog)
    assert {d.document_id for d in dialog.passages.passages} == {1, 2}
    # Curation opened, closed (Escape) and opened again: the first panel is gone.
    window.actions["curation"].trigger()
    first = window.review.curation
    assert first is not None
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first)
    qtbot.keyClick(first.versions, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not isValid(first))
    window.actions["curation"].trigger()
    panel = window.review.curation
    assert panel is not None
    passage = panel.passage_now()
    assert passage is not None
    assert passage.document_id == 1
    # The first article is deleted (Document > Delete Document), then the project re-read
    # (View > Refresh): the passages in it go, the rest stay, and nothing breaks.
    monkeypatch.setattr("desktop.ui.dialogs.ask", lambda *_a: True)
    window.open_document(1)
    window.actions["delete_document"].trigger()
    assert window.store.documents()[0].id == 2
    window.actions["refresh"].trigger()
    assert {d.document_id for d in panel.passages} == {2}
    now = panel.passage_now()
    assert now is not None
    assert now.document_id == 2
    assert "massive tragedy" in panel.passage.text()
    assert "Passage 1 of 1" in panel.progress.text()
    assert {d.document_id for d in dialog.passages.passages} == {2}
    dialog.passage_table.viewport().repaint()
    assert "massive tragedy" in dialog.passages.index(0, 1).data()
    assert "Recompute" in dialog.stale.text()
    panel.close()
    dialog.close()


def test_the_disagreements_read_each_documents_text_once(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    disagree_on_two_documents(window)
    window.actions["agreement"].trigger()
    dialog = window.review.agreement
    assert dialog is not None
    qtbot.addWidget(dialog)
    reads: list[int] = []
    read_text = window.store.text

    def counted(document_id: int) -> str:
        reads.append(document_id)
        return read_text(document_id)

    window.store.text = counted  # type: ignore[method-assign]
    model = dialog.passages
    for _repaint in range(3):  # as the table asks, row after row
        shown = [model.index(row, 1).data() for row in range(model.rowCount())]
        assert all(shown)
    assert sorted(reads) == [1, 2]
    dialog.close()


def test_a_gold_name_that_cannot_be_stored_gets_a_message(  # type: ignore[no-untyped-def]
    qtbot, project, tmp_path, monkeypatch
) -> None:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QInputDialog, QPushButton

    from desktop.core.curation import GOLD_SETTING

    text = SqliteStore.open(project).text(1)
    for name, marks in PHRASES.items():
        other = SqliteStore.open(project)
        other.annotator = name
        for phrase, tag in marks:
            start = text.index(phrase)
            other.add_highlight(1, start, start + len(phrase), tag)
        other.close()
    store = SqliteStore.open(project, read_only=True)  # a project others may only read
    store.annotator = "tester"
    window = MainWindow(store, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _parent, text, **_kw: shown.append(text)
    )
    monkeypatch.setattr(QInputDialog, "getText", lambda *_a, **_kw: ("chief", True))
    window.actions["curation"].trigger()
    panel = window.review.curation
    assert panel is not None
    rename = next(b for b in panel.findChildren(QPushButton) if b.text() == "Gold &name…")
    qtbot.mouseClick(rename, Qt.MouseButton.LeftButton)
    assert len(shown) == 1
    assert "read-only" in shown[0]
    assert panel.gold == "gold"
    assert "Gold version: gold" in panel.gold_label.text()
    assert store.setting(GOLD_SETTING) is None
    panel.close()
    window.close()
    store.close()


def test_an_annotators_name_in_a_tooltip_shows_as_written(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from tests.ui.conftest import tooltip_as_shown

    three_annotators(window)
    other = SqliteStore.open(window.store.location)
    other.annotator = "<i>eve"  # the only one who annotated the second article
    other.add_highlight(2, 0, 9, 1)
    other.close()
    window.session.reload()
    window.actions["agreement"].trigger()
    dialog = window.review.agreement
    assert dialog is not None
    qtbot.addWidget(dialog)
    titles = [dialog.documents.item(r, 0).text() for r in range(dialog.documents.rowCount())]
    row = titles.index(window.session.summary.document(2).title)
    tip = dialog.documents.item(row, 1).toolTip()  # Alpha: "—", and why when hovered
    assert tooltip_as_shown(tip) == "one annotator only: <i>eve"
    dialog.close()
