"""A document's details (Document > Edit Details…, F2 in the list): title, author, outlet,
date and web address. Its text is not edited here: it is what the highlights point into."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.core.model import MAX_TITLE_CHARS, DocumentInfo

Details = tuple[str, str, str, str, str]  # title, author, outlet, published, url


class DocumentDetailsDialog(QDialog):
    def __init__(self, parent: QWidget | None, info: DocumentInfo) -> None:
        super().__init__(parent)
        self.setWindowTitle("Document Details")
        self.title = QLineEdit(info.title)
        self.title.setMaxLength(MAX_TITLE_CHARS)
        self.author = QLineEdit(info.author)
        self.outlet = QLineEdit(info.outlet)
        self.published = QLineEdit(info.published)
        self.published.setPlaceholderText("YYYY-MM-DD")
        self.url = QLineEdit(info.url)
        self.url.setPlaceholderText("https://…")
        source = QLabel(f"Imported from {info.source}")
        source.setEnabled(False)
        form = QFormLayout()
        for label, field in (
            ("&Title:", self.title),
            ("&Author:", self.author),
            ("&Outlet:", self.outlet),
            ("&Date:", self.published),
            ("Web &address:", self.url),
        ):
            form.addRow(label, field)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(source)
        layout.addWidget(buttons)
        self.resize(520, 0)

    def values(self) -> Details:
        return (
            self.title.text().strip(),
            self.author.text().strip(),
            self.outlet.text().strip(),
            self.published.text().strip(),
            self.url.text().strip(),
        )
