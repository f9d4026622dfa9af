"""Undo and redo: one QUndoCommand per user operation, running a core operation.

A command's `redo()` does the operation, the first time too (QUndoStack.push calls it), and
`undo()` undoes it: the same core calls whether it is the first time or the tenth. The command
only hands the step to `perform`, which the session gives it: that runs it against the store,
reports a failure and announces the change record to the views.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from desktop.core.changes import Changes
from desktop.core.operations import Operation
from desktop.core.store import ProjectStore

Step = Callable[[ProjectStore], Changes]
# Runs one step of a command; returns whether it was done. `verb` is "" the first time.
Perform = Callable[[Step, str, str], bool]


class OperationCommand(QUndoCommand):
    def __init__(self, operation: Operation, perform: Perform) -> None:
        super().__init__(operation.label)
        self.operation = operation
        self._perform = perform
        self._done_before = False

    def redo(self) -> None:
        verb = "redo" if self._done_before else ""
        self._done_before = True
        self._step(self.operation.do, verb)

    def undo(self) -> None:
        self._step(self.operation.undo, "undo")

    def _step(self, step: Step, verb: str) -> None:
        """A step that cannot be done (the project changed under it, in another window or by an
        import) leaves the stack: the project is left as it is."""
        if not self._perform(step, verb, self.text()):
            self.setObsolete(True)
