"""The main window: documents on the left, the text in the centre over the highlight list, tags
on the right. It wires the widgets to the session and turns user intent into session calls.
"""

from __future__ import annotations

import hashlib
import html
import logging
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QListWidget,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop import __version__
from desktop.core.backup import (
    BACKUP_INTERVAL_S,
    BackupInfo,
    changed_since_last_backup,
    list_backups,
    make_backup,
)
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path
from desktop.core.importing import ImportReport, import_paths
from desktop.core.model import Highlight, HighlightFilter, Tag
from desktop.core.schema import free_colour
from desktop.core.sqlite_store import SqliteStore
from desktop.ui import actions as action_registry
from desktop.ui.document_list import DocumentList, DocumentListModel
from desktop.ui.document_view import DocumentView, describe_highlights
from desktop.ui.export_dialog import ExportDialog
from desktop.ui.find_bar import FindBar
from desktop.ui.guidelines import GuidelinesDialog
from desktop.ui.highlight_list import HighlightListPanel, HighlightTableModel, Row, local_time
from desktop.ui.note_dialog import ask_for_note
from desktop.ui.session import Session
from desktop.ui.tag_panel import TagDialog, TagPanel
from desktop.ui.workers import run_with_progress

log = logging.getLogger(__name__)


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def short_path(path: str | Path) -> str:
    """A path as people write it: the home folder as ~."""
    p = Path(path)
    try:
        return str(Path("~") / p.relative_to(Path.home()))
    except ValueError:
        return str(p)


