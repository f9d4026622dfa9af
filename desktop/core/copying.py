"""Copying a whole project from one store to another: a file to a server, a server to a file.

Everything goes, with the ids it has: documents with their earlier versions, tags, link types,
the rating scale, highlights (ids, uuids, annotators, times, notes, verdicts; orphans too, with
the versions they are from), links, the documents each annotator marked done, and the project's
settings. It is written in one transaction on the target, through the
ProjectStore interface only, so any two backends copy both ways and a failed copy leaves the
target as it was.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight, HighlightFilter
from desktop.core.store import ProjectStore
from desktop.core.wording import counted


@dataclass(frozen=True)
class CopyReport:
    documents: int
    highlights: int
    links: int
    tags: int
    versions: int = 0  # earlier versions of the documents
    orphans: int = 0  # of the highlights, those not placed in their document's text


def is_empty(store: ProjectStore) -> bool:
    """Whether a project holds nothing of anyone's: no documents (nor so highlights)."""
    return not store.documents()


def copy_project(
    source: ProjectStore,
    target: ProjectStore,
    *,
    replace: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> CopyReport:
    """Copy everything of `source` into `target`, which must hold no documents unless
    `replace` is true (then what it holds is deleted first, in the same transaction)."""
    say = on_progress or (lambda _what: None)
    if not replace and not is_empty(target):
        raise ClaimmarkError(
            f"{target.name} is not empty ({counted(len(target.documents()), 'document')}); "
            "nothing was copied. Copy into a new project, or replace what it holds (--force)."
        )
    say("reading")
    with source.snapshot():
        documents = [source.document(d.id) for d in source.documents()]
        versions = {d.info.id: source.document_versions(d.info.id) for d in documents}
        tags = source.tags()
        relation_types = source.relation_types()
        ratings = source.ratings()
        highlights = source.highlights(HighlightFilter(orphaned=None))
        links = source.links()
        done = source.done()
        settings = source.settings()
    by_document: dict[int, list[Highlight]] = {}
    for h in highlights:
        by_document.setdefault(h.document_id, []).append(h)
    with target.batch():
        say("clearing the target")
        for d in target.documents():
            target.delete_document(d.id)  # with their highlights, links and done marks
        for relation_type in target.relation_types():
            target.delete_relation_type(relation_type.id)
        for tag in target.tags():
            target.delete_tag(tag.id)
        for rating in target.ratings():
            target.delete_rating(rating.id)
        say("writing")
        for tag in tags:
            target.insert_tag(tag)
        for relation_type in relation_types:
            target.insert_relation_type(relation_type)
        for rating in ratings:
            target.insert_rating(rating)
        for document in documents:
            target.restore_document(document, by_document.get(document.id, []))
            target.restore_document_versions(versions[document.id])
        copied_links = target.insert_links(links)
        for (annotator, document_id), done_at in done.items():
            target.set_done(annotator, document_id, done_at)
        for key, value in settings.items():
            target.set_setting(key, value)
        if len(copied_links) != len(links):
            raise ClaimmarkError("some links could not be copied; nothing was copied.")
    return CopyReport(
        len(documents),
        len(highlights),
        len(links),
        len(tags),
        versions=sum(len(vs) for vs in versions.values()),
        orphans=sum(h.orphaned for h in highlights),
    )
