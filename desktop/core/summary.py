"""What every view of a project reads and nobody should count twice: the tags, the documents,
and how many highlights each document has per tag.

One `ProjectSummary` per open project, kept current from the `Changes` of each operation (a
highlight added counts one up, never a re-count), re-read whole only when anything may have
changed.
"""

from __future__ import annotations

from desktop.core.changes import Changes
from desktop.core.model import DocumentInfo, Highlight, Tag
from desktop.core.store import ProjectStore


class ProjectSummary:
    def __init__(self, store: ProjectStore) -> None:
        self.tags: list[Tag] = []
        self.documents: list[DocumentInfo] = []
        self._documents_by_id: dict[int, DocumentInfo] = {}
        self._counts: dict[int, dict[int, int]] = {}
        self._total = 0
        self.reload(store)

    def reload(self, store: ProjectStore) -> None:
        with store.snapshot():
            self.tags = store.tags()
            self._set_documents(store.documents())
            self._counts = store.highlight_counts()
        self._total = sum(sum(c.values()) for c in self._counts.values())

    def apply(self, changes: Changes, store: ProjectStore) -> None:
        """Bring the summary up to date with what an operation changed."""
        if changes.everything:
            self.reload(store)
            return
        if changes.tags:
            self.tags = store.tags()
        if changes.documents:
            self._set_documents(store.documents())
        for h in changes.added:
            self._count(h, 1)
        for h in changes.removed:
            self._count(h, -1)
        for old, new in changes.changed:
            self._count(old, -1)
            self._count(new, 1)

    def _set_documents(self, documents: list[DocumentInfo]) -> None:
        self.documents = documents
        self._documents_by_id = {d.id: d for d in documents}

    def _count(self, h: Highlight, delta: int) -> None:
        per_tag = self._counts.setdefault(h.document_id, {})
        n = per_tag.get(h.tag_id, 0) + delta
        if n:
            per_tag[h.tag_id] = n
        else:
            per_tag.pop(h.tag_id, None)
        self._total += delta

    # Reading -------------------------------------------------------------------------------

    def tag(self, tag_id: int) -> Tag | None:
        return next((t for t in self.tags if t.id == tag_id), None)

    def document(self, document_id: int) -> DocumentInfo | None:
        return self._documents_by_id.get(document_id)

    def counts(self, document_id: int) -> dict[int, int]:
        """Highlights of a document per tag id."""
        return dict(self._counts.get(document_id, {}))

    def highlights_in(self, document_id: int) -> int:
        return sum(self._counts.get(document_id, {}).values())

    @property
    def total(self) -> int:
        """Highlights in the project."""
        return self._total
