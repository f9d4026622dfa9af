"""What the editing keys do: tag the selection, retag, delete, write a note, step through the
highlight list, delete a document. Each turns the reader's intent into a core operation run by
the session; the views show the result themselves, from the change record."""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMainWindow

from desktop.core import operations
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError, NotFound
from desktop.core.model import Highlight, Link
from desktop.core.search import Hit
from desktop.core.wording import counted
from desktop.ui import dialogs, document_details, note_dialog
from desktop.ui.corpus_search import CorpusSearch
from desktop.ui.document_view import DocumentView
from desktop.ui.highlight_list import HighlightListPanel, Row
from desktop.ui.session import Session


class Editing(QObject):
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
        # The list follows the cursor a moment later, not in the same frame: scrolling and
        # annotating stay as fast as drawing the text.
        self._follow_cursor = QTimer(self)
        self._follow_cursor.setSingleShot(True)
        self._follow_cursor.setInterval(150)
        self._follow_cursor.timeout.connect(self._select_current_in_list)
        view.current_highlight_changed.connect(lambda _id: self._follow_cursor.start())
        view.note_requested.connect(self.edit_note_at_cursor)
        session.stepped.connect(self.show_step)
        highlights.highlight_activated.connect(self.jump_to)
        self._corpus_search: CorpusSearch | None = None

    def say(self, text: str, ms: int = 4000) -> None:
        """A message in the status bar, for `ms` milliseconds."""
        self.window.statusBar().showMessage(text, ms)

    def _select_current_in_list(self) -> None:
        current = self.view.current_highlight()
        if current is not None:
            self.highlights.select_highlight(current)

    def read(self, highlight_id: int) -> Highlight | None:
        """The highlight as stored; None when it cannot be read. One deleted elsewhere (another
        window, a teammate) is no error to report at each key press: the project is read again,
        and the views show it gone."""
        try:
            return self.session.store.highlight(highlight_id)
        except NotFound:
            self.session.reload()
            self.say("That highlight was deleted elsewhere: the text shows the project as it is.")
            return None
        except ClaimmarkError as e:
            self.session.failed.emit(str(e))
            return None

    def highlight_at_cursor(self) -> Highlight | None:
        """The highlight under the cursor as the reader sees it: with the tag the text shows,
        so that a change someone made a moment ago, not drawn yet, is not changed over unseen
        (the store refuses it as changed meanwhile)."""
        under = self.view.spans_at_cursor()
        h = self.read(under[0].id) if under else None
        return None if h is None else h._replace(tag_id=under[0].tag_id)

    def show_step(self, verb: str, label: str, changes: Changes) -> None:
        """After an undo or redo: say what it was, and show where (another document, or off
        screen, included)."""
        self.say(f"{'Undone' if verb == 'undo' else 'Redone'}: {label}.", 5000)
        if changes.everything:  # a document's text replaced (an update): no one place to show
            return
        shown = [*changes.added, *(new for _old, new in changes.changed)]
        if shown:
            self.jump_to(shown[0])
        elif changes.removed:
            gone = changes.removed[0]
            if gone.document_id != self.view.document_id:
                self.session.open_document(gone.document_id)
            self.view.select_span(gone.start, gone.start)  # where it was

    # The keys ----------------------------------------------------------------------------------

    def apply_tag(self, tag_id: int) -> None:
        """The tag's key or button: tag the selection, or retag the highlight under the cursor.
        A selection that is exactly one of my highlights retags it; exactly someone else's, it
        makes my own (annotators marking the same passage is what agreement measures)."""
        document_id = self.view.document_id
        if document_id is None:
            self.say("Open a document first.")
            return
        span = self.view.selection_span()
        if span is not None:
            same = self.view.highlight_on(*span)
            exact = None
            if same is not None and same.annotator == self.session.annotator:
                exact = self.read(same.id)
            if exact is not None:
                done = self._retag(exact, tag_id)
            else:
                store = self.session.store
                op = self.session.attempt(
                    lambda: operations.AddHighlight(store, document_id, *span, tag_id)
                )
                done = op is not None and self.session.run(op)
            if done:
                self.view.collapse_selection()  # so the highlight shows in its colour
            return
        under = self.highlight_at_cursor()
        if under is not None:
            self._retag(under, tag_id)
            return
        if not self.view.spans_at_cursor():
            self.say("Select a passage first (mouse, or Shift+arrows), then press the tag's key.")

    def _retag(self, h: Highlight, tag_id: int) -> bool:
        if h.tag_id == tag_id:
            return True
        return self.session.run(operations.ChangeHighlight(h, tag_id=tag_id))

    def delete_at_cursor(self) -> None:
        h = self.highlight_at_cursor()
        if h is None:
            self.say("Put the cursor in a highlight to delete it.")
            return
        if self.session.run(operations.DeleteHighlight(h)):
            self.view.collapse_selection()  # a tag key now must not re-tag the same passage
            self._follow_list()

    def _follow_list(self) -> None:
        """The list selects the row after a deleted highlight: the cursor goes there too, so
        Delete again deletes the next one."""
        index = self.highlights.table.currentIndex()
        if not index.isValid():
            return
        row = self.highlights.model.highlight(index.row())
        if row.document_id == self.view.document_id:
            self.view.select_span(row.start, row.start)

    def edit_note_at_cursor(self) -> None:
        h = self.highlight_at_cursor()
        if h is None:
            self.say("Put the cursor in a highlight to write a note.")
            return
        tag = self.session.summary.tag(h.tag_id)
        heading = f"Note on this {tag.name if tag else ''} highlight:"
        note = note_dialog.ask_for_note(self.window, heading, h.quote, h.note)
        if note is not None and note != h.note:
            self.session.run(operations.ChangeHighlight(h, note=note))

    # Moving between highlights ----------------------------------------------------------------

    def jump_to(self, h: Highlight | Row) -> None:
        """Open the highlight's document, scroll to it and select it."""
        self.session.open_document(h.document_id)
        if isinstance(h, Highlight) and h.orphaned:  # no place in the text: see Orphans
            self.say("That highlight is orphaned: its text is not in the new version (Orphans).")
            return
        self.view.select_span(h.start, h.end)
        self.highlights.select_highlight(h.id)

    def jump_to_id(self, highlight_id: int) -> None:
        h = self.read(highlight_id)
        if h is not None:
            self.jump_to(h)
            self.view.setFocus()

    def delete_link(self, link: Link) -> None:
        self.session.run(operations.DeleteLink(link))

    def step_highlight(self, step: int) -> None:
        """Go to the next (or previous) highlight of the list, from the current one."""
        rows = self.highlights.model.rows
        if not rows:
            self.say("No highlights in the list.", 3000)
            return
        current = self.view.current_highlight()
        row = None if current is None else self.highlights.model.row_of(current)
        if row is None:
            position = self.view.cursor_position()
            doc = self.view.document_id
            after = [i for i, h in enumerate(rows) if h.document_id == doc and h.start > position]
            before = [i for i, h in enumerate(rows) if h.document_id == doc and h.start < position]
            if step > 0:
                row = after[0] if after else 0
            else:
                row = before[-1] if before else len(rows) - 1
        else:
            row = (row + step) % len(rows)
        self.jump_to(rows[row])
        self.view.setFocus()

    def edit_document_details(self) -> None:
        """Document > Edit Details: title, author, outlet, date, address; undoable."""
        doc = self.session.document_id
        info = None if doc is None else self.session.summary.document(doc)
        if info is None:
            self.say("No document is open.")
            return
        dialog = document_details.DocumentDetailsDialog(self.window, info)
        try:
            while dialog.exec():
                values = dialog.values()
                if values == (info.title, info.author, info.outlet, info.published, info.url):
                    return
                if self.session.run(operations.EditDocument(info, *values)):
                    return
        finally:
            dialog.deleteLater()

    def find_in_all_documents(self) -> None:
        """Edit > Find in All Documents: a list of every place the text occurs."""
        if self._corpus_search is None:
            self._corpus_search = CorpusSearch(self.session, self.window)
            self._corpus_search.hit_chosen.connect(self._show_hit)
        selected = self.view.selection_span()
        chosen = self.view.text[selected[0] : selected[1]] if selected else ""
        self._corpus_search.open_with("" if "\n" in chosen else chosen)

    def _show_hit(self, hit: Hit) -> None:
        self.session.open_document(hit.document_id)
        self.view.select_span(hit.start, hit.end)

    # Documents ---------------------------------------------------------------------------------

    def delete_open_document(self) -> None:
        doc = self.session.document_id
        info = None if doc is None else self.session.summary.document(doc)
        if info is None:
            self.say("No document is open.")
            return
        used = self.session.summary.highlights_in(info.id)
        text = f"Delete the document “{info.title[:80]}” from this project?"
        if used:
            text += f"\n\nIts {counted(used, 'highlight')} will be deleted with it."
        text += " You can undo this (Ctrl+Z)."
        if dialogs.ask(self.window, text, "Delete Document"):
            self.session.run(operations.DeleteDocument(info.id, info.title))
