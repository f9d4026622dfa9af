"""Linking highlights and giving verdicts, by keyboard first.

L with the cursor in a highlight starts a link from it; the status bar says so. Move to the
target (in the text, with Alt+Up/Down through the list, or press L again for a picker of the
claims) and press Enter; the link's type is chosen by its key (Enter takes the first). Esc
cancels. With the mouse: Alt+drag from one highlight to another. V with the cursor in a claim
chooses its verdict by the rating's key.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

from desktop.core import argument, operations
from desktop.core.model import Highlight, Rating, RelationType
from desktop.ui.document_view import DocumentView
from desktop.ui.editing import Editing
from desktop.ui.highlight_list import HighlightListPanel
from desktop.ui.link_picker import pick_highlight
from desktop.ui.session import Session


def quote_for_status(h: Highlight, limit: int = 50) -> str:
    flat = " ".join(h.quote.split())
    return f"“{flat[:limit]}{'…' if len(flat) > limit else ''}”"


class Linking(QObject):
    def __init__(
        self,
        session: Session,
        editing: Editing,
        view: DocumentView,
        highlights: HighlightListPanel,
        window: QMainWindow,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.editing = editing
        self.view = view
        self.highlights = highlights
        self.window = window
        self.source: Highlight | None = None
        self._link_keys: list[QAction] = []
        self._make_link_keys()
        view.link_dragged.connect(self.link_dragged)

    @property
    def active(self) -> bool:
        return self.source is not None

    # Link mode -------------------------------------------------------------------------------

    def start(self) -> None:
        """L: link from the highlight under the cursor; L again while linking: pick a claim."""
        if self.source is not None:
            self.pick_target()
            return
        h = self.editing.highlight_at_cursor()
        if h is None:
            self.editing.say("Put the cursor in a highlight to link it to another one.")
            return
        if not self.session.summary.relation_types:
            self.editing.say("This project has no link types; add one in the panel first.")
            return
        self._set_linking(h)
        self.window.statusBar().showMessage(
            f"Linking from {quote_for_status(h)}: move to the target highlight and press Enter "
            "(L: pick a claim from a list; Esc: cancel)."
        )

    def cancel(self, message: str = "Linking cancelled.") -> None:
        self._set_linking(None)
        self.window.statusBar().showMessage(message, 3000)

    def pick_target(self) -> None:
        target = pick_highlight(self.window, self.session, exclude=self.source)
        if target is not None:
            self.finish(target)

    def finish(self, target_id: int | None) -> None:
        """Link the source to `target_id` (None: the highlight under the cursor)."""
        source = self.source
        if source is None:
            return
        if target_id is None:
            under = self.view.spans_at_cursor()
            target_id = under[0].id if under else None
        if target_id is None:
            self.editing.say("Move the cursor into the highlight to link to, then press Enter.")
            return
        if target_id == source.id:
            self.editing.say("That is the highlight the link starts from: move to another one.")
            return
        relation = self.choose_type()
        if relation is None:
            return  # the chooser was closed: still linking
        self._set_linking(None)
        self._link(source.id, target_id, relation)

    def _link(self, source_id: int, target_id: int, relation: RelationType) -> None:
        store = self.session.store
        op = self.session.attempt(
            lambda: operations.AddLink(store, source_id, target_id, relation.id)
        )
        if op is not None and self.session.run(op):
            self.window.statusBar().showMessage(f"Linked: {relation.name}.", 4000)

    def choose_type(self) -> RelationType | None:
        """The link's type, by its key; Enter takes the first; None when closed with Esc."""
        types = self.session.summary.relation_types
        if len(types) == 1:
            return types[0]
        menu = QMenu(self.window)
        chosen: list[RelationType] = []
        for relation in types:
            label = relation.name.replace("&", "&&")
            action = QAction(f"&{relation.key}  {label}" if relation.key else label, menu)
            action.triggered.connect(lambda _c=False, r=relation: chosen.append(r))
            menu.addAction(action)
        menu.setActiveAction(menu.actions()[0])
        self._exec(menu)
        return chosen[0] if chosen else None

    def _exec(self, menu: QMenu) -> None:
        """Show a chooser at the cursor until a choice or Esc. It takes the keyboard focus, so
        its keys (1, 2...) choose in it rather than tag the text behind it."""
        had_focus = QApplication.focusWidget()
        menu.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        QTimer.singleShot(0, menu.setFocus)
        menu.exec(self._menu_point())
        menu.deleteLater()
        if had_focus is not None:  # the keys go back where they were (the text, the list)
            had_focus.setFocus()

    def _menu_point(self) -> QPoint:
        rect = self.view.cursorRect()
        return self.view.viewport().mapToGlobal(rect.bottomLeft())

    # Verdicts ------------------------------------------------------------------------------

    def choose_verdict(self) -> None:
        """V: the claim under the cursor gets a verdict, chosen by the rating's key."""
        h = self.editing.highlight_at_cursor()
        if h is None:
            self.editing.say("Put the cursor in a claim to give it a verdict.")
            return
        summary = self.session.summary
        if h.tag_id not in argument.tag_ids_named(summary.tags, argument.CLAIM):
            tag = summary.tag(h.tag_id)
            self.editing.say(
                f"Verdicts are given to claims; this highlight is {tag.name if tag else 'not one'}."
            )
            return
        menu = QMenu(self.window)
        chosen: list[Rating | None] = []
        for rating in summary.ratings:
            label = rating.name.replace("&", "&&")
            action = QAction(f"&{rating.key}  {label}" if rating.key else label, menu)
            action.setCheckable(True)
            action.setChecked(rating.id == h.rating_id)
            action.triggered.connect(lambda _c=False, r=rating: chosen.append(r))
            menu.addAction(action)
        menu.addSeparator()
        clear = menu.addAction("&0  No verdict")
        clear.setEnabled(h.rating_id is not None)
        clear.triggered.connect(lambda: chosen.append(None))
        self._exec(menu)
        if chosen and (chosen[0].id if chosen[0] else None) != h.rating_id:
            self.session.run(operations.SetRating(h, chosen[0]))

    # Keys and the mouse while linking --------------------------------------------------------

    def _make_link_keys(self) -> None:
        """Enter links and Esc cancels, in the text and in the highlight list, while linking
        (actions rather than an event filter: they are enabled only then, and leave the widgets'
        own keys alone the rest of the time)."""
        for widget in (self.view, self.highlights.table):
            finish = QAction("Link here", widget)
            finish.setShortcuts([QKeySequence(Qt.Key.Key_Return), QKeySequence(Qt.Key.Key_Enter)])
            finish.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            finish.triggered.connect(lambda _c=False, w=widget: self._finish_in(w))
            cancel = QAction("Cancel linking", widget)
            cancel.setShortcut(QKeySequence(Qt.Key.Key_Escape))
            cancel.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            cancel.triggered.connect(lambda: self.cancel())
            for action in (finish, cancel):
                action.setEnabled(False)
                widget.addAction(action)
                self._link_keys.append(action)

    def _set_linking(self, source: Highlight | None) -> None:
        self.source = source
        for action in self._link_keys:
            action.setEnabled(source is not None)

    def _finish_in(self, widget: QObject) -> None:
        if widget is self.highlights.table:
            index = self.highlights.table.currentIndex()
            row = self.highlights.model.highlight(index.row()) if index.isValid() else None
            self.finish(None if row is None else row.id)
        else:
            self.finish(None)

    def link_dragged(self, source_id: int, target_id: int) -> None:
        """Alt+drag in the text from one highlight to another."""
        source = self.editing.read(source_id)
        if source is None:
            return
        if source_id == target_id:
            self.editing.say("Drag onto another highlight to link them.")
            return
        self._set_linking(source)
        self.finish(target_id)
