"""Errors a user can act on. Their messages are shown as they are, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class ClaimmarkError(Exception):
    """A problem caused by input or environment, with a message meant for the user."""


class ProjectError(ClaimmarkError):
    """A project file that cannot be opened or written; the file is left untouched."""


class InputRefused(ClaimmarkError):
    """An input file (document or import) that was refused; nothing of it was written."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class NotFound(ClaimmarkError):
    """A document, tag or highlight that does not exist (any more)."""


class Conflict(ClaimmarkError):
    """A change refused because someone else changed the same record since it was read: the
    record is left as they made it, and the window shows it so."""


class ConnectionLost(ProjectError):
    """The connection to the project's server is gone: nothing more is saved until it is back."""
