"""Small message boxes and wording helpers shared by the window's parts.

Callers use them through the module (`dialogs.show_message(...)`), so a test can answer every
message box of the window in one place.
"""

from __future__ import annotations

import html
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from desktop.core.project import describe_location, is_server_location


def short_path(path: str | Path) -> str:
    """A path as people write it: the home folder as ~ (a server: its database and host)."""
    if is_server_location(path):
        return describe_location(path)
    p = Path(path)
    try:
        return str(Path("~") / p.relative_to(Path.home()))
    except ValueError:
        return str(p)


@lru_cache(maxsize=4096)
def local_time(iso: str) -> str:
    """`2026-11-24T03:12:51.123Z` as local time, `2026-11-24 04:12`."""
    try:
        return (
            datetime.fromisoformat(iso.replace("Z", "+00:00"))
            .astimezone()
            .strftime("%Y-%m-%d %H:%M")
        )
    except ValueError:
        return iso


def sentence(text: str) -> str:
    """A message as a sentence of its own, starting with a capital letter. The core's messages
    start lowercase, as they follow "claimmark: " on the command line ("this highlight is
    bob's: ..."); alone in a window they start as any sentence does."""
    return text[:1].upper() + text[1:] if text[:1].islower() else text


def plain_tooltip(text: str) -> str:
    """A tooltip that shows `text` as it is, line breaks kept. Qt reads a tooltip that looks
    like markup as markup (a name like "<b>x" shows in bold): so it is escaped, in a
    paragraph."""
    return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"


def show_message(parent: QWidget | None, text: str, *, error: bool = True) -> None:
    """A message box whose text is never read as markup, and starts as a sentence."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information)
    box.setWindowTitle("claimmark")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(sentence(text))
    box.exec()
    box.deleteLater()


def ask(parent: QWidget | None, text: str, confirm: str) -> bool:
    """Ask before something destructive; Cancel is the default."""
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


def ask_for_url(parent: QWidget | None, suggestion: str = "") -> str | None:
    """The web address to import, typed or pasted (None when cancelled)."""
    address, ok = QInputDialog.getText(
        parent,
        "Import from URL",
        "Address of a web page, or of a PDF or Word document on the web:",
        QLineEdit.EchoMode.Normal,
        suggestion,
    )
    return address.strip() if ok and address.strip() else None
