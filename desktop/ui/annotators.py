"""Who is annotating, and each annotator's progress: the annotator's name (asked on first start,
Edit > Annotator…), documents marked done (Ctrl+D), and blind mode (only my highlights)."""

from __future__ import annotations

import getpass

from PySide6.QtCore import QObject, QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMainWindow, QWidget

from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.model import MAX_ANNOTATOR_CHARS
from desktop.ui import dialogs
from desktop.ui.highlight_list import HighlightListPanel
from desktop.ui.session import Session


def login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return ""


def ask_annotator_name(parent: QWidget | None, current: str, first_time: bool) -> str | None:
    """Ask for the name recorded on new highlights; None when cancelled or left empty."""
    prompt = "Name recorded on your new highlights"
    if first_time:
        prompt = (
            "Welcome to claimmark. Every highlight records who made it, so that several "
            "people's work can be compared and merged.\n\nYour name as annotator"
        )
    name, ok = QInputDialog.getText(parent, "Annotator", prompt + ":", text=current)
    name = name.strip()
    if not ok or not name:
        return None
    if len(name) > MAX_ANNOTATOR_CHARS:
        dialogs.show_message(
            parent, f"An annotator's name may be at most {MAX_ANNOTATOR_CHARS} characters."
        )
        return None
    return name


class Annotators(QObject):
    def __init__(
        self,
        session: Session,
        highlights: HighlightListPanel,
        done_action: QAction,
        blind_action: QAction,
        window: QMainWindow,
        settings: QSettings,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.highlights = highlights
        self.done_action = done_action
        self.window = window
        self.settings = settings
        done_action.triggered.connect(self.toggle_done)
        blind_action.toggled.connect(self.set_blind)
        blind_action.setChecked(settings.value("view/blind_mode", False, type=bool))
        session.changed.connect(self._on_changes)
        session.document_opened.connect(lambda _id: self._show_done())
        session.annotator_changed.connect(lambda _name: self._show_done())
        self._show_done()

    def choose_annotator(self) -> None:
        name = ask_annotator_name(self.window, self.session.annotator, first_time=False)
        if name is not None:
            self.session.set_annotator(name)
            self.settings.setValue("annotator", name)

    def toggle_done(self) -> None:
        """Ctrl+D: the open document is done for me (or, again, not done)."""
        doc = self.session.document_id
        if doc is None:
            self.done_action.setChecked(False)
            self.window.statusBar().showMessage("Open a document first.", 4000)
            return
        done = self.session.summary.status(doc, self.session.annotator) != "done"
        op = operations.MarkDone(self.session.store, doc, done)
        if self.session.run(op):
            word = "done" if done else "not done"
            self.window.statusBar().showMessage(f"Document marked {word} for you.", 4000)
        self._show_done()

    def set_blind(self, blind: bool) -> None:
        """View > Blind Mode on or off, said in the status bar."""
        self.settings.setValue("view/blind_mode", blind)
        self.highlights.set_blind(blind)
        whose = self.session.shown_annotators
        if whose is None:
            shown = "everyone's highlights are"
        elif whose == {self.session.annotator}:
            shown = "only your own highlights are"
        else:
            shown = f"{', '.join(sorted(whose))}'s highlights are"
        state = "on" if blind else "off"
        self.window.statusBar().showMessage(f"Blind mode {state}: {shown} shown.", 4000)

    def _on_changes(self, changes: Changes) -> None:
        if changes.progress or changes.everything or changes.documents:
            self._show_done()

    def _show_done(self) -> None:
        doc = self.session.document_id
        done = doc is not None and self.session.summary.status(doc, self.session.annotator) == (
            "done"
        )
        self.done_action.setChecked(done)
