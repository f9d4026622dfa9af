"""What an operation changed: the record every view updates itself from.

A core operation (see operations.py) returns one `Changes` after its transaction committed; the
window hands it to each view, which updates what it shows from it and nothing else. Highlights
come as whole records (old and new for a change), so a view never has to ask the store what
happened; tags and documents, which change rarely and are few, come as flags to re-read.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.core.model import Highlight


@dataclass(frozen=True, slots=True)
class Changes:
    """Highlights added, removed and changed (old, new); whether the tags or the documents
    changed; or `everything` when anything may have (an import, another window, a restore)."""

    added: tuple[Highlight, ...] = ()
    removed: tuple[Highlight, ...] = ()
    changed: tuple[tuple[Highlight, Highlight], ...] = ()
    tags: bool = False
    documents: bool = False
    everything: bool = False

    def __bool__(self) -> bool:
        return bool(
            self.added
            or self.removed
            or self.changed
            or self.tags
            or self.documents
            or self.everything
        )

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            self.added + other.added,
            self.removed + other.removed,
            self.changed + other.changed,
            self.tags or other.tags,
            self.documents or other.documents,
            self.everything or other.everything,
        )

    @property
    def highlight_count(self) -> int:
        """How many highlight records this change carries."""
        return len(self.added) + len(self.removed) + len(self.changed)

    def documents_touched(self) -> set[int]:
        """Ids of the documents whose highlights changed."""
        touched = {h.document_id for h in self.added}
        touched.update(h.document_id for h in self.removed)
        touched.update(new.document_id for _old, new in self.changed)
        return touched


EVERYTHING = Changes(everything=True)
