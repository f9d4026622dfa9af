"""The main window: documents on the left, the text in the centre over the highlight list, tags
on the right. It lays the parts out, builds the menus and wires actions to the controllers.

It does not pass changes around: every view subscribes to the session itself (see session.py),
and what the keys do lives in the controllers (editing.py, tag_editing.py, files.py,
backups.py).
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QMainWindow,
    QMenu,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.core.fetching import is_url
from desktop.core.importing import Source
from desktop.core.store import ProjectStore
from desktop.ui import actions as action_registry
from desktop.ui import dialogs, help, live
from desktop.ui.annotators import Annotators
from desktop.ui.appearance import Appearance
from desktop.ui.backups import Backups
from desktop.ui.document_list import DocumentPanel
from desktop.ui.document_view import DocumentView
from desktop.ui.editing import Editing
from desktop.ui.files import Files
from desktop.ui.find_bar import FindBar
from desktop.ui.highlight_inspector import HighlightInspector
from desktop.ui.highlight_list import HighlightListPanel
from desktop.ui.highlighter import Visibility
from desktop.ui.link_margin import LinkMargin
from desktop.ui.linking import Linking
from desktop.ui.orphans_panel import OrphansPanel
from desktop.ui.review import Review
from desktop.ui.scheme_editing import SchemeEditing
from desktop.ui.scheme_panel import SchemePanel
from desktop.ui.session import Session
from desktop.ui.status_line import StatusLine
from desktop.ui.tag_editing import TagEditing
from desktop.ui.tag_panel import TagPanel
from desktop.ui.updating import Updating

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    project_requested = Signal(object)  # Path of a project to open instead of this one
    restore_requested = Signal(object)  # Path of a backup to put in place of this project

    def __init__(self, store: ProjectStore, settings: QSettings) -> None:
        super().__init__()
        self.settings = settings
        self.store = store
        self.session = session = Session(store, self)
        self.project_key = "projects/" + hashlib.sha1(store.location.encode()).hexdigest()[:16]
        self.setWindowTitle(f"claimmark — {store.name}")
        self.setAcceptDrops(True)

        # The views: each follows the session on its own.
        self.doc_panel = DocumentPanel(session)
        self.doc_list = self.doc_panel.list
        self.view = DocumentView(session)
        self.find_bar = FindBar(self.view)
        self.hl_panel = HighlightListPanel(session)
        self.tag_panel = TagPanel(session)
        self.inspector = HighlightInspector(session)
        self.scheme_panel = SchemePanel(session)
        self.link_margin = LinkMargin(session, self.view)
        self.status_line = StatusLine(session, self.statusBar())
        self.orphans_panel = OrphansPanel(session)
        self.live = live.attach(session, self.statusBar())  # a server project's teammates
        self._lay_out()

        self.actions = action_registry.create_actions(self)
        self.highlight_menu = QMenu("Hi&ghlight", self)
        self._build_menus()
        # The controllers: what the keys and menus do.
        self.editing = Editing(session, self.view, self.hl_panel, self)
        self.tags = TagEditing(
            session,
            self.editing,
            self.tag_panel,
            self.highlight_menu,
            self.view,
            self,
            self._reserved_keys,
        )
        self.linking = Linking(session, self.editing, self.view, self.hl_panel, self)
        self.scheme = SchemeEditing(session, self.scheme_panel, self)
        self.files = Files(session, self.hl_panel, self, settings)
        self.updating = Updating(
            session, self.view, self.orphans_panel, self.orphans_dock, self, settings
        )
        self.appearance = Appearance(self.view, self.size_menu, self, settings)
        self.backups = Backups(session, self)
        self.review = Review(session, self.view, self.hl_panel, self)
        self.annotators = Annotators(
            session,
            self.hl_panel,
            self.actions["mark_done"],
            self.actions["blind_mode"],
            self,
            settings,
        )
        self._connect()

        self._shown_once = False
        self.resize(1300, 820)
        self._restore_layout()
        self._apply_view_filter()
        self._open_initial_document()
        self.backups.back_up_if_changed()

    # Building ----------------------------------------------------------------------------

    def _lay_out(self) -> None:
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
        self.splitter.addWidget(self.doc_panel)
        self.splitter.addWidget(self.centre)
        # The right column: the tags, then the highlight under the cursor or the link types and
        # verdict scale (edited less often), one at a time.
        self.side_tabs = QTabWidget()
        self.side_tabs.setObjectName("sideTabs")
        self.side_tabs.addTab(self.inspector, "H&ighlight")
        self.side_tabs.addTab(self.scheme_panel, "&Scheme")
        self.side_tabs.setTabToolTip(1, "Link types and the verdict scale")
        self.side = QSplitter(Qt.Orientation.Vertical)
        self.side.setObjectName("sideSplitter")
        self.side.addWidget(self.tag_panel)
        self.side.addWidget(self.side_tabs)
        self.side.setSizes([320, 480])
        self.splitter.addWidget(self.side)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([260, 820, 220])
        self.centre.setSizes([560, 220])
        self.setCentralWidget(self.splitter)
        # Highlights that an update could not place: shown when the open document has some.
        self.orphans_dock = QDockWidget("Orphans", self)
        self.orphans_dock.setObjectName("orphansDock")
        self.orphans_dock.setWidget(self.orphans_panel)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.orphans_dock)
        self.orphans_dock.toggleViewAction().setText("Orpha&ns")  # O is Zoom Out's
        self.orphans_dock.hide()

    def _build_menus(self) -> None:
        undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Undo))
        redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Redo)
        if QKeySequence("Ctrl+Shift+Z") not in keys:
            keys.append(QKeySequence("Ctrl+Shift+Z"))
        redo.setShortcuts(keys)
        self.undo_action, self.redo_action = undo, redo

        bar = self.menuBar()
        self._fill(
            bar.addMenu("&File"),
            "new_project open_project - import import_url import_brat update_document merge "
            "export - "
            "restore_backup - quit",
        )
        edit = bar.addMenu("&Edit")
        edit.addAction(undo)
        edit.addAction(redo)
        edit.addSeparator()
        self._fill(edit, "find find_next find_previous find_all - annotator")
        self._fill(bar.addMenu("&Document"), "edit_document mark_done - delete_document")
        bar.addMenu(self.highlight_menu)  # the tags' items go first (tag_editing.py)
        self._fill(
            self.highlight_menu,
            "- edit_note delete_highlight - link verdict - place_orphan - next_highlight "
            "previous_highlight",
        )
        view = bar.addMenu("&View")
        self._fill(
            view,
            "focus_text focus_documents focus_highlights focus_filter - side_panel - "
            "filtered_tags_only blind_mode - zoom_in zoom_out zoom_reset",
        )
        self.size_menu = view.addMenu("Interface &Size")  # filled by appearance.py
        view.addSeparator()
        view.addAction(self.orphans_dock.toggleViewAction())
        self._fill(view, "- refresh")
        self._fill(bar.addMenu("&Review"), "agreement curation")
        self._fill(bar.addMenu("&Help"), "guidelines shortcuts - about")
        for name in action_registry.TEXT_ONLY:
            self.view.addAction(self.actions[name])
        for name in action_registry.LIST_ONLY:
            self.doc_list.addAction(self.actions[name])

    def _fill(self, menu: QMenu, names: str) -> None:
        """The registry's actions by name, "-" for a separator."""
        for name in names.split():
            if name == "-":
                menu.addSeparator()
            else:
                menu.addAction(self.actions[name])

    def _reserved_keys(self) -> dict[str, str]:
        """Single keys of the text's own actions, and what they do (a tag key equal to one
        would fire neither)."""
        return {
            seq.toString().casefold(): self.actions[name].text().replace("&", "").rstrip("…")
            for name in action_registry.TEXT_ONLY
            for seq in self.actions[name].shortcuts()
            if len(seq.toString()) == 1
        }

    def _connect(self) -> None:
        a, s = self.actions, self.session
        connections = {
            "quit": self.close,
            "import": self.files.choose_import,
            "export": self.files.choose_export,
            "import_url": self.files.choose_url_import,
            "import_brat": self.files.choose_brat_import,
            "update_document": self.updating.choose_file,
            "place_orphan": self.updating.place_chosen,
            "new_project": self.files.choose_new_project,
            "open_project": self.files.choose_open_project,
            "restore_backup": self.backups.choose_backup,
            "delete_document": self.editing.delete_open_document,
            "find": self.find_bar.open_bar,
            "find_next": self.find_bar.next,
            "find_previous": self.find_bar.previous,
            "find_all": self.editing.find_in_all_documents,
            "edit_document": self.editing.edit_document_details,
            "annotator": self.annotators.choose_annotator,
            "merge": self.files.choose_merge,
            "agreement": self.review.show_agreement,
            "curation": self.review.start_curation,
            "delete_highlight": self.editing.delete_at_cursor,
            "edit_note": self.editing.edit_note_at_cursor,
            "link": self.linking.start,
            "verdict": self.linking.choose_verdict,
            "next_highlight": lambda: self.editing.step_highlight(1),
            "previous_highlight": lambda: self.editing.step_highlight(-1),
            "focus_text": self.view.setFocus,
            "focus_documents": self.doc_list.setFocus,
            "focus_highlights": self.hl_panel.table.setFocus,
            "focus_filter": self.hl_panel.focus_filter,
            "zoom_in": lambda: self.view.zoom(1),
            "zoom_out": lambda: self.view.zoom(-1),
            "zoom_reset": self.appearance.reset_zoom,
            "refresh": s.reload,
            "guidelines": lambda: help.show_guidelines(self),
            "shortcuts": lambda: help.show_shortcuts(self, s.summary.tags),
            "about": lambda: help.show_about(self, s.store.location),
        }
        for name, slot in connections.items():
            a[name].triggered.connect(slot)
        a["filtered_tags_only"].toggled.connect(lambda _on: self._apply_view_filter())
        a["side_panel"].toggled.connect(self.side.setVisible)
        self.hl_panel.filter_changed.connect(self._apply_view_filter)
        self.tag_panel.guidelines_requested.connect(lambda: help.show_guidelines(self))
        self.doc_list.activated.connect(lambda _index: self.view.setFocus())
        self.files.project_requested.connect(self.project_requested)
        self.files.new_versions_found.connect(self.updating.resolve)
        self.backups.restore_requested.connect(self.restore_requested)
        s.failed.connect(lambda message: dialogs.show_message(self, message))
        self.view.current_highlight_changed.connect(self.inspector.show_highlight)
        self.inspector.jump_requested.connect(self.editing.jump_to_id)
        self.inspector.delete_link_requested.connect(self.editing.delete_link)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._text_menu)

    def _text_menu(self, pos: QPoint) -> None:
        """The text's context menu: copy, and what can be done to the highlight there."""
        menu = self.view.createStandardContextMenu(pos)
        if self.view.spans_at_point(pos):
            self.view.put_cursor_at(pos)
            menu.addSeparator()
            for name in ("edit_note", "delete_highlight", "link", "verdict"):
                menu.addAction(self.actions[name])
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _apply_view_filter(self) -> None:
        """The text shows whose highlights the list shows (others' faintly when it shows
        everyone's), and the list's tags when View > Show Only Filtered Tags is on."""
        only = self.actions["filtered_tags_only"].isChecked()
        tags = self.hl_panel.visible_tags() if only else None
        whose = self.session.shown_annotators
        self.view.set_visibility(
            Visibility(
                None if tags is None else frozenset(tags),
                whose,
                self.session.annotator,
                faint_others=whose is None,
            )
        )

    # Opening documents -------------------------------------------------------------------

    def open_document(self, document_id: int) -> None:
        self.session.open_document(document_id)

    def _open_initial_document(self) -> None:
        """The document open last time, scrolled as it was; else the first one."""
        try:
            wanted = int(self.settings.value(f"{self.project_key}/document"))
        except (TypeError, ValueError):
            wanted = None
        if wanted is not None and self.session.summary.document(wanted) is not None:
            self.session.open_document(wanted)
            try:
                top = int(self.settings.value(f"{self.project_key}/first_visible"))
                at = int(self.settings.value(f"{self.project_key}/cursor", top))
            except (TypeError, ValueError):
                return
            # Once the window has its size: where lines wrap depends on it.
            QTimer.singleShot(0, lambda: self.view.show_from(top, at))
        else:
            self.session.open_document(self.session.first_document())

    # Window state ------------------------------------------------------------------------

    def _restore_layout(self) -> None:
        for key, restore in (
            ("window/geometry", self.restoreGeometry),
            ("window/state", self.restoreState),
            ("window/main_splitter", self.splitter.restoreState),
            ("window/centre_splitter", self.centre.restoreState),
            ("window/side_splitter", self.side.restoreState),
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
        side = self.settings.value("view/side_panel", True, type=bool)
        self.actions["side_panel"].setChecked(side)
        self.side.setVisible(side)

    def save_layout(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/main_splitter", self.splitter.saveState())
        self.settings.setValue("window/centre_splitter", self.centre.saveState())
        self.settings.setValue("window/side_splitter", self.side.saveState())
        self.settings.setValue("view/font_size", self.view.font().pointSizeF())
        self.settings.setValue(
            "view/filtered_tags_only", self.actions["filtered_tags_only"].isChecked()
        )
        self.settings.setValue("view/side_panel", self.actions["side_panel"].isChecked())
        if self.view.document_id is not None:
            self.settings.setValue(f"{self.project_key}/document", self.view.document_id)
            self.settings.setValue(f"{self.project_key}/first_visible", self.view.first_visible())
            self.settings.setValue(f"{self.project_key}/cursor", self.view.cursor_position())
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
        self.backups.finish()
        if self.live is not None:
            self.live.close()
        super().closeEvent(event)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        """Files, or web addresses dragged from a browser."""
        paths: list[Source] = [
            Path(u.toLocalFile()) if u.isLocalFile() else u.toString()
            for u in event.mimeData().urls()
            if u.isLocalFile() or is_url(u.toString())
        ]
        if paths:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.files.import_files(paths))
