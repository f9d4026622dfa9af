"""Review > Agreement: how much the annotators agree (Krippendorff's alpha overall, per tag, per
document, per pair, with span F1), and the passages where they differ, each a jump to the text
with everyone's highlights shown. Computed off the GUI thread; stale after changes until
recomputed (F5 in the dialog)."""

from __future__ import annotations

import logging
from collections import OrderedDict
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.agreement import AgreementResult, Disagreement, Measure
from desktop.core.changes import Changes
from desktop.core.curation import disagreements
from desktop.core.errors import ClaimmarkError
from desktop.core.project import open_project
from desktop.ui import dialogs
from desktop.ui.session import Session
from desktop.ui.workers import run_with_progress

Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)
PASSAGE_CHARS = 80


def measure_text(m: Measure) -> str:
    return "—" if m.value is None else f"{m.value:.3f}"


def measure_item(m: Measure) -> QTableWidgetItem:
    item = QTableWidgetItem(measure_text(m))
    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    if m.reason:
        item.setToolTip(dialogs.plain_tooltip(m.reason))  # it may name an annotator
    return item


def compute(session: Session, parent: QWidget) -> tuple[AgreementResult, str] | None:
    """Agreement as the project is now, computed in the background (None: failed/cancelled)."""
    location = session.store.location

    def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
        store = open_project(location, read_only=True)
        try:
            progress(0, 1, "Reading highlights")
            return disagreements(store)
        finally:
            store.close()

    ok, result = run_with_progress(parent, "Computing agreement…", work)
    if not ok:
        if result:
            dialogs.show_message(parent, result)
        return None
    return result  # type: ignore[no-any-return]


class DisagreementModel(QAbstractTableModel):
    """The passages where annotators differ: document, passage, who said what."""

    COLUMNS = ("Document", "Passage", "Who said what")
    TEXTS_KEPT = 8  # documents' texts kept for the passages on screen (they alternate)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.passages: list[Disagreement] = []
        self._texts: OrderedDict[int, str] = OrderedDict()

    def set_passages(self, passages: list[Disagreement]) -> None:
        self.beginResetModel()
        self.passages = passages
        self._texts.clear()
        self.endResetModel()

    def documents_changed(self) -> None:
        """Documents were deleted, or given new texts: passages in documents no longer in the
        project go, and texts are read again."""
        summary = self.session.summary
        kept = [d for d in self.passages if summary.document(d.document_id) is not None]
        if len(kept) < len(self.passages):
            self.set_passages(kept)
        elif kept:
            self._texts.clear()
            self.dataChanged.emit(self.index(0, 0), self.index(len(kept) - 1, 1))

    def _text(self, document_id: int) -> str:
        """A document's text ("" when it cannot be read: a repaint reports no errors)."""
        text = self._texts.get(document_id)
        if text is not None:
            self._texts.move_to_end(document_id)
            return text
        try:
            text = self.session.store.text(document_id)
        except ClaimmarkError as e:
            log.warning("cannot show the passage: %s", e)
            return ""
        self._texts[document_id] = text
        while len(self._texts) > self.TEXTS_KEPT:
            self._texts.popitem(last=False)
        return text

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.passages)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole or not index.isValid():
            return None
        d = self.passages[index.row()]
        if index.column() == 0:
            info = self.session.summary.document(d.document_id)
            return info.title if info else str(d.document_id)
        if index.column() == 1:
            text = self._text(d.document_id)[d.start : d.end]
            flat = " ".join(text.split())
            return flat if len(flat) <= PASSAGE_CHARS else flat[: PASSAGE_CHARS - 1] + "…"
        return said_text(d)


def said_text(d: Disagreement) -> str:
    """ "ana: claim · bob: (none)": who said what over a passage."""
    return " · ".join(
        f"{who}: {', '.join(tags) if tags else '(none)'}" for who, tags in sorted(d.said.items())
    )


