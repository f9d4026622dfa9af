"""The Review menu: the Agreement dialog and the Curation panel, and taking the text to a passage
they name (with everyone's highlights shown)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from desktop.ui.document_view import DocumentView
from desktop.ui.highlight_list import HighlightListPanel
from desktop.ui.session import Session

if TYPE_CHECKING:  # the agreement engine (and numpy) load when Review is first used
    from desktop.core.agreement import Disagreement
    from desktop.ui.agreement_view import AgreementDialog
    from desktop.ui.curation import CurationPanel


class Review(QObject):
    def __init__(
        self,
        session: Session,
        view: DocumentView,
        highlights: HighlightListPanel,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.view = view
        self.highlights = highlights
        self.window = window
        self.agreement: AgreementDialog | None = None
        self.curation: CurationPanel | None = None
        self._annotating_as: str | None = None  # who annotated before editing gold

    def show_agreement(self) -> None:
        from desktop.ui.agreement_view import AgreementDialog, compute

        computed = compute(self.session, self.window)
        if computed is None:
            return
        if self.agreement is None:
            self.agreement = AgreementDialog(self.session, self.window)
            self.agreement.passage_chosen.connect(self.show_passage)
            self.agreement.curate_requested.connect(self.start_curation)
        self.agreement.show_result(computed[0])
        self.agreement.show()
        self.agreement.raise_()

    def start_curation(self) -> None:
        from desktop.core.curation import decisions
        from desktop.ui.agreement_view import compute
        from desktop.ui.curation import CurationPanel

        computed = compute(self.session, self.window)
        if computed is None:
            return
        result, gold = computed
        if self.curation is not None:
            self.curation.close()
        passages = decisions(result.disagreements)
        self.curation = CurationPanel(self.session, passages, gold, self.window)
        self.curation.passage_shown.connect(self.show_passage)
        self.curation.edit_requested.connect(self.edit_gold)
        self.curation.finished.connect(self._curation_closed)
        self.curation.show()
        self.curation.raise_()
        self.curation.activateWindow()  # its keys (1-9, 0, N, P, E) work at once
        self.curation.versions.setFocus()

    def show_passage(self, passage: Disagreement | None) -> None:
        """The text at the passage, everyone's highlights shown, the passage selected."""
        if passage is None:
            return
        if not self.highlights.blind:
            self.highlights.whose.setCurrentIndex(0)  # everyone's
        self.session.open_document(passage.document_id)
        self.view.select_span(passage.start, passage.end)

    def edit_gold(self, passage: Disagreement | None) -> None:
        """E in curation: make the gold version by hand, in the text."""
        if passage is None or self.curation is None:
            return
        if self._annotating_as is None:
            self._annotating_as = self.session.annotator
        self.session.set_annotator(self.curation.gold)
        self.show_passage(passage)
        self.view.setFocus()
        self.window.statusBar().showMessage(
            f"Editing the gold version: highlights you make now are {self.curation.gold}'s. "
            "Close Curation to annotate as yourself again."
        )

    def _curation_closed(self) -> None:
        self.curation = None  # deleted on closing
        if self._annotating_as is not None:
            self.session.set_annotator(self._annotating_as)
            self._annotating_as = None
            self.window.statusBar().showMessage(
                f"Annotating as {self.session.annotator} again.", 4000
            )
