"""Writing a note on a highlight. The quote is shown as plain text, whatever it holds."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)


class NoteDialog(QDialog):
    def __init__(self, parent: QWidget | None, heading: str, quote: str, note: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("Note")
        label = QLabel(f"{heading}\n“{quote[:300]}{'…' if len(quote) > 300 else ''}”")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        self.label = label
        self.original = note
        self.editor = QPlainTextEdit(note)
        self.editor.setTabChangesFocus(True)
        self.editor.setPlaceholderText("Why this tag? Sources, doubts, context…")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        hint = QLabel("Ctrl+Enter saves; Esc cancels.")
        hint.setEnabled(False)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            QShortcut(QKeySequence(keys), self, activated=self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.editor)
        layout.addWidget(hint)
        layout.addWidget(buttons)
        self.resize(480, 300)
        self.editor.setFocus()

    def note(self) -> str:
        return self.editor.toPlainText().strip()

    def reject(self) -> None:
        """Esc or Cancel: ask before throwing away what was typed."""
        if self.note() != self.original.strip() and not discard_typed_note(self):
            self.editor.setFocus()
            return
        super().reject()


def discard_typed_note(parent: QWidget) -> bool:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("claimmark")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText("Discard the note you typed?")
    discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    keep = box.addButton("Keep Editing", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    box.exec()
    box.deleteLater()
    return box.clickedButton() is discard


def ask_for_note(parent: QWidget | None, heading: str, quote: str, note: str) -> str | None:
    """The new note, or None when cancelled."""
    dialog = NoteDialog(parent, heading, quote, note)
    try:
        return dialog.note() if dialog.exec() else None
    finally:
        dialog.deleteLater()
