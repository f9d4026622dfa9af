"""File > Export: choose the format, which highlights, and where to write."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import check_target
from desktop.core.fileformat import FileFormat
from desktop.core.registry import export_formats

# What each format cannot carry; after the export, claimmark says whether any highlight was hit.
_HINTS = {
    "brat": "brat writes a folder with a .txt and an .ann file per document, links as brat "
    "relations. A brat annotation cannot start or end with a line break: such highlights are "
    "written without it; a link between two documents and verdicts cannot be written at all.",
    "jsonl": "doccano drops overlapping labels on import unless its project was created with "
    "“Allow overlapping spans” ticked; claimmark says after the export how many overlap.",
    "csv": "A cell starting with = + - @ gets a ' in front, so that a spreadsheet shows it as "
    "text instead of running it. For pandas or R, choose the exact CSV.",
    "csv-exact": "Every cell as it is: a cell starting with = + - @ may run as a formula if "
    "the file is opened in a spreadsheet.",
    "json": "Everything, links, verdicts and done marks included; claimmark imports it back "
    "(File > Import), also to merge several annotators' work.",
    "w3c": "Links become annotations with motivation linking, verdicts bodies with purpose "
    "assessing.",
    "jsonl-relations": "doccano's relation extraction layout: links become relations. A link "
    "between two documents cannot be written and is left out (claimmark says how many).",
    "claimreview": "One ClaimReview per claim with a verdict, for publishing fact checks. It "
    "needs the fact-checker's name and the address of the fact checks: asked once, then kept "
    "in the project.",
}


class ExportDialog(QDialog):
    """Format, scope (what the highlight list shows, or everything) and destination."""

    def __init__(
        self, parent: QWidget | None, shown: int, total: int, folder: Path, fmt: str = "json"
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export Highlights")
        self.folder = folder
        self.formats = export_formats()
        self.format = QComboBox()
        for f in self.formats.values():
            self.format.addItem(f.label, f.name)
        self.format.setCurrentIndex(max(0, self.format.findData(fmt)))
        self.filtered = QRadioButton(f"The highlights the list shows ({shown})")
        self.everything = QRadioButton(f"Every highlight in the project ({total})")
        self.filtered.setChecked(True)
        scope = QButtonGroup(self)
        scope.addButton(self.filtered)
        scope.addButton(self.everything)
        self.path = QLineEdit()
        self.path.setPlaceholderText("Choose where to write…")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        self.hint = QLabel()
        self.hint.setTextFormat(Qt.TextFormat.PlainText)  # it may show a path or a title
        self.hint.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Format:", self.format)
        form.addRow("Highlights:", self.filtered)
        form.addRow("", self.everything)
        save_to = QLabel("&Save to:")
        save_to.setBuddy(self.path)
        form.addRow(save_to, where)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.Save
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.hint)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(lambda _i: self._format_changed())
        self.path.textChanged.connect(lambda _t: self._update_buttons())
        self._format_changed()
        self.resize(560, 0)

    def chosen_format(self) -> FileFormat:
        return self.formats[self.format.currentData()]

    def _default_name(self) -> str:
        f = self.chosen_format()
        return "highlights-brat" if f.writes_folder else f"highlights{f.suffix}"

    def _format_changed(self) -> None:
        f = self.chosen_format()
        current = self.path.text().strip()
        if current:
            stem = Path(current)
            base = stem.with_suffix("") if stem.suffix else stem
            self.path.setText(str(base if f.writes_folder else base.with_suffix(f.suffix)))
        else:
            self.path.setText(str(self.folder / self._default_name()))
        self.hint.setText(_HINTS.get(f.name, ""))
        self._update_buttons()

    def _update_buttons(self) -> None:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        button.setEnabled(bool(self.path.text().strip()))

    def _browse(self) -> None:
        f = self.chosen_format()
        start = self.path.text().strip() or str(self.folder / self._default_name())
        if f.writes_folder:
            name, _ = QFileDialog.getSaveFileName(
                self, "Export to a New Folder", start, "Folder (*)"
            )
        else:
            name, _ = QFileDialog.getSaveFileName(
                self, "Export to", start, f"{f.label} (*{f.suffix});;All files (*)"
            )
        if name:
            self.path.setText(name)

    def destination(self) -> Path | None:
        """Where to write; None when the path cannot be understood (then the dialog says so)."""
        try:
            return Path(self.path.text().strip()).expanduser()
        except RuntimeError:  # "~someone" who does not exist
            return None

    def accept(self) -> None:
        """Accept only a place the export may write to; ask before anything there is replaced
        (the window then exports with replace=True)."""
        target = self.destination()
        if target is None:
            self.hint.setText("That path names a home folder that does not exist.")
            return
        try:
            existing = check_target(target, self.chosen_format().name).existing
        except ClaimmarkError as e:
            self.hint.setText(str(e))
            return
        if existing:
            box = QMessageBox(self)
            box.setWindowTitle("claimmark")
            box.setTextFormat(Qt.TextFormat.PlainText)
            everything = " and everything in it" if self.chosen_format().writes_folder else ""
            box.setText(f"{target}: {existing}.\n\nReplace it{everything}?")
            box.setStandardButtons(
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel
            )
            answer = box.exec()
            box.deleteLater()
            if answer != QMessageBox.StandardButton.Yes:
                return
        super().accept()

    def everything_chosen(self) -> bool:
        return self.everything.isChecked()
