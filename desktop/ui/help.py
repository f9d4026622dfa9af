"""The Help menu: annotation guidelines, the keyboard shortcuts, and About."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop import __version__
from desktop.core.model import Tag
from desktop.ui import dialogs
from desktop.ui.guidelines import GuidelinesDialog

FIXED_SHORTCUTS = (
    ("Shift+arrows, Shift+End, Ctrl+Shift+arrows", "Select text with the keyboard"),
    ("Delete", "Delete the highlight under the cursor"),
    ("N or double-click", "Edit the note of the highlight under the cursor"),
    ("P", "Place the orphan chosen in the Orphans panel on the selection"),
    ("Alt+Down / Alt+Up", "Next / previous highlight in the list"),
    ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo"),
    ("Ctrl+F, F3, Shift+F3", "Find in the document"),
    ("Ctrl+1 / Ctrl+2 / Ctrl+3", "Go to the text / documents / highlights"),
)


def show_guidelines(parent: QWidget) -> None:
    dialog = GuidelinesDialog(parent)
    dialog.exec()
    dialog.deleteLater()


def show_shortcuts(parent: QWidget, tags: list[Tag]) -> None:
    rows = [
        (t.key, f"Tag the selection as {t.name} (or retag the highlight under the cursor)")
        for t in tags
        if t.key
    ]
    rows += FIXED_SHORTCUTS
    body = "".join(
        f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>" for k, v in rows
    )
    box = QMessageBox(parent)
    box.setWindowTitle("Keyboard Shortcuts")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<table cellspacing='6'>{body}</table>")
    box.exec()
    box.deleteLater()


def show_about(parent: QWidget, location: str) -> None:
    dialogs.show_message(
        parent,
        f"claimmark {__version__}\n\nClose reading of news articles: mark what is claim, "
        f"evidence and opinion.\n\nProject: {dialogs.short_path(location)}",
        error=False,
    )