def show_message(parent: QWidget | None, text: str, *, error: bool = True) -> None:
    """A message box whose text is never read as markup."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
    box.setWindowTitle("claimmark")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.exec()
    box.deleteLater()


def ask(parent: QWidget, text: str, confirm: str) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("claimmark")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    yes = box.addButton(confirm, QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    box.deleteLater()
    return box.clickedButton() is yes


def describe_import(report: ImportReport) -> str:
    lines = []
    if report.documents_added:
        lines.append(f"Added {len(report.documents_added)} document(s).")
    if report.documents_already_present:
        lines.append(f"{len(report.documents_already_present)} already in the project.")
    for name, merge in report.merges:
        lines.append(
            f"{Path(name).name}: {merge.highlights_added} highlight(s) added, "
            f"{merge.highlights_present} already present."
        )
        lines.extend(f"  skipped {s}" for s in merge.skipped[:20])
    if report.refused:
        lines.append("Refused:")
        lines.extend(f"  {r}" for r in report.refused)
    if report.cancelled:
        lines.append("Cancelled: the remaining files were not imported.")
    return "\n".join(lines) or "Nothing to import."


class BackupDialog(QDialog):
    """Pick one of the project's backups to restore."""

    def __init__(self, parent: QWidget, backups: list[BackupInfo]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Restore Backup")
        self.backups = backups
        self.list = QListWidget()
        for b in backups:
            when = b.made_at.astimezone().strftime("%Y-%m-%d %H:%M:%S")
            self.list.addItem(f"{when}   {b.documents} documents, {b.highlights} highlights")
        self.list.setCurrentRow(0)
        note = QLabel(
            "The project is replaced by the backup you choose. Its present state is kept as a "
            "backup first, so a restore can be undone by restoring that one."
        )
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(480, 320)

    def chosen(self) -> BackupInfo | None:
        row = self.list.currentRow()
        return self.backups[row] if 0 <= row < len(self.backups) else None


class MainWindow(QMainWindow):
    project_requested = Signal(object)  # Path of a project to open instead of this one
    restore_requested = Signal(object)  # Path of a backup to put in place of this project

    def __init__(self, store: SqliteStore, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.session = Session(store, self)
        self.store = store
        self.project_key = "projects/" + hashlib.sha1(store.location.encode()).hexdigest()[:16]
        self.setWindowTitle(f"claimmark — {Path(store.location).stem}")
        self.setAcceptDrops(True)

        self.doc_model = DocumentListModel(self)
        self.doc_list = DocumentList(self.doc_model)
        self.view = DocumentView()
        self.find_bar = FindBar()
        self.find_bar.cursor_position = lambda: self.view.cursor_position()
        self.find_bar.hide()
        self.hl_model = HighlightTableModel(
            store.highlight_texts, store.highlight_ids_matching, self
        )
        self.hl_panel = HighlightListPanel(self.hl_model)
        self.tag_panel = TagPanel()

        reader = QWidget()
        reader_layout = QVBoxLayout(reader)
        reader_layout.setContentsMargins(0, 0, 0, 0)
        reader_layout.setSpacing(0)
        reader_layout.addWidget(self.view)
        reader_layout.addWidget(self.find_bar)
        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.setObjectName("centreSplitter")
        self.centre.addWidget(reader)
        self.centre.addWidget(self.hl_panel)
        self.centre.setStretchFactor(0, 3)
        self.centre.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.doc_list)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(self.tag_panel)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 820, 220])
        self.centre.setSizes([560, 220])
        self.setCentralWidget(self.splitter)

        self.project_label = QLabel()
        self.project_label.setTextFormat(Qt.TextFormat.PlainText)
        self.document_label = QLabel()
        self.document_label.setTextFormat(Qt.TextFormat.PlainText)
        self.statusBar().addWidget(self.project_label)
        self.statusBar().addPermanentWidget(self.document_label)

        self.actions = action_registry.create_actions(self)
        self.tag_actions: list[QAction] = []
        self._build_menus()
        self._connect()

        self.view.describe = self._describe
        self._shown_once = False
        self._follow_cursor = QTimer(self)
        self._follow_cursor.setSingleShot(True)
        self._follow_cursor.setInterval(150)
        self._follow_cursor.timeout.connect(self._select_current_in_list)
        # A backup when the project opens, unless nothing changed since the newest one.
        self._changed_since_backup = changed_since_last_backup(Path(store.location))
        self._backup_thread: threading.Thread | None = None
        self._backup_timer = QTimer(self)
        self._backup_timer.setInterval(BACKUP_INTERVAL_S * 1000)
        self._backup_timer.timeout.connect(self.back_up_if_changed)
        self._backup_timer.start()
        self.resize(1300, 820)
        self._restore_layout()
        self._load_all()
        self._open_initial_document()
        self.back_up_if_changed()

    # Building ----------------------------------------------------------------------------

    def _build_menus(self) -> None:
        a = self.actions
        undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.StandardKey.Undo)
        redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Shift+Z") not in keys:
            keys.append(QKeySequence("Ctrl+Shift+Z"))
        redo.setShortcuts(keys)
        self.undo_action, self.redo_action = undo, redo

        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        for name in (
            "new_project",
            "open_project",
            None,
            "import",
            "import_brat",
            "export",
            None,
            "delete_document",
            "restore_backup",
            None,
            "quit",
        ):
            self._add_to_menu(file_menu, name)
        edit = bar.addMenu("&Edit")
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        for name in ("find", "find_next", "find_previous", None, "annotator"):
            self._add_to_menu(edit, name)
        self.highlight_menu = bar.addMenu("&Highlight")
        view = bar.addMenu("&View")
        for name in (
            "focus_text",
            "focus_documents",
            "focus_highlights",
            None,
            "filtered_tags_only",
            None,
            "zoom_in",
            "zoom_out",
            None,
            "refresh",
        ):
            self._add_to_menu(view, name)
        help_menu = bar.addMenu("&Help")
        for name in ("guidelines", "shortcuts", None, "about"):
            self._add_to_menu(help_menu, name)
        for name in action_registry.TEXT_ONLY:
            self.view.addAction(a[name])
        for name in action_registry.LIST_ONLY:
            self.doc_list.addAction(a[name])

    def _add_to_menu(self, menu: QMenu, name: str | None) -> None:
        """The registry's action `name`, or a separator for None."""
        if name is None:
            menu.addSeparator()
        else:
            menu.addAction(self.actions[name])

    def _rebuild_tag_actions(self) -> None:
        """One action per tag, keyed by the tag's key, firing only in the text."""
        for action in self.tag_actions:
            self.view.removeAction(action)
            action.deleteLater()
        self.tag_actions = []
        self.highlight_menu.clear()
        for tag in self.session.tags:
            action = QAction(f"Tag as {tag.name.replace('&', '&&')}", self)
            if tag.key:
                action.setShortcut(QKeySequence(tag.key))
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.triggered.connect(lambda _checked=False, t=tag.id: self.apply_tag(t))
            self.view.addAction(action)
            self.highlight_menu.addAction(action)
            self.tag_actions.append(action)
        self.highlight_menu.addSeparator()
        for name in ("edit_note", "delete_highlight", None, "next_highlight", "previous_highlight"):
            self._add_to_menu(self.highlight_menu, name)

    def _connect(self) -> None:
        a, s = self.actions, self.session
        a["quit"].triggered.connect(self.close)
        a["import"].triggered.connect(self.choose_import)
        a["export"].triggered.connect(self.choose_export)
        a["import_brat"].triggered.connect(self.choose_brat_import)
        a["new_project"].triggered.connect(self.choose_new_project)
        a["open_project"].triggered.connect(self.choose_open_project)
        a["restore_backup"].triggered.connect(self.choose_backup)
        a["delete_document"].triggered.connect(self.delete_open_document)
        a["find"].triggered.connect(self.open_find)
        a["find_next"].triggered.connect(self.find_bar.next)
        a["find_previous"].triggered.connect(self.find_bar.previous)
        a["annotator"].triggered.connect(self.choose_annotator)
        a["delete_highlight"].triggered.connect(self.delete_at_cursor)
        a["edit_note"].triggered.connect(self.edit_note_at_cursor)
        a["next_highlight"].triggered.connect(lambda: self.step_highlight(1))
        a["previous_highlight"].triggered.connect(lambda: self.step_highlight(-1))
        a["focus_text"].triggered.connect(self.view.setFocus)
        a["focus_documents"].triggered.connect(self.doc_list.setFocus)
        a["focus_highlights"].triggered.connect(self.hl_panel.table.setFocus)
        a["filtered_tags_only"].toggled.connect(lambda _on: self._apply_view_filter())
        a["zoom_in"].triggered.connect(lambda: self.view.zoom(1))
        a["zoom_out"].triggered.connect(lambda: self.view.zoom(-1))
        a["refresh"].triggered.connect(self.session.reload)
        a["guidelines"].triggered.connect(self.show_guidelines)
        a["shortcuts"].triggered.connect(self.show_shortcuts)
        a["about"].triggered.connect(self.show_about)

        s.highlight_added.connect(self._on_added)
        s.highlight_removed.connect(self._on_removed)
        s.highlight_changed.connect(self._on_changed)
        s.tags_changed.connect(self._on_tags_changed)
        s.reloaded.connect(self._reload)
        s.failed.connect(lambda message: show_message(self, message))
        s.undo_stack.indexChanged.connect(lambda _i: self._update_status())

        self.doc_list.document_chosen.connect(self.open_document)
        self.doc_list.activated.connect(lambda _index: self.view.setFocus())
        self.hl_panel.highlight_activated.connect(self.jump_to)
        self.hl_panel.filter_changed.connect(self._apply_view_filter)
        self.tag_panel.tag_clicked.connect(self.apply_tag)
        self.tag_panel.add_requested.connect(self.add_tag)
        self.tag_panel.edit_requested.connect(self.edit_tag)
        self.tag_panel.move_requested.connect(self.session.move_tag)
        self.tag_panel.delete_requested.connect(self.delete_tag)
        self.tag_panel.guidelines_requested.connect(self.show_guidelines)
        self.view.note_requested.connect(self.edit_note_at_cursor)
        self.view.current_highlight_changed.connect(self._on_current_highlight)
        self.find_bar.hits_changed.connect(self.view.set_search_hits)
        self.find_bar.hit_chosen.connect(self._show_find_hit)
        self.find_bar.closed.connect(self.view.setFocus)

    # Loading -----------------------------------------------------------------------------

    def _load_all(self) -> None:
        tags = self.session.tags
        docs = self.store.documents()
        self.doc_model.reset(docs, self.store.highlight_counts(), tags)
        self.hl_model.reset(self.store.highlight_rows(), docs, tags)
        self._on_tags_changed()

    def _reload(self) -> None:
        """Everything may have changed: re-read, and keep the open document and position."""
        current = self.view.document_id
        scroll = self.view.verticalScrollBar().value()
        cursor = self.view.textCursor()
        anchor, position = cursor.anchor(), cursor.position()
        self._load_all()
        ids = {d.id for d in self.store.documents()}
        if current in ids:
            assert current is not None
            self.open_document(current, again=True)
            restored = self.view.textCursor()
            restored.setPosition(min(anchor, self.view.positions.length_qt))
            restored.setPosition(
                min(position, self.view.positions.length_qt), restored.MoveMode.KeepAnchor
            )
            self.view.setTextCursor(restored)
            self.view.verticalScrollBar().setValue(scroll)
        else:
            self._open_initial_document()

    def _open_initial_document(self) -> None:
        wanted = self.settings.value(f"{self.project_key}/document")
        docs = self.store.documents()
        ids = [d.id for d in docs]
        try:
            wanted_id = int(wanted) if wanted is not None else None
        except (TypeError, ValueError):
            wanted_id = None
        if wanted_id in ids:
            assert wanted_id is not None
            self.open_document(wanted_id)
            position = self.settings.value(f"{self.project_key}/scroll")
            if position is not None:
                QTimer.singleShot(0, lambda: self.view.verticalScrollBar().setValue(int(position)))
        elif ids:
            self.open_document(ids[0])
        else:
            self.view.clear_document()
            self._update_status()

    def open_document(self, document_id: int, *, again: bool = False) -> None:
        """Show a document (`again`: re-read it even if it is the one shown)."""
        if document_id == self.view.document_id and not again:
            return
        try:
            doc = self.store.document(document_id)
            spans = self.store.spans(document_id)
        except ClaimmarkError as e:
            show_message(self, str(e))
            return
        self.view.show_document(doc, spans, self.session.tags)
        self.find_bar.set_text(doc.text)
        self.doc_list.select_document(document_id)
        self.hl_panel.set_open_document(document_id)
        self.settings.setValue(f"{self.project_key}/document", document_id)
        self._refresh_tag_panel()
        self._update_status()

    # Annotating --------------------------------------------------------------------------

    def apply_tag(self, tag_id: int) -> None:
        """The tag's key or button: tag the selection, or retag the highlight under the cursor."""
        if self.view.document_id is None:
            self.statusBar().showMessage("Open a document first.", 4000)
            return
        span = self.view.selection_span()
        if span is not None:
            exact = self._highlight_with_span(*span)
            if exact is not None:
                done = self.session.retag_highlight(exact, tag_id)
            else:
                done = self.session.create_highlight(self.view.document_id, *span, tag_id)
            if done is not None:
                self.view.collapse_selection()  # so the highlight shows in its colour
            return
        under = self.view.spans_at_cursor()
        if under:
            h = self.session.attempt(lambda: self.store.highlight(under[0].id))
            if h is not None:
                self.session.retag_highlight(h, tag_id)
            return
        self.statusBar().showMessage(
            "Select a passage first (mouse, or Shift+arrows), then press the tag's key.", 5000
        )

    def _highlight_with_span(self, start: int, end: int) -> Highlight | None:
        same = self.view.highlight_on(start, end)
        return None if same is None else self.session.attempt(lambda: self.store.highlight(same.id))

    def highlight_at_cursor(self) -> Highlight | None:
        under = self.view.spans_at_cursor()
        if not under:
            return None
        return self.session.attempt(lambda: self.store.highlight(under[0].id))

    def delete_at_cursor(self) -> None:
        h = self.highlight_at_cursor()
        if h is None:
            self.statusBar().showMessage("Put the cursor in a highlight to delete it.", 4000)
            return
        if self.session.delete_highlight(h):
            self.view.collapse_selection()  # a tag key now must not re-tag the same passage

    def edit_note_at_cursor(self) -> None:
        h = self.highlight_at_cursor()
        if h is None:
            self.statusBar().showMessage("Put the cursor in a highlight to write a note.", 4000)
            return
        tag = self.session.tag(h.tag_id)
        heading = f"Note on this {tag.name if tag else ''} highlight:"
        note = ask_for_note(self, heading, h.quote, h.note)
        if note is not None:
            self.session.set_note(h, note)

    def jump_to(self, h: Highlight | Row) -> None:
        """Open the highlight's document, scroll to it and select it."""
        self.open_document(h.document_id)
        self.view.select_span(h.start, h.end)
        self.hl_panel.select_highlight(h.id)

    def step_highlight(self, step: int) -> None:
        """Go to the next (or previous) highlight of the list, from the current one."""
        rows = self.hl_model.rows
        if not rows:
            self.statusBar().showMessage("No highlights in the list.", 3000)
            return
        current = self.view.current_highlight()
        row = None if current is None else self.hl_model.row_of(current)
        if row is None:
            position = self.view.cursor_position()
            doc = self.view.document_id
            after = [i for i, h in enumerate(rows) if h.document_id == doc and h.start > position]
            before = [i for i, h in enumerate(rows) if h.document_id == doc and h.start < position]
            if step > 0:
                row = after[0] if after else 0
            else:
                row = before[-1] if before else len(rows) - 1
        else:
            row = (row + step) % len(rows)
        self.jump_to(rows[row])
        self.view.setFocus()

    # Tags --------------------------------------------------------------------------------

    def add_tag(self) -> None:
        colour = free_colour({t.colour.upper() for t in self.session.tags})
        self._tag_dialog(None, colour, self.session.add_tag)

    def edit_tag(self, tag: Tag) -> None:
        self._tag_dialog(tag, tag.colour, lambda *values: self.session.edit_tag(tag, *values))

    def _tag_dialog(
        self, tag: Tag | None, colour: str, save: Callable[[str, str, str], Tag | None]
    ) -> None:
        """Ask for a tag's name, colour and key until they are accepted or the user cancels."""
        dialog = TagDialog(self, tag, colour)
        try:
            while dialog.exec():
                name, colour, key = dialog.values()
                if key and key.casefold() in self._reserved_keys():
                    show_message(self, f"The key {key} is taken by Edit Note; choose another.")
                elif save(name, colour, key) is not None:
                    return
        finally:
            dialog.deleteLater()

    def _reserved_keys(self) -> set[str]:
        """Single keys of the text's own actions (a tag key equal to one would fire neither)."""
        return {
            seq.toString().casefold()
            for name in action_registry.TEXT_ONLY
            for seq in self.actions[name].shortcuts()
            if len(seq.toString()) == 1
        }

    def delete_open_document(self) -> None:
        doc = self.view.document_id
        if doc is None:
            self.statusBar().showMessage("No document is open.", 4000)
            return
        title = self.view.text[:200].split("\n", 1)[0][:80]
        used = sum(self.doc_model.counts(doc).values())
        text = f"Delete the document “{title}” from this project?"
        if used:
            text += f"\n\nIts {plural(used, 'highlight')} will be deleted with it."
        text += " You can undo this (Ctrl+Z)."
        if ask(self, text, "Delete Document"):
            self.session.delete_document(doc)

    def delete_tag(self, tag: Tag) -> None:
        used = self.store.tag_usage(tag.id)
        text = f"Delete the tag “{tag.name}”?"
        if used:
            text += (
                f"\n\nIt holds {used} highlight{'s' if used != 1 else ''}, which will be deleted "
                "with it. You can undo this (Ctrl+Z)."
            )
        if ask(self, text, "Delete Tag"):
            self.session.delete_tag(tag)

    # Keeping the widgets in step with the session ----------------------------------------

    def _on_added(self, h: Highlight) -> None:
        self._changed_since_backup = True
        if h.document_id == self.view.document_id:
            self.view.add_span(h.id, h.start, h.end, h.tag_id)
        self.hl_model.add(h)
        self._follow_cursor.start()
        self.doc_model.count_changed(h, +1)
        self._refresh_tag_panel()
        self._update_status()

    def _on_removed(self, h: Highlight) -> None:
        self._changed_since_backup = True
        if h.document_id == self.view.document_id:
            self.view.remove_span(h.id)
        self.hl_model.remove(h)
        self._follow_cursor.start()
        self.doc_model.count_changed(h, -1)
        self._refresh_tag_panel()
        self._update_status()

    def _on_changed(self, old: Highlight, new: Highlight) -> None:
        self._changed_since_backup = True
        if new.document_id == self.view.document_id and old.tag_id != new.tag_id:
            self.view.replace_span(new.id, new.start, new.end, new.tag_id)
        self.hl_model.change(new)
        self._follow_cursor.start()
        if old.tag_id != new.tag_id:
            self.doc_model.count_changed(old, -1)
            self.doc_model.count_changed(new, +1)
            self._refresh_tag_panel()
        self._update_status()

    def _on_tags_changed(self) -> None:
        self._changed_since_backup = True
        tags = self.session.tags
        self._rebuild_tag_actions()
        self.view.set_tags(tags)
        self.hl_model.set_tags(tags)
        self.hl_panel.set_tags(tags)
        self.doc_model.set_tags(tags)
        self.tag_panel.set_tags(tags)
        self._refresh_tag_panel()
        self._apply_view_filter()

    def _refresh_tag_panel(self) -> None:
        doc = self.view.document_id
        self.tag_panel.set_counts(self.doc_model.counts(doc) if doc is not None else {})

    def _apply_view_filter(self) -> None:
        only = self.actions["filtered_tags_only"].isChecked()
        self.view.set_visible_tags(self.hl_panel.visible_tags() if only else None)

    def _on_current_highlight(self, _highlight_id: int | None) -> None:
        # The list follows the cursor a moment later, not in the same frame: scrolling and
        # annotating stay as fast as drawing the text.
        self._follow_cursor.start()

    def _select_current_in_list(self) -> None:
        current = self.view.current_highlight()
        if current is not None:
            self.hl_panel.select_highlight(current)

    def _describe(self, ids: list[int]) -> str:
        items = []
        for highlight_id in ids:
            h = self.session.attempt(lambda i=highlight_id: self.store.highlight(i))
            if h is not None:
                tag = self.session.tag(h.tag_id)
                items.append(
                    (tag.name if tag else "?", h.note, h.annotator, local_time(h.created_at))
                )
        return describe_highlights(items)

    def _update_status(self) -> None:
        self.project_label.setText(f"Project: {short_path(self.store.location)}")
        doc = self.view.document_id
        total = self.hl_model.total()
        if doc is None:
            self.document_label.setText(f"No document open · {total} highlights in the project")
            return
        in_doc = sum(self.doc_model.counts(doc).values())
        title = self.view.text[:200].split("\n", 1)[0][:60]
        self.document_label.setText(
            f"{title} · {plural(in_doc, 'highlight')} here · {total} in the project"
        )

    # Find --------------------------------------------------------------------------------

    def open_find(self) -> None:
        selected = self.view.selection_span()
        initial = self.view.text[selected[0] : selected[1]] if selected else ""
        self.find_bar.open_bar(initial if "\n" not in initial else "")

    def _show_find_hit(self, start: int, end: int) -> None:
        self.view.select_span(start, end)

    # Files -------------------------------------------------------------------------------

    def choose_import(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self,
            "Import Documents or Highlights",
            str(self.settings.value("last_folder", str(Path.home()))),
            "Documents and exports (*.txt *.md *.markdown *.json *.jsonld);;All files (*)",
        )
        if names:
            self.settings.setValue("last_folder", str(Path(names[0]).parent))
            self.import_files([Path(n) for n in names])

    def import_files(self, paths: list[Path]) -> ImportReport | None:
        """Import in the background with progress; report what happened."""
        location = self.store.location
        annotator = self.store.annotator

        def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
            store = SqliteStore.open(location, create=False)
            store.annotator = annotator
            try:
                return import_paths(
                    store,
                    paths,
                    on_progress=lambda done, total, name: progress(done, total, Path(name).name),
                    is_cancelled=is_cancelled,
                )
            finally:
                store.close()

        ok, result = run_with_progress(self, "Importing…", work)
        if not ok:
            if result:
                show_message(self, result)
            return None
        report: ImportReport = result
        self.session.reload()
        if report.documents_added and self.view.document_id is None:
            self.open_document(report.documents_added[0].id)
        if report.refused or report.merges or report.cancelled:
            show_message(self, describe_import(report), error=bool(report.refused))
        else:
            self.statusBar().showMessage(describe_import(report), 8000)
        return report

    def current_filter(self) -> HighlightFilter | None:
        """The highlight list's filter for the core's exporter; None when it shows no tag."""
        state = self.hl_panel.state()
        tag_names: tuple[str, ...] = ()
        if state.tag_ids is not None:
            tag_names = tuple(t.name for t in self.session.tags if t.id in state.tag_ids)
            if not tag_names:
                return None
        documents = (state.document_id,) if state.document_id is not None else ()
        return HighlightFilter(tag_names=tag_names, document_ids=documents, text=state.text)

    def choose_export(self) -> None:
        folder = Path(str(self.settings.value("last_folder", str(Path.home()))))
        fmt = str(self.settings.value("export_format", "json"))
        dialog = ExportDialog(self, self.hl_model.rowCount(), self.hl_model.total(), folder, fmt)
        accepted = dialog.exec()
        path, chosen = dialog.destination(), dialog.chosen_format().name
        everything = dialog.everything_chosen()
        dialog.deleteLater()
        if not accepted or path is None:
            return
        self.settings.setValue("last_folder", str(path.parent))
        self.settings.setValue("export_format", chosen)
        where = HighlightFilter() if everything else self.current_filter()
        self.export_to(path, chosen, where)

    def export_to(self, path: Path, fmt: str, where: HighlightFilter | None = None) -> bool:
        """Export in the background with progress; `where` defaults to the list's filter."""
        location = self.store.location
        if where is None:
            where = self.current_filter()
        if where is None:
            show_message(self, "Every tag is toggled off in the highlight list: nothing to export.")
            return False
        chosen = where

        def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
            store = SqliteStore.open(location, create=False, read_only=True)
            try:
                return export_to_path(
                    store,
                    fmt,
                    path,
                    chosen,
                    replace=True,  # the export dialog asked before anything is replaced
                    on_progress=lambda done, total: progress(done, total, path.name),
                    is_cancelled=is_cancelled,
                )
            finally:
                store.close()

        ok, result = run_with_progress(self, "Exporting…", work)
        if ok and result.notes:
            show_message(self, "\n\n".join([f"Exported to {path}.", *result.notes]), error=False)
        elif ok:
            self.statusBar().showMessage(f"Exported to {path}", 8000)
        elif result:
            show_message(self, result)
        return ok

    def choose_brat_import(self) -> None:
        name = QFileDialog.getExistingDirectory(
            self,
            "Import a brat Folder",
            str(self.settings.value("last_folder", str(Path.home()))),
        )
        if name:
            self.settings.setValue("last_folder", str(Path(name).parent))
            self.import_files([Path(name)])

    def choose_new_project(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            "New Project",
            str(Path.home() / "project.claimmark"),
            "claimmark project (*.claimmark)",
        )
        if name:
            path = Path(name)
            if path.suffix != ".claimmark":
                path = path.with_suffix(path.suffix + ".claimmark")
            if path.exists():
                show_message(self, f"{path} already exists; open it with File > Open Project.")
                return
            self.project_requested.emit(path)

    def choose_open_project(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, "Open Project", str(Path.home()), "claimmark project (*.claimmark);;All files (*)"
        )
        if name:
            self.project_requested.emit(Path(name))

    def choose_annotator(self) -> None:
        name, ok = QInputDialog.getText(
            self,
            "Annotator Name",
            "Name recorded on your new highlights:",
            text=self.store.annotator,
        )
        if ok and name.strip():
            self.store.annotator = name.strip()
            self.settings.setValue("annotator", name.strip())

    # Backups -----------------------------------------------------------------------------

    def back_up_if_changed(self) -> threading.Thread | None:
        """Back the project up in the background when it changed since the last backup."""
        if not self._changed_since_backup or self.backup_running():
            return None
        self._changed_since_backup = False
        project = Path(self.store.location)

        def run() -> None:
            try:
                made = make_backup(project)
                log.info("backup made: %s", made)
            except ClaimmarkError as e:
                log.warning("backup failed: %s", e)

        thread = threading.Thread(target=run, name="claimmark-backup")
        thread.start()
        self._backup_thread = thread
        return thread

    def backup_running(self) -> bool:
        return self._backup_thread is not None and self._backup_thread.is_alive()

    def finish_backup(self) -> None:
        """Wait for a backup in progress (before the project file is closed or replaced)."""
        if self._backup_thread is not None:
            self._backup_thread.join()

    def choose_backup(self) -> None:
        backups = list_backups(Path(self.store.location))
        if not backups:
            show_message(self, "There is no backup of this project yet.", error=False)
            return
        dialog = BackupDialog(self, backups)
        chosen = dialog.chosen() if dialog.exec() else None
        dialog.deleteLater()
        if chosen is not None:
            self.restore_requested.emit(chosen.path)

    # Help --------------------------------------------------------------------------------

    def show_guidelines(self) -> None:
        dialog = GuidelinesDialog(self)
        dialog.exec()
        dialog.deleteLater()

    def show_shortcuts(self) -> None:
        rows = [
            (f"{t.key}", f"Tag the selection as {t.name} (or retag the highlight under the cursor)")
            for t in self.session.tags
            if t.key
        ]
        rows += [
            ("Shift+arrows, Shift+End, Ctrl+Shift+arrows", "Select text with the keyboard"),
            ("Delete", "Delete the highlight under the cursor"),
            ("N or double-click", "Edit the note of the highlight under the cursor"),
            ("Alt+Down / Alt+Up", "Next / previous highlight in the list"),
            ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
            ("Ctrl+F, F3, Shift+F3", "Find in the document"),
            ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Go to the text / documents / highlights"),
        ]
        body = "".join(
            f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows
        )
        box = QMessageBox(self)
        box.setWindowTitle("Keyboard Shortcuts")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(f"<table cellspacing='6'>{body}</table>")
        box.exec()
        box.deleteLater()

    def show_about(self) -> None:
        show_message(
            self,
            f"claimmark {__version__}\n\nClose reading of news articles: mark what is claim, "
            f"evidence and opinion.\n\nProject file: {self.store.location}",
            error=False,
        )

    # Window state ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/main_splitter", self.splitter.restoreState),
            ("window/centre_splitter", self.centre.restoreState),
        ):
            value = self.settings.value(key)
            if isinstance(value, QByteArray):
                restore(value)
        size = self.settings.value("view/font_size")
        if size is not None:
            self.view.zoom(round(float(size) - self.view.font().pointSizeF()))
        self.actions["filtered_tags_only"].setChecked(
            self.settings.value("view/filtered_tags_only", False, type=bool)
        )

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/main_splitter", self.splitter.saveState())
        self.settings.setValue("window/centre_splitter", self.centre.saveState())
        self.settings.setValue("view/font_size", self.view.font().pointSizeF())
        self.settings.setValue(
            "view/filtered_tags_only", self.actions["filtered_tags_only"].isChecked()
        )
        if self.view.document_id is not None:
            self.settings.setValue(f"{self.project_key}/document", self.view.document_id)
            self.settings.setValue(
                f"{self.project_key}/scroll", self.view.verticalScrollBar().value()
            )
        self.settings.sync()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if (
            event.type() == QEvent.Type.ActivationChange
            and self.isVisible()
            and self.isActiveWindow()
            and self.session.changed_elsewhere()
        ):
            self.session.reload()
            self.statusBar().showMessage("Updated with changes from another window.", 5000)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:  # the window opens with the keyboard in the text
            self._shown_once = True
            self.view.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_layout()
        self.finish_backup()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.import_files(paths))
