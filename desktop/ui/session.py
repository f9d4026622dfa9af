"""The open project as the window sees it: the store, the undo stack, what every view reads,
and the signals views subscribe to.

The change path: a key press makes a core operation (operations.py) and runs it here as an undo
command; the operation commits to the store and returns a change record; the session brings the
summary (tags, documents, counts) up to date and emits `changed`; each view updates itself from
the record. Nothing is shown as done that is not saved: a failed operation emits `failed` and no
change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from desktop.core.changes import EVERYTHING, Changes
from desktop.core.errors import ClaimmarkError, Conflict, ConnectionLost, NotFound
from desktop.core.operations import Operation
from desktop.core.store import ProjectStore
from desktop.core.summary import ProjectSummary
from desktop.ui.commands import OperationCommand, Step

log = logging.getLogger(__name__)
T = TypeVar("T")


class Session(QObject):
    """One open project."""

    changed = Signal(object)  # Changes, committed
    document_opened = Signal(object)  # the id of the document now shown, or None
    failed = Signal(str)  # a message for the user
    annotator_changed = Signal(str)  # the name recorded on new highlights
    stepped = Signal(str, str, object)  # "undo" or "redo", what, the Changes: show where
    shown_annotators_changed = Signal(object)  # whose highlights are shown (None: everyone's)

    def __init__(self, store: ProjectStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.undo_stack = QUndoStack(self)
        self.summary = ProjectSummary(store)
        self.document_id: int | None = None
        # Whose highlights the views show and count (None: everyone's); blind mode is mine.
        self.shown_annotators: frozenset[str] | None = None
        self._seen_version = store.data_version()

    # Running operations ---------------------------------------------------------------------

    def run(self, operation: Operation) -> bool:
        """Do an operation as an undoable step; False (and a message) when it failed."""
        outcome: list[bool] = []

        def perform(step: Step, verb: str, label: str) -> bool:
            done = self._perform(step, verb, label, lambda: getattr(operation, "remark", ""))
            outcome.append(done)
            return done

        self.undo_stack.push(OperationCommand(operation, perform))
        return outcome == [True]

    def _perform(self, step: Step, verb: str, label: str, remark: Callable[[], str]) -> bool:
        """Run a step; after an undo or redo, say what it was (with the operation's `remark`,
        where it has one: what the step left as it was)."""
        try:
            changes = step(self.store)
        except ClaimmarkError as e:
            log.warning("%s failed: %s", verb or "operation", e)
            self.failed.emit(f"Cannot {verb} “{label}”: {e}" if verb else str(e))
            # The project is not what the window or the undo stack expected (someone changed
            # it meanwhile): show it as it is. Without a connection there is nothing to read.
            if (verb or isinstance(e, Conflict | NotFound)) and not isinstance(e, ConnectionLost):
                self.announce(EVERYTHING)
            return False
        except Exception as e:  # a defect: the step's transaction rolled back; say so, go on
            log.exception("%s failed unexpectedly", verb or "operation")
            self.failed.emit(
                f"Cannot {verb or 'do'} “{label}”: an unexpected error ({type(e).__name__}: {e})."
                " Nothing was changed."
            )
            self.attempt(lambda: self.announce(EVERYTHING))
            return False
        self.announce(changes)
        if verb:
            said = remark()
            self.stepped.emit(verb, f"{label}; {said}" if said else label, changes)
        return True

    def announce(self, changes: Changes) -> None:
        """Tell every view what changed (after an operation, an import, or another window's
        changes), once the summary they read is up to date."""
        if not changes.everything:
            self._tell(changes)
            return
        # The summary and every view re-read in one snapshot, the one a server's change feed
        # then skips: a teammate's commit in between is shown once, not re-read and announced.
        with self.store.snapshot():
            self._seen_version = self.store.data_version()
            self._tell(changes)

    def _tell(self, changes: Changes) -> None:
        self.summary.apply(changes, self.store)
        if self.document_id is not None and self.summary.document(self.document_id) is None:
            self.document_id = None  # deleted: the views show the next one chosen
        self.changed.emit(changes)
        if self.document_id is None and changes.documents | changes.everything:
            self.open_document(self.first_document())

    def announce_from_elsewhere(self, changes: Changes) -> None:
        """Announce what other connections changed (a server's change feed), and count it as
        seen, so that activating the window does not re-read it all again."""
        self.announce(changes)
        self._seen_version = self.store.data_version()

    def reload(self) -> None:
        """Re-read everything (after an import, or changes made by another window); when the
        project cannot be read (a lost server), say so and leave the views as they are."""
        try:
            self.announce(EVERYTHING)
        except ClaimmarkError as e:
            log.warning("cannot read the project again: %s", e)
            self.failed.emit(str(e))

    def attempt(self, action: Callable[[], T]) -> T | None:
        """Run a store call; on failure report it and return None."""
        try:
            return action()
        except ClaimmarkError as e:
            log.warning("operation failed: %s", e)
            self.failed.emit(str(e))
            return None

    def changed_elsewhere(self) -> bool:
        """True when another connection has committed since we last looked."""
        try:
            return self.store.data_version() != self._seen_version
        except ConnectionLost:  # expected, shown in the status bar, logged when it was lost
            return False
        except ClaimmarkError as e:  # a server's refusal: nothing to refresh from
            log.warning("cannot look for changes made elsewhere: %s", e)
            return False
        except Exception:  # a defect
            log.exception("cannot read the data version")
            return False

    # Who is annotating ------------------------------------------------------------------------

    @property
    def annotator(self) -> str:
        return self.store.annotator

    def set_annotator(self, name: str) -> None:
        """Record `name` on new highlights from now on (and show that annotator's progress)."""
        if name and name != self.store.annotator:
            self.store.annotator = name
            self.annotator_changed.emit(name)

    def show_annotators(self, annotators: frozenset[str] | None) -> None:
        """Show (and count) only these annotators' highlights in every view; None: everyone's."""
        if annotators != self.shown_annotators:
            self.shown_annotators = annotators
            self.shown_annotators_changed.emit(annotators)

    # The open document ------------------------------------------------------------------------

    def open_document(self, document_id: int | None) -> None:
        """Show a document in every view (None: none)."""
        if document_id is not None and self.summary.document(document_id) is None:
            document_id = self.first_document()
        self.document_id = document_id
        self.document_opened.emit(document_id)

    def first_document(self) -> int | None:
        documents = self.summary.documents
        return documents[0].id if documents else None
