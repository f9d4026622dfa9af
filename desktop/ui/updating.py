"""New versions of documents in the window: File > Update Document from File, the question an
import asks when it finds a new version of a document (Update / Add as New Document / Cancel),
and what the Orphans panel's buttons and the text's P key do.

An update is one undoable step (core/operations.UpdateDocument); afterwards the window says
how many highlights were kept, moved, matched fuzzily and orphaned, and shows the orphans.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDockWidget,
    QFileDialog,
    QMainWindow,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core import operations
from desktop.core.fetching import is_url
from desktop.core.importing import Source, read_new_version
from desktop.core.model import DocumentVersion, Highlight, NewDocument, sha256_text
from desktop.core.registry import import_file_filter
from desktop.core.versions import NewVersion
from desktop.core.wording import counted
from desktop.ui import dialogs
from desktop.ui.document_view import DocumentView
from desktop.ui.orphans_panel import OrphansPanel
from desktop.ui.session import Session
from desktop.ui.textpos import DisplayMap
from desktop.ui.workers import run_with_progress

UPDATE, ADD, CANCEL = "update", "add", "cancel"
TITLE_CHARS = 80


def _source_name(source: str) -> str:
    """A web address whole, a file by its name."""
    return source if is_url(source) else Path(source).name


def _short(title: str) -> str:
    """A title as messages name it: on one line, and cut with … when long."""
    flat = " ".join(title.split())
    return flat if len(flat) <= TITLE_CHARS else flat[: TITLE_CHARS - 1] + "…"


def ask_about_new_version(parent: QWidget, version: NewVersion, highlights: int) -> str:
    """UPDATE, ADD or CANCEL: what to do with a document found to be a new version of one in
    the project. Update is the default."""
    previous = version.previous
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("New Version of a Document")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        f"“{_short(version.document.title)}” from {_source_name(version.source)} "
        f"looks like a new version of the document “{_short(previous.title)}” in this project "
        f"({version.why}).\n\n"
        f"Update that document with it? Its {counted(highlights, 'highlight')} will be "
        "placed in the new text; any that cannot be placed are kept as orphans. The old text "
        "is kept, and you can undo the update (Ctrl+Z)."
    )
    update = box.addButton("Update", QMessageBox.ButtonRole.AcceptRole)
    add = box.addButton("Add as New Document", QMessageBox.ButtonRole.ActionRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(update)
    box.exec()
    box.deleteLater()
    clicked = box.clickedButton()
    return UPDATE if clicked is update else ADD if clicked is add else CANCEL


class OldTextWindow(QDialog):
    """An earlier version of a document, read-only, with a passage selected."""

    def __init__(self, parent: QWidget, version: DocumentVersion, start: int, end: int) -> None:
        super().__init__(parent)
        self.setObjectName("oldTextWindow")
        replaced = dialogs.local_time(version.replaced_at)
        self.setWindowTitle(f"Old text of “{_short(version.document.title)}”, replaced {replaced}")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        positions = DisplayMap(version.document.text)
        self.text.setPlainText(positions.display)
        cursor = self.text.textCursor()
        cursor.setPosition(positions.to_qt(start))
        cursor.setPosition(positions.to_qt(end), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        QTimer.singleShot(0, self.text.centerCursor)  # once laid out
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        self.resize(700, 500)


class Updating(QObject):
    def __init__(
        self,
        session: Session,
        view: DocumentView,
        panel: OrphansPanel,
        dock: QDockWidget,
        window: QMainWindow,
        settings: QSettings,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.view = view
        self.panel = panel
        self.dock = dock
        self.window = window
        self.settings = settings
        panel.place_requested.connect(self.place)
        panel.delete_requested.connect(self.delete)
        panel.old_text_requested.connect(self.show_old_text)
        panel.orphans_here.connect(self._show_orphans)

    def say(self, text: str, ms: int = 6000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # Updating a document -----------------------------------------------------------------------

    def choose_file(self) -> None:
        """File > Update Document from File: a new version of the open document."""
        document_id = self.session.document_id
        info = None if document_id is None else self.session.summary.document(document_id)
        if info is None:
            self.say("Open the document to update first.")
            return
        folder = str(self.settings.value("last_folder", str(Path.home())))
        name, _ = QFileDialog.getOpenFileName(
            self.window, f"Update “{_short(info.title)}” from File", folder, import_file_filter()
        )
        if name:
            self.settings.setValue("last_folder", str(Path(name).parent))
            self.update_from(Path(name), info.id)

    def update_from(self, source: Source, document_id: int) -> operations.UpdateDocument | None:
        """Read a new version of a document (in the background, with progress and Cancel) and
        update the document with it."""
        previous = self.session.summary.document(document_id)
        if previous is None:
            return None

        def work(progress, is_cancelled):  # type: ignore[no-untyped-def]
            def downloading(received: int, size: int) -> None:
                of = f" of {size // 1024:,}" if size else ""
                progress(0, 0, f"{source} ({received // 1024:,}{of} KB)")

            return read_new_version(
                source, previous, on_progress=downloading, is_cancelled=is_cancelled
            )

        ok, result = run_with_progress(self.window, "Reading the new version…", work)
        if not ok:
            if result:
                dialogs.show_message(self.window, result)
            return None
        return self.update(document_id, result)

    def update(self, document_id: int, new: NewDocument) -> operations.UpdateDocument | None:
        """Update a document with a new version, as one undoable step, and say how its
        highlights fared."""
        info = self.session.summary.document(document_id)
        if info is None:
            return None
        if sha256_text(new.text) == info.sha256:
            self.say(f"“{_short(info.title)}” has this text already: nothing to update.")
            return None
        store = self.session.store
        op = self.session.attempt(lambda: operations.UpdateDocument(store, document_id, new))
        if op is None:
            return None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            done = self.session.run(op)
        finally:
            QApplication.restoreOverrideCursor()
        if not done:
            return None
        self.session.open_document(document_id)
        report = f"Updated “{_short(new.title)}”: {op.summary}."
        if op.orphaned:
            self.dock.show()
            self.dock.raise_()
            one = len(op.orphaned) == 1
            dialogs.show_message(
                self.window,
                f"{report}\n\n{counted(len(op.orphaned), 'highlight')} could not be "
                f"placed in the new text: {'it is' if one else 'they are'} listed under Orphans, "
                "with tag, note and links. Select the passage where "
                f"{'it' if one else 'one'} belongs and press P (Place Here), or delete "
                f"{'it' if one else 'them'}. Undo (Ctrl+Z) puts the old text back.",
                error=False,
            )
        else:
            self.say(report, 10_000)
        return op

    def resolve(self, versions: list[NewVersion]) -> None:
        """Ask what to do with each new version an import found, and do it."""
        for version in versions:
            previous = self.session.summary.document(version.previous.id)
            if previous is None:  # deleted meanwhile: it is just a document now
                self.add(version.document)
                continue
            answer = ask_about_new_version(
                self.window, version, self.session.summary.highlights_in(previous.id)
            )
            if answer == UPDATE:
                self.update(previous.id, version.document)
            elif answer == ADD:
                self.add(version.document)

    def add(self, document: NewDocument) -> None:
        """Add a document as a new one (not undoable, as an import is not)."""
        added = self.session.attempt(lambda: self.session.store.add_documents([document]))
        if added is None:
            return
        self.session.reload()
        if added:
            self.session.open_document(added[0].id)
            self.say(f"Added “{_short(added[0].title)}” as a new document.")
        else:
            self.say(f"“{_short(document.title)}” is in the project already.")

    # Orphans -----------------------------------------------------------------------------------

    def place_chosen(self) -> None:
        """P in the text: place the orphan chosen in the Orphans panel on the selection."""
        orphan = self.panel.current_orphan()
        if orphan is None:
            self.say("No orphaned highlight to place in this document.")
            return
        self.place(orphan)

    def place(self, orphan: Highlight) -> None:
        span = self.view.selection_span()
        if span is None or self.view.document_id != orphan.document_id:
            self.dock.show()
            self.say("Select the passage where the orphaned highlight belongs, then press P.")
            return
        store = self.session.store
        op = self.session.attempt(lambda: operations.PlaceOrphan(store, orphan, *span))
        if op is not None and self.session.run(op):
            self.view.collapse_selection()
            self.say("Placed the orphaned highlight. Undo: Ctrl+Z.")

    def delete(self, orphan: Highlight) -> None:
        if self.session.run(operations.DeleteHighlight(orphan)):
            self.say("Deleted the orphaned highlight. Undo: Ctrl+Z.")

    def show_old_text(self, orphan: Highlight) -> None:
        versions = self.session.attempt(
            lambda: self.session.store.document_versions(orphan.document_id)
        )
        version = next((v for v in versions or [] if v.id == orphan.orphaned_version), None)
        if version is None:
            self.say("The old text of this highlight is no longer kept.")
            return
        window = OldTextWindow(self.window, version, orphan.start, orphan.end)
        window.show()

    def _show_orphans(self, count: int) -> None:
        """The open document has orphans: never leave them out of sight."""
        if count and not self.dock.isVisible():
            self.dock.show()