class AgreementDialog(QDialog):
    passage_chosen = Signal(object)  # Disagreement
    curate_requested = Signal()

    def __init__(self, session: Session, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.result: AgreementResult | None = None
        self.setWindowTitle("Agreement")
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.stale = QLabel()
        self.stale.setTextFormat(Qt.TextFormat.PlainText)
        recompute = QPushButton("&Recompute")
        recompute.clicked.connect(self.recompute)
        curate = QPushButton("&Curate…")
        curate.setToolTip("Settle the disagreements one by one into the gold version")
        curate.clicked.connect(self.curate_requested)
        self.tags = self._table(("Tag", "Alpha"))
        self.documents = self._table(("Document", "Alpha", "Annotators who count"))
        # Not `metric`: that is QPaintDevice.metric(), which Qt calls to paint the dialog.
        self.pair_measure = QComboBox()
        for label, key in (
            ("Alpha", "alpha"),
            ("F1, strict", "f1_strict"),
            ("F1, overlap", "f1_overlap"),
        ):
            self.pair_measure.addItem(label, key)
        self.pair_measure.currentIndexChanged.connect(lambda _i: self._fill_pairs())
        self.pairs = QTableWidget()
        self.pairs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        pairs_tab = QWidget()
        pairs_layout = QVBoxLayout(pairs_tab)
        pairs_layout.addWidget(self.pair_measure)
        pairs_layout.addWidget(self.pairs)
        self.passages = DisagreementModel(session, self)
        self.passage_table = QTableView()
        self.passage_table.setModel(self.passages)
        self.passage_table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.passage_table.horizontalHeader().setSectionResizeMode(
            1, QHeaderView.ResizeMode.Stretch
        )
        self.passage_table.verticalHeader().hide()
        self.passage_table.activated.connect(self._jump)
        self.passage_table.setToolTip("Enter or double-click: show the passage in the text")
        tabs = QTabWidget()
        tabs.addTab(self.tags, "&Tags")
        tabs.addTab(self.documents, "&Documents")
        tabs.addTab(pairs_tab, "&Pairs")
        tabs.addTab(self.passage_table, "D&isagreements")
        buttons = QHBoxLayout()
        buttons.addWidget(self.stale, 1)
        buttons.addWidget(recompute)
        buttons.addWidget(curate)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(tabs, 1)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Refresh, self, activated=self.recompute)
        session.changed.connect(self._on_changes)
        self.resize(760, 520)

    @staticmethod
    def _table(columns: tuple[str, ...]) -> QTableWidget:
        table = QTableWidget(0, len(columns))
        table.setHorizontalHeaderLabels(list(columns))
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        return table

    def _on_changes(self, changes: Changes) -> None:
        if changes.documents or changes.everything:
            self.passages.documents_changed()
        if self.result is not None and (changes.highlight_count or changes.everything):
            self.stale.setText("The project changed since: Recompute (F5) for current figures.")

    def recompute(self) -> None:
        computed = compute(self.session, self)
        if computed is not None:
            self.show_result(computed[0])

    def show_result(self, result: AgreementResult) -> None:
        self.result = result
        self.stale.setText("")
        names = ", ".join(result.annotators) or "nobody yet"
        self.summary.setText(
            f"Krippendorff's alpha (nominal), overall: {measure_text(result.overall)}"
            + (f" ({result.overall.reason})" if result.overall.reason else "")
            + f"\nAnnotators: {names}. {len(result.disagreements)} passages where they differ."
        )
        self.tags.setRowCount(0)
        for name, m in result.by_tag.items():
            row = self.tags.rowCount()
            self.tags.insertRow(row)
            self.tags.setItem(row, 0, QTableWidgetItem(name))
            self.tags.setItem(row, 1, measure_item(m))
        self.documents.setRowCount(0)
        for document_id, m in result.by_document.items():
            row = self.documents.rowCount()
            self.documents.insertRow(row)
            info = self.session.summary.document(document_id)
            self.documents.setItem(row, 0, QTableWidgetItem(info.title if info else "?"))
            self.documents.setItem(row, 1, measure_item(m))
            counting = ", ".join(result.counting.get(document_id, ()))
            self.documents.setItem(row, 2, QTableWidgetItem(counting))
        self._fill_pairs()
        self.passages.set_passages(list(result.disagreements))

    def _fill_pairs(self) -> None:
        """A matrix: each pair of annotators' agreement, by the chosen measure."""
        result = self.result
        if result is None:
            return
        names = list(result.annotators)
        key = self.pair_measure.currentData()
        self.pairs.clear()
        self.pairs.setRowCount(len(names))
        self.pairs.setColumnCount(len(names))
        self.pairs.setHorizontalHeaderLabels(names)
        self.pairs.setVerticalHeaderLabels(names)
        for pair in result.pairs:
            a, b = (names.index(n) for n in pair.annotators)
            m: Measure = getattr(pair, key)
            for row, column in ((a, b), (b, a)):
                self.pairs.setItem(row, column, measure_item(m))

    def _jump(self, index: QModelIndex) -> None:
        if index.isValid():
            self.passage_chosen.emit(self.passages.passages[index.row()])
