"""The highlight list: every highlight as a row, filtered by tag, document and text.

The model filters and sorts itself: a Python callback per row in a QSortFilterProxyModel costs
too much with 100,000 highlights, while one list comprehension over compact rows stays in
milliseconds. It follows the session: each change record adds, removes or updates its rows.
"""

from __future__ import annotations

import html
import itertools
import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPixmap, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QScrollArea,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import argument
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight, Tag
from desktop.core.summary import ProjectSummary
from desktop.ui.dialogs import local_time
from desktop.ui.session import Session

Index = QModelIndex | QPersistentModelIndex
log = logging.getLogger(__name__)

COLUMNS = ("Document", "Tag", "Quote", "Verdict", "Links", "Note", "Annotator", "Created")
DOC, TAG, QUOTE, VERDICT, LINKS, NOTE, ANNOTATOR, CREATED = range(len(COLUMNS))
# What the list can show, besides tags, document and text: (label, key).
STRUCTURE_FILTERS = (
    ("All highlights", ""),
    ("Claims without evidence", "unsupported"),
    ("Evidence that supports nothing", "idle"),
    ("Claims with a verdict", "judged"),
    ("Claims without a verdict", "unjudged"),
)
QUOTE_CHARS = 300


def one_line(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text[: limit * 2].split())  # a table cell shows a line; no need for more
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _swatch(colour: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(colour))
    return QIcon(pixmap)


class Row(NamedTuple):
    """A highlight as the list keeps it: small, because a project may have 100,000. Quote and
    note are read from the project for the rows on screen (see HighlightTableModel.texts)."""

    id: int
    document_id: int
    start: int
    end: int
    tag_id: int
    annotator: str
    created_at: str
    rating_id: int | None

    @classmethod
    def of(cls, h: Highlight) -> Row:
        return cls(
            h.id, h.document_id, h.start, h.end, h.tag_id, h.annotator, h.created_at, h.rating_id
        )


Matcher = Callable[[str], set[int]]  # ids whose quote or note holds the text (casefolded)
# A change to more highlights than this reloads the list instead of going row by row.
BULK_CHANGES = 500


RowTest = Callable[[Row], bool]


@dataclass
class HighlightFilterState:
    """What the list shows: tags toggled on, one document or all, a text to find, and a part of
    the argument structure (`structure`, a test made from the links and verdicts of the moment,
    see `structure_test`)."""

    tag_ids: set[int] | None = None  # None: all tags
    document_id: int | None = None  # None: all documents
    text: str = ""
    structure: RowTest | None = None
    annotators: frozenset[str] | None = None  # None: everyone's

    def accepts(self, h: Highlight) -> bool:
        """Whether the filter shows `h` (a highlight just made or changed)."""
        if self.tag_ids is not None and h.tag_id not in self.tag_ids:
            return False
        if self.document_id is not None and h.document_id != self.document_id:
            return False
        if self.structure is not None and not self.structure(Row.of(h)):
            return False
        if self.annotators is not None and h.annotator not in self.annotators:
            return False
        if self.text:
            needle = self.text.casefold()
            return needle in h.quote.casefold() or needle in h.note.casefold()
        return True

    def select(self, rows: list[Row], matching: Matcher) -> list[Row]:
        """The accepted rows, in their order: one pass per condition, no call per row."""
        chosen = rows
        if self.document_id is not None:
            document = self.document_id
            chosen = [r for r in chosen if r.document_id == document]
        if self.tag_ids is not None:
            tags = self.tag_ids
            chosen = [r for r in chosen if r.tag_id in tags]
        if self.annotators is not None:
            names = self.annotators
            chosen = [r for r in chosen if r.annotator in names]
        if self.structure is not None:
            chosen = list(filter(self.structure, chosen))
        if self.text:
            ids = matching(self.text)
            chosen = [r for r in chosen if r.id in ids]
        return list(chosen) if chosen is rows else chosen


def structure_test(key: str, summary: ProjectSummary) -> RowTest | None:
    """The test for one of STRUCTURE_FILTERS, from the links as they are now."""
    claims = argument.tag_ids_named(summary.tags, argument.CLAIM)
    supports = argument.support_type_ids(summary.relation_types)
    if key == "unsupported":
        held = argument.supported(summary.links.values(), supports)
        return lambda r: r.tag_id in claims and r.id not in held
    if key == "idle":
        evidence = argument.tag_ids_named(summary.tags, argument.EVIDENCE)
        used = argument.supporting(summary.links.values(), supports)
        return lambda r: r.tag_id in evidence and r.id not in used
    if key == "judged":
        return lambda r: r.tag_id in claims and r.rating_id is not None
    if key == "unjudged":
        return lambda r: r.tag_id in claims and r.rating_id is None
    return None


