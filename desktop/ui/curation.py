"""Review > Curation: the disagreements one at a time, each settled by a key into the gold
version. N / P (or Alt+Right / Alt+Left) go to the next or previous passage; 1-9 accept that
annotator's version there, 0 accepts none; E goes to the text to edit the gold version by hand.
Each decision is one undoable step; the text follows, showing everyone's highlights."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core import curation
from desktop.core.agreement import Disagreement
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.ui.session import Session

QUOTE_CHARS = 90
log = logging.getLogger(__name__)


def _short(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class CurationPanel(QDialog):
    passage_shown = Signal(object)  # Disagreement: the text shows it
    edit_requested = Signal(object)  # Disagreement: edit the gold version in the text

    def __init__(
        self, session: Session, passages: list[Disagreement], gold: str, parent: QWidget
    ) -> None:
        super().__init__(parent)
        # Closed is gone: a panel left alive would follow the project's changes unseen.
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.session = session
        self.setWindowTitle("Curation")
        self.passages = passages
        self.gold = gold
        self.current = 0
        self.settled = curation.settled(session.store)
        self.choices: list[str] = []  # annotators, in the order of their keys
        self.progress = QLabel()
        self.progress.setTextFormat(Qt.TextFormat.PlainText)
        self.passage = QLabel()
        self.passage.setTextFormat(Qt.TextFormat.PlainText)  # document text: never markup
        self.passage.setWordWrap(True)
        self.versions = QListWidget()
        self.versions.setAccessibleName("Versions of this passage")
        self.versions.itemActivated.connect(
            lambda _item: self.accept_version(self.versions.currentRow())
        )
        self.gold_label = QLabel()
        self.gold_label.setTextFormat(Qt.TextFormat.PlainText)
        rename = QPushButton("Gold &name…")
        rename.clicked.connect(self.choose_gold_name)
        previous, following = QPushButton("← &Previous"), QPushButton("&Next →")
        previous.clicked.connect(lambda: self.go(-1))
        following.clicked.connect(lambda: self.go(1))
        edit = QPushButton("&Edit in text")
        edit.clicked.connect(lambda: self.edit_requested.emit(self.passage_now()))
        row = QHBoxLayout()
        for button in (previous, following, edit):
            row.addWidget(button)
        row.addStretch()
        row.addWidget(self.gold_label)
        row.addWidget(rename)
        hint = QLabel(
            "Keys: 1-9 accept that version, 0 none of them, N / P next / previous, E edit by "
            "hand. Ctrl+Z undoes a decision."
        )
        hint.setWordWrap(True)
        hint.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.progress)
        layout.addWidget(self.passage)
        layout.addWidget(self.versions, 1)
        layout.addLayout(row)
        layout.addWidget(hint)
        for keys, slot in (
            (("N", "Alt+Right"), lambda: self.go(1)),
            (("P", "Alt+Left"), lambda: self.go(-1)),
            (("E",), lambda: self.edit_requested.emit(self.passage_now())),
            (("0",), lambda: self.accept_version(len(self.choices))),
        ):
            for key in keys:
                QShortcut(QKeySequence(key), self, activated=slot)
        for n in range(1, 10):
            QShortcut(QKeySequence(str(n)), self, activated=lambda n=n: self.accept_version(n - 1))
        session.changed.connect(self._on_changes)
        self.resize(620, 380)
        self.show_passage(self._first_open())

    def _first_open(self) -> int:
        return next((i for i, d in enumerate(self.passages) if self._key(d) not in self.settled), 0)

    @staticmethod
    def _key(d: Disagreement) -> tuple[int, int, int]:
        return (d.document_id, d.start, d.end)

    def passage_now(self) -> Disagreement | None:
        return self.passages[self.current] if self.passages else None

    def show_passage(self, index: int) -> None:
        self.current = index
        self.gold_label.setText(f"Gold version: {self.gold}")
        done = sum(1 for d in self.passages if self._key(d) in self.settled)
        self.versions.clear()
        d = self.passage_now()
        if d is None:
            self.progress.setText("No disagreements: nothing to settle.")
            self.passage.setText("")
            return
        state = "settled" if self._key(d) in self.settled else "open"
        self.progress.setText(
            f"Passage {index + 1} of {len(self.passages)} ({state}) · {done} of "
            f"{len(self.passages)} settled"
        )
        info = self.session.summary.document(d.document_id)
        try:
            text = self.session.store.text(d.document_id)[d.start : d.end]
            versions = curation.versions_at(self.session.store, d)
        except ClaimmarkError as e:  # a server out of reach: no versions to choose from
            self.passage.setText(f"This passage cannot be read now: {e}")
            self.choices = []
            return
        self.passage.setText(f"{info.title if info else ''}\n“{_short(text, 400)}”")
        self.choices = sorted(versions)
        for n, who in enumerate(self.choices, start=1):
            marks = versions[who]
            said = (
                "; ".join(f"{self._tag(h.tag_id)} “{_short(h.quote, 60)}”" for h in marks)
                or "(no highlight)"
            )
            self.versions.addItem(f"{n}  {who}: {said}")
        self.versions.addItem("0  None of them: no highlight here")
        self.versions.setCurrentRow(0)
        self.passage_shown.emit(d)

    def _tag(self, tag_id: int) -> str:
        tag = self.session.summary.tag(tag_id)
        return tag.name if tag else "?"

    def go(self, step: int) -> None:
        if self.passages:
            self.show_passage((self.current + step) % len(self.passages))

    def accept_version(self, choice: int) -> None:
        """Settle the passage with the `choice`-th annotator's version (past the last: none)."""
        d = self.passage_now()
        if d is None or not self.versions.count() or choice > len(self.choices):
            return  # nothing shown to choose from
        annotator = self.choices[choice] if choice < len(self.choices) else None
        if self.session.run(curation.Settle(d, annotator, self.gold)):
            self.settled.add(self._key(d))
            count = len(self.passages)
            following = next(  # the next open passage, from here on, round to the start
                (
                    i % count
                    for i in range(self.current + 1, self.current + count)
                    if self._key(self.passages[i % count]) not in self.settled
                ),
                None,
            )
            self.show_passage(self.current if following is None else following)

    def choose_gold_name(self) -> None:
        name, ok = QInputDialog.getText(
            self, "Gold Version", "Annotator name of the curated highlights:", text=self.gold
        )
        chosen = name.strip()
        if not ok or not chosen or chosen == self.gold:
            return
        store = self.session.store
        # A project open read-only, or a lost server: a message, and the gold name stays.
        if self.session.attempt(lambda: store.set_setting(curation.GOLD_SETTING, chosen) or True):
            self.gold = chosen
            self.show_passage(self.current)

    def _on_changes(self, changes: Changes) -> None:
        gone = (changes.documents or changes.everything) and self._drop_deleted_documents()
        if changes.progress or changes.everything or gone:  # an undone decision, another window
            try:
                self.settled = curation.settled(self.session.store)
            except ClaimmarkError as e:
                log.warning("cannot read the settled passages: %s", e)
            self.show_passage(self.current)

    def _drop_deleted_documents(self) -> bool:
        """Leave out the passages of documents deleted meanwhile, staying at the passage shown
        (or the next one, when it went); True when some went."""
        summary = self.session.summary
        kept = [d for d in self.passages if summary.document(d.document_id) is not None]
        if len(kept) == len(self.passages):
            return False
        before = self.passages[: self.current]
        self.current = sum(1 for d in before if summary.document(d.document_id) is not None)
        self.passages = kept
        if self.current >= len(kept):
            self.current = 0
        return True
