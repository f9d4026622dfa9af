"""What an operation changed: the record every view updates itself from.

A core operation (see operations.py) returns one `Changes` after its transaction committed; the
window hands it to each view, which updates what it shows from it and nothing else. Highlights
come as whole records (old and new for a change), so a view never has to ask the store what
happened; tags and documents, which change rarely and are few, come as flags to re-read.

Orphans (highlights that re-anchoring could not place in a document's new text, see
model.Highlight.orphaned) are in no view's records: a highlight that becomes an orphan is
`removed`, an orphan placed again is `added`, and the flag `orphans` says that the list of
orphans changed (re-read it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop.core.model import Highlight, Link


@dataclass(frozen=True, slots=True)
class Changes:
    """Highlights and links added, removed and changed (old, new); whether the tags, the link
    types, the rating scale or the documents changed; or `everything` when anything may have
    (an import, another window, a restore)."""

    added: tuple[Highlight, ...] = ()
    removed: tuple[Highlight, ...] = ()
    changed: tuple[tuple[Highlight, Highlight], ...] = ()
    links_added: tuple[Link, ...] = ()
    links_removed: tuple[Link, ...] = ()
    links_changed: tuple[tuple[Link, Link], ...] = ()
    tags: bool = False
    relation_types: bool = False
    ratings: bool = False
    progress: bool = False  # which documents annotators marked done
    documents: bool = False
    orphans: bool = False  # highlights became orphans, or orphans were placed or deleted
    everything: bool = False

    def __bool__(self) -> bool:
        return any(getattr(self, f) for f in self.__slots__)

    def __or__(self, other: Changes) -> Changes:
        return Changes(
            *(getattr(self, f) + getattr(other, f) for f in _RECORDS),
            *(getattr(self, f) or getattr(other, f) for f in _FLAGS),
        )

    @property
    def links(self) -> bool:
        """Whether any link was added, removed or changed."""
        return bool(self.links_added or self.links_removed or self.links_changed)

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


def highlights_changed(pairs: Sequence[tuple[Highlight, Highlight]]) -> Changes:
    """Highlights changed (old, new), as views see them: one that became an orphan is removed,
    an orphan placed again is added, and a change among orphans only raises the flag."""
    return Changes(
        added=tuple(new for old, new in pairs if old.orphaned and not new.orphaned),
        removed=tuple(old for old, new in pairs if new.orphaned and not old.orphaned),
        changed=tuple((old, new) for old, new in pairs if not (old.orphaned or new.orphaned)),
        orphans=any(old.orphaned or new.orphaned for old, new in pairs),
    )


_RECORDS = ("added", "removed", "changed", "links_added", "links_removed", "links_changed")
_FLAGS = ("tags", "relation_types", "ratings", "progress", "documents", "orphans", "everything")

EVERYTHING = Changes(everything=True)