class HighlightTableModel(QAbstractTableModel):
    """All highlights of the project, kept sorted; `rows` are those the filter shows.

    Filtering keeps the sorted order, so a filter change is a few list comprehensions and no
    sort; a sort change re-sorts once.
    """

    TEXTS_KEPT = 4096  # quotes and notes kept in memory (the last ones read)
    PREFETCH = 64  # rows around one on screen whose texts are read with it

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._read_texts = session.store.highlight_texts
        self._matching = session.store.highlight_ids_matching
        self._texts: OrderedDict[int, tuple[str, str]] = OrderedDict()
        self._by_id: dict[int, Row] = {}
        self._sorted: list[Row] = []
        self.rows: list[Row] = []
        self.filter = HighlightFilterState()
        self._titles: dict[int, str] = {}
        self._tags: dict[int, Tag] = {}
        self._icons: dict[int, QIcon] = {}
        self._sort_column = DOC
        self._sort_order = Qt.SortOrder.AscendingOrder
        self.reset()
        session.changed.connect(self._on_changes)
        session.shown_annotators_changed.connect(lambda _whose: self._links_counted_anew())

    # Loading and filtering ---------------------------------------------------------------

    def reset(self) -> None:
        """Read every highlight of the project again."""
        summary = self.session.summary
        self._titles = {d.id: d.title for d in summary.documents}
        self._texts.clear()
        names: dict[str, str] = {}  # one string per annotator, not one per highlight
        self._sorted = [
            Row(i, d, s, e, t, names.setdefault(a, a), c, r)
            for i, d, s, e, t, a, c, r in self.session.store.highlight_rows()
        ]
        self._by_id = {r.id: r for r in self._sorted}
        self._set_tags(summary.tags)
        self._sorted.sort(key=self._sort_key(), reverse=self._reverse())
        self._refilter()

    def _on_changes(self, changes: Changes) -> None:
        if changes.everything or changes.highlight_count > BULK_CHANGES:
            self.reset()
            return
        if changes.documents:
            self._titles = {d.id: d.title for d in self.session.summary.documents}
        for h in changes.removed:
            self.remove(h)
        for h in changes.added:
            self.add(h)
        for _old, new in changes.changed:
            self.change(new)
        if changes.tags:
            self.set_tags(self.session.summary.tags)
        if changes.links or changes.ratings:
            self._links_or_verdicts_changed(changes)

    def _links_or_verdicts_changed(self, changes: Changes) -> None:
        """Redraw the rows whose links changed (and every verdict when the scale did)."""
        if changes.ratings:
            self._changed_column(0, len(self.rows) - 1, VERDICT)
        for link in (*changes.links_added, *changes.links_removed):
            for end in (link.from_id, link.to_id):
                row = self.row_of(end)
                if row is not None:
                    self._changed_column(row, row, LINKS)

    def _links_counted_anew(self) -> None:
        """Blind mode (or one annotator shown): the links column counts only the links of
        those shown, and a list sorted by it is sorted again."""
        if self._sort_column == LINKS:
            self.sort(LINKS, self._sort_order)
        else:
            self._changed_column(0, len(self.rows) - 1, LINKS)

    def _changed_column(self, first: int, last: int, column: int) -> None:
        if last >= first:
            self.dataChanged.emit(self.index(first, column), self.index(last, column))

    def set_tags(self, tags: list[Tag]) -> None:
        self._set_tags(tags)
        if self._sort_column == TAG:  # the tags' order is the sort order
            self.sort(TAG, self._sort_order)
        if self.rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1)
            )

    def _set_tags(self, tags: list[Tag]) -> None:
        self._tags = {t.id: t for t in tags}
        self._icons = {t.id: _swatch(t.colour) for t in tags}

    def set_filter(self, state: HighlightFilterState) -> None:
        self.filter = state
        self._refilter()

    def _refilter(self) -> None:
        self.beginResetModel()
        self.rows = self.filter.select(self._sorted, self._matching)
        self.endResetModel()

    # Quotes and notes, read when shown ---------------------------------------------------

    def _links_text(self, highlight_id: int) -> str:
        """ "→2 ←1": links from this highlight, and to it."""
        links = self.session.summary.links_of(highlight_id, self.session.shown_annotators)
        out = sum(1 for link in links if link.from_id == highlight_id)
        into = len(links) - out
        return " ".join(p for p in (f"→{out}" if out else "", f"←{into}" if into else "") if p)

    def texts(self, highlight_id: int) -> tuple[str, str]:
        """(quote, note) of a highlight in the list."""
        found = self._texts.get(highlight_id)
        if found is None:
            self._read([highlight_id])
            found = self._texts.get(highlight_id, ("", ""))
        return found

    def _read(self, ids: Sequence[int]) -> None:
        try:
            self._texts.update(self._read_texts(ids))
        except ClaimmarkError as e:  # a server out of reach: shown empty, read again later
            log.warning("cannot read the highlights' texts: %s", e)
            return
        while len(self._texts) > self.TEXTS_KEPT:
            self._texts.popitem(last=False)

    def _texts_for_row(self, row: int) -> tuple[str, str]:
        r = self.rows[row]
        if r.id not in self._texts:  # read the neighbours too: the view asks row after row
            lo = max(0, row - self.PREFETCH // 4)
            self._read([x.id for x in self.rows[lo : lo + self.PREFETCH]])
        return self.texts(r.id)

    def _reverse(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _sort_key(self) -> Callable[[Row], Any]:
        column = self._sort_column
        if column == DOC:
            return lambda r: (r.document_id, r.start, r.end, r.id)
        if column == TAG:
            positions = {t.id: t.position for t in self._tags.values()}
            return lambda r: (positions.get(r.tag_id, 0), r.document_id, r.start, r.id)
        if column in (QUOTE, NOTE):
            part = 0 if column == QUOTE else 1
            return lambda r: (self.texts(r.id)[part].casefold(), r.id)
        if column == VERDICT:
            values = {r.id: r.value for r in self.session.summary.ratings}
            return lambda r: (values.get(r.rating_id, 0) if r.rating_id else -1, r.id)
        if column == LINKS:
            links_of, whose = self.session.summary.links_of, self.session.shown_annotators
            return lambda r: (len(links_of(r.id, whose)), r.id)
        if column == ANNOTATOR:
            return lambda r: (r.annotator.casefold(), r.created_at, r.id)
        return lambda r: (r.created_at, r.id)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort_column = column
        self._sort_order = order
        old_ids = [r.id for r in self.rows]
        key, reverse = self._sort_key(), self._reverse()
        if column in (QUOTE, NOTE):  # needs every text once: read them all in one go
            every = self._read_texts(None)
            part = 0 if column == QUOTE else 1
            key = lambda r: (every.get(r.id, ("", ""))[part].casefold(), r.id)  # noqa: E731
        self._sorted.sort(key=key, reverse=reverse)
        self.rows.sort(key=key, reverse=reverse)
        new_rows = {r.id: i for i, r in enumerate(self.rows)}
        for index in self.persistentIndexList():
            if 0 <= index.row() < len(old_ids):
                row = new_rows[old_ids[index.row()]]
                self.changePersistentIndex(index, self.index(row, index.column()))
        self.layoutChanged.emit()

    # Incremental changes -----------------------------------------------------------------

    def _position(self, rows: list[Row], r: Row) -> int:
        """Where `r` belongs in sorted `rows` (binary search, either order)."""
        key, reverse = self._sort_key(), self._reverse()
        wanted = key(r)
        lo, hi = 0, len(rows)
        while lo < hi:
            mid = (lo + hi) // 2
            k = key(rows[mid])
            if (k > wanted) if reverse else (k < wanted):
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _find(self, rows: list[Row], r: Row) -> int | None:
        i = self._position(rows, r)
        if i < len(rows) and rows[i].id == r.id:
            return i
        return next((n for n, x in enumerate(rows) if x.id == r.id), None)

    def add(self, h: Highlight) -> None:
        if h.id in self._by_id:  # shown already (read in a re-read the record came after)
            self.remove(h)
        r = Row.of(h)
        self._by_id[r.id] = r
        self._texts[r.id] = (h.quote, h.note)
        self._sorted.insert(self._position(self._sorted, r), r)
        if self.filter.accepts(h):
            self._insert(r)

    def _insert(self, r: Row) -> None:
        row = self._position(self.rows, r)
        self.beginInsertRows(QModelIndex(), row, row)
        self.rows.insert(row, r)
        self.endInsertRows()

    def remove(self, h: Highlight) -> None:
        old = self._by_id.pop(h.id, None)
        if old is None:
            return
        i = self._find(self._sorted, old)
        if i is not None:
            del self._sorted[i]
        row = self._find(self.rows, old)
        if row is not None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
        self._texts.pop(h.id, None)

    def change(self, new: Highlight) -> None:
        """A highlight's tag, note or verdict changed: its row is updated in place, or moved
        to its new sorted place, never removed and inserted again (the view would then select
        the next row and lose this one)."""
        old = self._by_id.get(new.id)
        if old is None:
            self.add(new)
            return
        row = self._find(self.rows, old)  # found with the old texts, which sort it
        i = self._find(self._sorted, old)
        if i is not None:
            del self._sorted[i]
        r = Row.of(new)
        self._by_id[r.id] = r
        self._texts[r.id] = (new.quote, new.note)
        self._sorted.insert(self._position(self._sorted, r), r)
        shown = self.filter.accepts(new)
        if row is None:
            if shown:
                self._insert(r)
            return
        if not shown:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
            return
        del self.rows[row]
        to = self._position(self.rows, r)  # among the other rows
        if to == row:
            self.rows.insert(row, r)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
            return
        self.rows.insert(row, old)  # as it was, while the view is told of the move
        self.beginMoveRows(QModelIndex(), row, row, QModelIndex(), to + 1 if to > row else to)
        del self.rows[row]
        self.rows.insert(to, r)
        self.endMoveRows()
        self.dataChanged.emit(self.index(to, 0), self.index(to, len(COLUMNS) - 1))

    def row_of(self, highlight_id: int) -> int | None:
        r = self._by_id.get(highlight_id)
        return None if r is None else self._find(self.rows, r)

    def highlight(self, row: int) -> Row:
        return self.rows[row]

    def total(self) -> int:
        return len(self._by_id)

    # Qt model interface ------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section] if 0 <= section < len(COLUMNS) else None
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for about ten roles per visible cell at each repaint: answer the roles we do
        # not use first, and cheaply.
        if role not in _ROLES or not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        h = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == DOC:
                return one_line(self._titles.get(h.document_id, str(h.document_id)), 60)
            if column == TAG:
                tag = self._tags.get(h.tag_id)
                return tag.name if tag else "?"
            if column == QUOTE:
                return one_line(self._texts_for_row(index.row())[0])
            if column == NOTE:
                return one_line(self._texts_for_row(index.row())[1], 120)
            if column == VERDICT:
                rating = self.session.summary.rating(h.rating_id)
                return rating.name if rating else ""
            if column == LINKS:
                return self._links_text(h.id)
            if column == ANNOTATOR:
                return h.annotator
            return local_time(h.created_at)
        if role == Qt.ItemDataRole.DecorationRole:
            if column == VERDICT and h.rating_id is not None:
                rating = self.session.summary.rating(h.rating_id)
                return _swatch(rating.colour) if rating else None
            return self._icons.get(h.tag_id) if column == TAG else None
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == DOC:
                text = self._titles.get(h.document_id, "")
            elif column in (QUOTE, NOTE):
                text = self._texts_for_row(index.row())[0 if column == QUOTE else 1]
            else:
                return None
            return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>" if text else None
        return None


_ROLES = frozenset(
    {
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
    }
)


class HighlightListPanel(QWidget):
    """Filter bar (tag toggles, scope, argument structure, text) over the table of highlights."""

    highlight_activated = Signal(object)  # Row
    filter_changed = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model = HighlightTableModel(session, self)
        self._tag_buttons: dict[int, QToolButton] = {}
        self._open_document: int | None = None
        self._sized_for_screen = False  # columns fitted to the list's width (see showEvent)

        # The tag toggles scroll sideways when there are more than fit (a real coding scheme has
        # dozens of tags).
        self.tag_strip = QWidget()
        self.tag_bar = QHBoxLayout(self.tag_strip)
        self.tag_bar.setContentsMargins(0, 0, 0, 0)
        self.tag_bar.setSpacing(4)
        self.tag_bar.addStretch()
        self.tag_scroll = QScrollArea()
        self.tag_scroll.setObjectName("tagToggles")
        self.tag_scroll.setWidget(self.tag_strip)
        self.tag_scroll.setWidgetResizable(True)
        self.tag_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.tag_scroll.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.tag_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.scope = QComboBox()
        self.scope.addItems(["Open document", "All documents"])
        self.scope.setToolTip("Show the highlights of the open document or of all documents")
        self.structure = QComboBox()
        self.structure.setObjectName("structureFilter")
        for label, key in STRUCTURE_FILTERS:
            self.structure.addItem(label, key)
        self.structure.setToolTip(
            "Claims that no evidence supports (no “supports” link to them), evidence that "
            "supports no claim, claims with or without a verdict"
        )
        self.whose = QComboBox()
        self.whose.setObjectName("annotatorFilter")
        self.whose.setToolTip(
            "Whose highlights the list and the text show (others' are drawn more faintly)"
        )
        self.blind = False  # View > Blind Mode: only mine, whatever the list says
        self._before_blind = ""  # whose the menu showed when blind mode came on ("": all)
        self._listed: list[str] = []  # the project's annotators, as the menu lists them
        self.search = QLineEdit()
        self.search.setObjectName("highlightFilter")
        self.search.setPlaceholderText("Filter quotes and notes…")
        self.search.setClearButtonEnabled(True)
        self.count = QLabel()
        self.count.setObjectName("highlightCount")
        self.count.setToolTip(
            "Highlights the list shows (with its document, tags and filters), and all of the "
            "project's highlights"
        )
        self.table = QTableView()
        self.table.setObjectName("highlightTable")
        self.table.setModel(model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(DOC, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)  # Tab leaves the table, to the filter and tags
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QUOTE, QHeaderView.ResizeMode.Stretch)
        self.table.setAccessibleName("Highlights")

        for menu in (self.scope, self.structure, self.whose):  # shrink on a small screen
            menu.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            menu.setMinimumContentsLength(9)
        self.search.setMinimumWidth(self.search.fontMetrics().averageCharWidth() * 16)
        tags_row = QHBoxLayout()
        tags_row.addWidget(self.tag_scroll, 1)
        tags_row.addWidget(self.count)
        filters_row = QHBoxLayout()
        filters_row.addWidget(self.search, 3)
        for menu in (self.scope, self.structure, self.whose):
            filters_row.addWidget(menu, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.setSpacing(3)
        layout.addLayout(tags_row)
        layout.addLayout(filters_row)
        layout.addWidget(self.table)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        # Tab from the list goes to the text filter first, then the menus, then the toggles.
        chain = (self.table, self.search, self.scope, self.structure, self.whose)
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(120)
        self._debounce.timeout.connect(self.apply_filter)
        self.search.textChanged.connect(lambda _text: self._debounce.start())
        self.search.returnPressed.connect(self.go_to_rows)
        self.search.installEventFilter(self)
        self.scope.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.structure.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.whose.currentIndexChanged.connect(lambda _i: self.apply_filter())
        self.table.clicked.connect(self._activate)
        self.table.activated.connect(self._activate)
        model.modelReset.connect(self._update_count)
        model.rowsInserted.connect(self._update_count)
        model.rowsRemoved.connect(self._update_count)
        session.shown_annotators_changed.connect(lambda _whose: self._update_count())
        self.set_tags(session.summary.tags)
        self._fill_annotators()
        session.document_opened.connect(self.set_open_document)
        session.changed.connect(self._on_changes)
        session.annotator_changed.connect(lambda _name: self._fill_annotators())

    def _fill_annotators(self) -> None:
        """All, mine, and each annotator of the project; the choice is kept if it still can."""
        session = self.model.session
        chosen = self.whose.currentData()
        me = session.annotator
        self._listed = session.summary.annotators()
        names = [a for a in self._listed if a != me]
        blocker = self.whose.blockSignals(True)
        self.whose.clear()
        self.whose.addItem("Everyone's", "")
        self.whose.addItem(f"Mine ({me})", me)
        for name in names:
            self.whose.addItem(name, name)
        if self.blind:
            self.whose.setCurrentIndex(1)
        else:
            self.whose.setCurrentIndex(max(0, self.whose.findData(chosen)) if chosen else 0)
        self.whose.blockSignals(blocker)
        self.whose.setEnabled(not self.blind)
        self.apply_filter()

    def set_blind(self, blind: bool) -> None:
        """Blind mode: only my own highlights, in the list and in the text. Off again, whose
        the menu showed before (everyone's when blind mode was on from the start)."""
        if blind and not self.blind:
            self._before_blind = self.whose.currentData() or ""
        self.blind = blind
        blocker = self.whose.blockSignals(True)
        if blind:
            self.whose.setCurrentIndex(1)
        else:
            before = self.whose.findData(self._before_blind) if self._before_blind else 0
            self.whose.setCurrentIndex(max(0, before))
        self.whose.blockSignals(blocker)
        self.whose.setEnabled(not blind)
        self.apply_filter()

    def annotators_shown(self) -> frozenset[str] | None:
        """Whose highlights are shown (None: everyone's)."""
        if self.blind:
            return frozenset({self.model.session.annotator})
        chosen = self.whose.currentData()
        return frozenset({chosen}) if chosen else None

    def _on_changes(self, changes: Changes) -> None:
        if (changes.added or changes.everything or changes.progress) and self._listed != (
            self.model.session.summary.annotators()
        ):
            self._fill_annotators()  # someone new: an import, another window
        if changes.tags or changes.everything:
            self.set_tags(self.model.session.summary.tags)
            self.apply_filter()  # a new tag's toggle is on: its highlights show
        elif self.structure.currentData() and (
            changes.links or changes.ratings or changes.relation_types or changes.changed
        ):
            self.apply_filter()  # a claim got its evidence, or its verdict
        self._update_count()  # the project's number, when the change is to rows not listed

    def _size_columns(self) -> None:
        """Rows as tall as the font, and each column (but the quote, which takes the rest) as
        wide as its title and what it usually holds: the tags' and verdicts' names with their
        swatch, a date with its time. Again when the interface size changes the font."""
        # The panel's font: the table's own may not have changed yet when the panel hears of it.
        metrics = self.fontMetrics()
        self.table.verticalHeader().setDefaultSectionSize(metrics.height() + 8)
        summary = self.model.session.summary

        def widest(names: Iterable[str]) -> int:
            """The widest name with a swatch before it, up to 16 characters' worth."""
            found = max((metrics.horizontalAdvance(n) for n in names), default=0)
            return min(found, 16 * metrics.averageCharWidth()) + metrics.height() + 6

        char = metrics.averageCharWidth()
        content = {
            DOC: 12 * char,
            TAG: widest(t.name for t in summary.tags),
            VERDICT: widest(r.name for r in summary.ratings),
            LINKS: 4 * char,
            NOTE: 12 * char,
            ANNOTATOR: 8 * char,
            CREATED: metrics.horizontalAdvance(local_time("2026-11-29T10:00:00Z")),
        }
        wanted = {
            column: max(width, metrics.horizontalAdvance(COLUMNS[column])) + 12
            for column, width in content.items()
        }
        # The quote is what the list is for: in a narrow list (a small screen, a big font) the
        # other columns give way so that it keeps a third of the width.
        room = self.table.viewport().width() * 2 // 3
        share = min(1.0, room / sum(wanted.values())) if room > 0 else 1.0
        for column, width in wanted.items():
            self.table.horizontalHeader().resizeSection(column, max(3 * char, int(width * share)))

    def showEvent(self, event: QShowEvent) -> None:
        if not self._sized_for_screen:  # the first show gives the list its width
            self._sized_for_screen = True
            self._size_columns()
        super().showEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            self._size_columns()
        super().changeEvent(event)

    def set_tags(self, tags: list[Tag]) -> None:
        """One toggle per tag; tags that were off stay off."""
        off = {tid for tid, b in self._tag_buttons.items() if not b.isChecked()}
        for button in self._tag_buttons.values():
            self.tag_bar.removeWidget(button)
            button.deleteLater()
        self._tag_buttons = {}
        for tag in tags:
            button = QToolButton()
            button.setText(tag.name.replace("&", "&&"))
            button.setCheckable(True)
            button.setChecked(tag.id not in off)
            button.setToolTip(f"<p>Show {html.escape(tag.name)} highlights</p>")
            button.setAccessibleName(f"Show {tag.name}")
            button.setStyleSheet(
                f"QToolButton {{ border: 1px solid {tag.colour}; border-radius: 3px;"
                " padding: 2px 6px; }"
                f"QToolButton:checked {{ background: {tag.colour}; color: black; }}"
                "QToolButton:focus { border: 2px solid palette(highlight); }"
            )
            button.toggled.connect(lambda _on: self.apply_filter())
            self.tag_bar.insertWidget(self.tag_bar.count() - 1, button)  # before the stretch
            self._tag_buttons[tag.id] = button
        # As tall as a toggle, and its scroll bar when the toggles are more than fit. Measured
        # on the toggles themselves: in a shown window new ones are hidden until the next turn
        # of the event loop, and the strip's layout leaves them out until then.
        tallest = max((b.sizeHint().height() for b in self._tag_buttons.values()), default=0)
        margins = self.tag_bar.contentsMargins()
        bar = self.tag_scroll.horizontalScrollBar().sizeHint().height()
        self.tag_scroll.setFixedHeight(tallest + margins.top() + margins.bottom() + bar)

    def _column_menu(self, pos: QPoint) -> None:
        """The header's context menu: show or hide each column (small screens)."""
        header = self.table.horizontalHeader()
        menu = QMenu(self)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        for column, name in enumerate(COLUMNS):
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(column))
            action.setEnabled(column != QUOTE)
            action.toggled.connect(lambda on, c=column: header.setSectionHidden(c, not on))
        menu.popup(header.mapToGlobal(pos))

    def focus_filter(self) -> None:
        """Ctrl+L: the keyboard to the filter field, its text selected."""
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def go_to_rows(self) -> None:
        """Down or Enter in the filter field: the list filtered at once (not after the typing
        pause), and the keyboard on its first row, as a browser's search goes to the results."""
        if self._debounce.isActive():
            self.apply_filter()
        if self.model.rowCount():
            self.table.selectRow(0)
            self.table.scrollTo(self.model.index(0, 0))
        self.table.setFocus(Qt.FocusReason.OtherFocusReason)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            watched is self.search
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() == Qt.Key.Key_Down
            and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        ):
            self.go_to_rows()
            return True
        return super().eventFilter(watched, event)

    def toggle_tag(self, tag_id: int, on: bool) -> None:
        self._tag_buttons[tag_id].setChecked(on)

    def visible_tags(self) -> set[int] | None:
        on = {tid for tid, b in self._tag_buttons.items() if b.isChecked()}
        return None if len(on) == len(self._tag_buttons) else on

    def set_open_document(self, document_id: int | None) -> None:
        self._open_document = document_id
        if self.scope.currentIndex() == 0:
            self.apply_filter()

    def show_all_documents(self, all_documents: bool) -> None:
        self.scope.setCurrentIndex(1 if all_documents else 0)

    def state(self) -> HighlightFilterState:
        document = self._open_document if self.scope.currentIndex() == 0 else None
        if self.scope.currentIndex() == 0 and document is None:
            document = -1  # no document open: nothing to show
        structure = structure_test(self.structure.currentData() or "", self.model.session.summary)
        return HighlightFilterState(
            self.visible_tags(),
            document,
            self.search.text().strip(),
            structure,
            self.annotators_shown(),
        )

    def apply_filter(self) -> None:
        """List what the filters show; the selected highlight stays selected if still listed."""
        self._debounce.stop()
        current = self.table.currentIndex()
        kept = self.model.highlight(current.row()).id if current.isValid() else None
        # Whose highlights are shown is the session's, for every view: this menu and blind
        # mode choose it.
        self.model.session.show_annotators(self.annotators_shown())
        self.model.set_filter(self.state())
        if kept is not None:
            self.select_highlight(kept)
        self.filter_changed.emit()

    def _update_count(self) -> None:
        """How many highlights the list shows and how many the project has, each named (a bare
        "0 of 3" read as a count of the open document's highlights)."""
        session = self.model.session
        whose = session.shown_annotators  # blind mode: of mine
        total = self.model.total() if whose is None else session.summary.total_of(whose)
        self.count.setText(f"{self.model.rowCount()} shown of {total} in the project")

    def _activate(self, index: QModelIndex) -> None:
        if index.isValid():
            self.highlight_activated.emit(self.model.highlight(index.row()))

    def select_highlight(self, highlight_id: int) -> None:
        row = self.model.row_of(highlight_id)
        if row is not None:
            self.table.selectRow(row)
            self.table.scrollTo(self.model.index(row, 0))
