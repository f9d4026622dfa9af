"""What every view of a project reads and nobody should count twice: the tags, link types and
rating scale, the documents, how many highlights each document has per tag (everyone's, or some
annotators' only: blind mode counts mine), and the links.

One `ProjectSummary` per open project, kept current from the `Changes` of each operation (a
highlight added counts one up, never a re-count), re-read whole only when anything may have
changed.
"""

from __future__ import annotations

from collections.abc import Collection

from desktop.core.changes import Changes
from desktop.core.model import DocumentInfo, Highlight, Link, Rating, RelationType, Tag
from desktop.core.store import ProjectStore


class ProjectSummary:
    def __init__(self, store: ProjectStore) -> None:
        self.tags: list[Tag] = []
        self.relation_types: list[RelationType] = []
        self.ratings: list[Rating] = []  # best first
        self.done: dict[tuple[str, int], str] = {}  # (annotator, document id) -> when
        self.links: dict[int, Link] = {}
        self._links_of: dict[int, set[int]] = {}  # highlight id -> ids of its links
        self.documents: list[DocumentInfo] = []
        self._documents_by_id: dict[int, DocumentInfo] = {}
        self._counts: dict[int, dict[int, int]] = {}
        # (document, annotator) -> {tag id: count}
        self._by_annotator: dict[tuple[int, str], dict[int, int]] = {}
        self._total = 0
        self.reload(store)

    def reload(self, store: ProjectStore) -> None:
        with store.snapshot():
            self.tags = store.tags()
            self.relation_types = store.relation_types()
            self.ratings = store.ratings()
            self._set_documents(store.documents())
            self._counts = store.highlight_counts()
            self._by_annotator = store.annotator_counts()
            self.done = store.done()
            links = store.links()
        self.links = {}
        self._links_of = {}
        for link in links:
            self._add_link(link)
        self._total = sum(sum(c.values()) for c in self._counts.values())

    def apply(self, changes: Changes, store: ProjectStore) -> None:
        """Bring the summary up to date with what an operation changed."""
        if changes.everything:
            self.reload(store)
            return
        if changes.tags:
            self.tags = store.tags()
        if changes.relation_types:
            self.relation_types = store.relation_types()
        if changes.ratings:
            self.ratings = store.ratings()
        if changes.progress or changes.documents:
            self.done = store.done()
        if changes.documents:
            self._set_documents(store.documents())
        for h in changes.added:
            self._count(h, 1)
        for h in changes.removed:
            self._count(h, -1)
        for old, new in changes.changed:
            self._count(old, -1)
            self._count(new, 1)
        for link in changes.links_removed:
            self._remove_link(link)
        for link in changes.links_added:
            self._add_link(link)
        for old_link, new_link in changes.links_changed:
            self._remove_link(old_link)
            self._add_link(new_link)

    def _add_link(self, link: Link) -> None:
        self.links[link.id] = link
        self._links_of.setdefault(link.from_id, set()).add(link.id)
        self._links_of.setdefault(link.to_id, set()).add(link.id)

    def _remove_link(self, link: Link) -> None:
        self.links.pop(link.id, None)
        for end in (link.from_id, link.to_id):
            ids = self._links_of.get(end)
            if ids is not None:
                ids.discard(link.id)
                if not ids:
                    del self._links_of[end]

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
        key = (h.document_id, h.annotator)
        theirs = self._by_annotator.setdefault(key, {})
        left = theirs.get(h.tag_id, 0) + delta
        if left:
            theirs[h.tag_id] = left
        else:
            theirs.pop(h.tag_id, None)
            if not theirs:
                del self._by_annotator[key]

    # Reading -------------------------------------------------------------------------------

    def tag(self, tag_id: int) -> Tag | None:
        return next((t for t in self.tags if t.id == tag_id), None)

    def relation_type(self, type_id: int) -> RelationType | None:
        return next((t for t in self.relation_types if t.id == type_id), None)

    def rating(self, rating_id: int | None) -> Rating | None:
        return next((r for r in self.ratings if r.id == rating_id), None)

    def links_of(self, highlight_id: int, annotators: Collection[str] | None = None) -> list[Link]:
        """The links from and to a highlight, oldest first: everyone's, or those made by
        `annotators`."""
        links = (self.links[i] for i in self._links_of.get(highlight_id, ()))
        return sorted(k for k in links if annotators is None or k.annotator in annotators)

    def linked(self) -> set[int]:
        """Ids of the highlights that have a link."""
        return set(self._links_of)

    def is_linked(self, highlight_id: int) -> bool:
        """Whether a highlight has a link (without copying them all, as linked() does)."""
        return highlight_id in self._links_of

    def document(self, document_id: int) -> DocumentInfo | None:
        return self._documents_by_id.get(document_id)

    def counts(self, document_id: int, annotators: Collection[str] | None = None) -> dict[int, int]:
        """Highlights of a document per tag id: everyone's, or those of `annotators`."""
        if annotators is None:
            return dict(self._counts.get(document_id, {}))
        counts: dict[int, int] = {}
        for annotator in annotators:
            for tag_id, n in self._by_annotator.get((document_id, annotator), {}).items():
                counts[tag_id] = counts.get(tag_id, 0) + n
        return counts

    def highlights_in(self, document_id: int, annotators: Collection[str] | None = None) -> int:
        """Highlights of a document: everyone's, or those of `annotators`."""
        return sum(self.counts(document_id, annotators).values())

    def highlights_by(self, document_id: int, annotator: str) -> int:
        """How many highlights an annotator has in a document."""
        return sum(self._by_annotator.get((document_id, annotator), {}).values())

    def total_of(self, annotators: Collection[str] | None = None) -> int:
        """Highlights in the project: everyone's, or those of `annotators`."""
        if annotators is None:
            return self._total
        return sum(
            sum(counts.values()) for (_, a), counts in self._by_annotator.items() if a in annotators
        )

    def annotators(self) -> list[str]:
        """Everyone with a highlight or a document marked done, by name."""
        names = {a for _, a in self._by_annotator} | {a for a, _ in self.done}
        return sorted(names, key=str.casefold)

    def status(self, document_id: int, annotator: str) -> str:
        """An annotator's progress on a document: "done", "in progress" or "to do"."""
        if (annotator, document_id) in self.done:
            return "done"
        return "in progress" if self.highlights_by(document_id, annotator) else "to do"

    @property
    def total(self) -> int:
        """Highlights in the project."""
        return self._total
