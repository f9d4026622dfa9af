"""Adding, editing and deleting link types and the ratings of the verdict scale, as undoable
operations, from the scheme panel."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from desktop.core import operations
from desktop.core.model import Rating, RelationType
from desktop.core.schema import free_colour
from desktop.core.wording import counted
from desktop.ui import dialogs, scheme_panel, tag_panel
from desktop.ui.scheme_panel import SchemePanel
from desktop.ui.session import Session
from desktop.ui.tag_editing import edit_in_dialog


class SchemeEditing(QObject):
    def __init__(self, session: Session, panel: SchemePanel, window: QMainWindow) -> None:
        super().__init__(window)
        self.session = session
        self.window = window
        panel.types.add_requested.connect(self.add_relation_type)
        panel.types.edit_requested.connect(self.edit_relation_type)
        panel.types.delete_requested.connect(self.delete_relation_type)
        panel.ratings.add_requested.connect(self.add_rating)
        panel.ratings.edit_requested.connect(self.edit_rating)
        panel.ratings.delete_requested.connect(self.delete_rating)

    # Link types ------------------------------------------------------------------------------

    def add_relation_type(self) -> None:
        colour = free_colour({t.colour.upper() for t in self.session.summary.relation_types})
        self._type_dialog(None, colour)

    def edit_relation_type(self, relation: RelationType) -> None:
        self._type_dialog(relation, relation.colour)

    def _type_dialog(self, relation: RelationType | None, colour: str) -> None:
        dialog = tag_panel.TagDialog(self.window, relation, colour, noun="Link Type")

        def operation_for() -> operations.Operation | None:
            name, colour, key = dialog.values()
            if relation is None:
                return operations.AddRelationType(name, colour, key)
            if (name, colour.upper(), key) == (relation.name, relation.colour, relation.key):
                return None
            return operations.EditRelationType(relation, name, colour, key)

        edit_in_dialog(self.session, self.window, dialog, operation_for)

    def delete_relation_type(self, relation: RelationType) -> None:
        used = self.session.store.relation_type_usage(relation.id)
        text = f"Delete the link type “{relation.name}”?"
        if used:
            text += (
                f"\n\nIts {counted(used, 'link')} will be deleted with it. "
                "You can undo this (Ctrl+Z)."
            )
        if dialogs.ask(self.window, text, "Delete Link Type"):
            self.session.run(operations.DeleteRelationType(relation))

    # The rating scale -------------------------------------------------------------------------

    def add_rating(self) -> None:
        values = [r.value for r in self.session.summary.ratings]
        self._rating_dialog(None, max(values, default=0) + 1)

    def edit_rating(self, rating: Rating) -> None:
        self._rating_dialog(rating, rating.value)

    def _rating_dialog(self, rating: Rating | None, value: int) -> None:
        dialog = scheme_panel.RatingDialog(self.window, rating, value)

        def operation_for() -> operations.Operation | None:
            name, value, colour, key = dialog.values()
            if rating is None:
                return operations.AddRating(name, value, colour, key)
            if Rating(rating.id, name, value, colour.upper(), key) == rating:
                return None
            return operations.EditRating(rating, name, value, colour, key)

        edit_in_dialog(self.session, self.window, dialog, operation_for)

    def delete_rating(self, rating: Rating) -> None:
        given = self.session.store.rating_usage(rating.id)
        text = f"Delete the verdict “{rating.name}” from the scale?"
        if given:
            text += (
                f"\n\n{counted(given, 'claim')} with this verdict will have none. "
                "You can undo this (Ctrl+Z)."
            )
        if dialogs.ask(self.window, text, "Delete Verdict"):
            self.session.run(operations.DeleteRating(rating))
