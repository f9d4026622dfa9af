"""What an annotation import carries, whatever its format, and how it merges into a project.

Each reader (claimmark JSON, W3C, brat) turns its file into a `Bundle`; `merge_bundle` adds it to
the project in one transaction: documents are matched by the hash of their text, tags by name,
and highlights already present (same id, or same document, span, tag and annotator) are skipped.
A highlight whose file does not say who made it (brat) is present when any annotator has it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from desktop.core import anchoring, schema
from desktop.core.anchoring import QuoteIndex
from desktop.core.errors import InputRefused
from desktop.core.model import (
    Highlight,
    HighlightFilter,
    NewDocument,
    highlight_problem,
    tag_name_problem,
)
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore
from desktop.core.timeutil import utc_now


@dataclass(frozen=True, slots=True)
class BundleDocument:
    """A document as an import file names it: with its text, or only by its text's hash."""

    key: str  # the file's own id for the document
    sha256: str
    text: str | None = None
    title: str = ""
    author: str = ""
    outlet: str = ""
    published: str = ""
    source: str = ""
    source_offset: int = 0


@dataclass(frozen=True, slots=True)
class BundleTag:
    name: str
    colour: str = ""
    key: str = ""


class BundleHighlight(NamedTuple):
    document_key: str
    start: int
    end: int
    tag: str
    quote: str
    uuid: str = ""
    note: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""
    prefix: str = ""
    suffix: str = ""


@dataclass
class Bundle:
    source: str
    documents: list[BundleDocument] = field(default_factory=list)
    tags: list[BundleTag] = field(default_factory=list)
    highlights: list[BundleHighlight] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what the reader left out, by name


@dataclass
class MergeReport:
    documents_added: int = 0
    documents_matched: int = 0
    tags_added: list[str] = field(default_factory=list)
    highlights_added: int = 0
    highlights_present: int = 0
    skipped: list[str] = field(default_factory=list)  # what did not match, by name


_CANCEL_EVERY = 2048  # highlights between two looks at whether the user cancelled


def merge_bundle(
    store: ProjectStore, bundle: Bundle, cancel: Progress | None = None
) -> MergeReport:
    """Add the bundle's documents, tags and highlights to the project, in one transaction.

    With `cancel`, the work stops (progress.Cancelled, the transaction rolled back) soon after
    the user cancelled, up to just before the commit."""
    cancel = cancel or Progress()
    report = MergeReport(skipped=list(bundle.skipped))
    with store.batch():
        doc_ids, texts = _merge_documents(store, bundle, report)
        tag_ids, refused_tags = _merge_tags(store, bundle, report)
        existing_spans: dict[int, set[tuple[int, int, int, str]]] = {}
        spans_by_anyone: dict[int, set[tuple[int, int, int]]] = {}
        new: list[Highlight] = []
        now = utc_now()
        quotes: dict[int, QuoteIndex] = {}  # per document, made when a quote is looked for
        missing_documents: set[str] = set()  # keys of the documents skipped highlights are on
        not_placed = not_kept = 0
        for n, h in enumerate(bundle.highlights, start=1):
            if n % _CANCEL_EVERY == 0:
                cancel.check()
            label = f"highlight {h.uuid or n}"
            if h.tag in refused_tags:
                report.skipped.append(f"{label}: {refused_tags[h.tag]}")
                not_kept += 1
                continue
            doc_id = doc_ids.get(h.document_key)
            if doc_id is None:
                report.skipped.append(f"{label}: its document is not in this project")
                missing_documents.add(h.document_key)
                continue
            text = texts[doc_id]
            start, end = h.start, h.end
            if not (0 <= start < end <= len(text)) or text[start:end] != h.quote:
                if doc_id not in quotes:
                    quotes[doc_id] = QuoteIndex(text)
                found = quotes[doc_id].find(h.quote, h.prefix, h.suffix, near=start)
                if found is None:
                    report.skipped.append(f"{label}: its quote is not in the document")
                    not_placed += 1
                    continue
                start, end = found, found + len(h.quote)
            if doc_id not in existing_spans:
                existing_spans[doc_id] = {
                    (x.start, x.end, x.tag_id, x.annotator)
                    for x in store.iter_highlights(HighlightFilter(document_ids=(doc_id,)))
                }
                spans_by_anyone[doc_id] = {s[:3] for s in existing_spans[doc_id]}
            annotator = h.annotator or store.annotator
            identity = (start, end, tag_ids[h.tag], annotator)
            if identity in existing_spans[doc_id] or (
                not h.annotator and identity[:3] in spans_by_anyone[doc_id]
            ):  # the same highlight, made elsewhere
                report.highlights_present += 1
                continue
            created = h.created_at or now
            updated = h.updated_at or h.created_at or now
            uid = h.uuid or str(uuid.uuid4())
            problem = highlight_problem(uid, h.note, annotator, created, updated)
            if problem:  # its export could not carry it (see model.py)
                report.skipped.append(f"{label}: {problem}")
                not_kept += 1
                continue
            prefix, suffix = anchoring.context(text, start, end)
            new.append(
                Highlight(  # positional: 100,000 of these in a large import
                    0,
                    uid,
                    doc_id,
                    start,
                    end,
                    identity[2],
                    text[start:end],
                    prefix,
                    suffix,
                    h.note,
                    annotator,
                    created,
                    updated,
                )
            )
        new.sort(key=lambda h: (h.document_id, h.start))  # in index order: inserts faster
        added = 0
        for lo in range(0, len(new), _CANCEL_EVERY * 4):
            cancel.check()
            added += store.insert_highlights(new[lo : lo + _CANCEL_EVERY * 4], keep_ids=False)
        cancel.check()
        report.highlights_added = added
        report.highlights_present += len(new) - added
        placed = report.documents_added or report.highlights_added or report.highlights_present
        nothing_to_place = report.documents_matched and not bundle.highlights
        if report.skipped and not placed and not nothing_to_place:
            # Refused, so that the tags it made are not kept either.
            reasons = {
                "unread": len(bundle.skipped),
                "missing": len(bundle.highlights) - not_placed - not_kept,
                "not placed": not_placed,
                "not kept": not_kept,
            }
            raise InputRefused(bundle.source, _nothing_imported(reasons, len(missing_documents)))
    return report


def _nothing_imported(reasons: dict[str, int], missing_documents: int) -> str:
    """One line for a file of which nothing could be imported: how many annotations, and why."""
    total = sum(reasons.values())
    why = {
        "unread": "could not be read (a reader's message names each)",
        "missing": f"are on {missing_documents} documents that are not in this project, and the "
        "file does not carry their texts (import the documents first)",
        "not placed": "quote text that is not in their document",
        "not kept": "hold what a claimmark project cannot (a tag name or note too long, ...)",
    }
    parts = [(n, why[kind]) for kind, n in reasons.items() if n]
    if len(parts) == 1:
        return f"nothing imported: its {total} annotations {parts[0][1]}"
    listed = "; ".join(f"{n} {text}" for n, text in parts)
    return f"nothing imported: of its {total} annotations, {listed}"


def _merge_documents(
    store: ProjectStore, bundle: Bundle, report: MergeReport
) -> tuple[dict[str, int], dict[int, str]]:
    doc_ids: dict[str, int] = {}
    texts: dict[int, str] = {}
    for d in bundle.documents:
        info = store.document_by_sha256(d.sha256)
        if info is None and d.text is not None:
            added = store.add_documents(
                [
                    NewDocument(
                        text=d.text,
                        title=d.title,
                        source=d.source,
                        source_offset=d.source_offset,
                        author=d.author,
                        outlet=d.outlet,
                        published=d.published,
                    )
                ]
            )
            info = added[0]
            report.documents_added += 1
        elif info is not None:
            report.documents_matched += 1
        if info is None:
            name = f"“{d.title}” ({d.key})" if d.title else d.key
            report.skipped.append(
                f"document {name}: not in this project and the file does not carry its text"
            )
            continue
        doc_ids[d.key] = info.id
        texts[info.id] = d.text if d.text is not None else store.document(info.id).text
    return doc_ids, texts


def _merge_tags(
    store: ProjectStore, bundle: Bundle, report: MergeReport
) -> tuple[dict[str, int], dict[str, str]]:
    """The project's tag id for each tag the bundle names (adding the new ones), and why the
    others cannot be tags: {name: problem}, for the highlights that have them to be skipped."""
    existing = {t.name.casefold(): t for t in store.tags()}
    wanted = {t.name: t for t in bundle.tags}
    for h in bundle.highlights:
        wanted.setdefault(h.tag, BundleTag(h.tag))
    used_keys = {t.key.casefold() for t in existing.values() if t.key}
    used_colours = {t.colour.upper() for t in existing.values()}
    ids: dict[str, int] = {}
    refused: dict[str, str] = {}
    for name, t in wanted.items():
        if name.casefold() in existing:
            ids[name] = existing[name.casefold()].id
            continue
        problem = tag_name_problem(name)
        if problem:
            shown = name if len(name) <= 40 else f"{name[:40]}…"
            refused[name] = f"its tag “{shown}” cannot be a tag: {problem}"
            continue
        colour = t.colour.upper() if t.colour else ""
        if not colour:
            colour = schema.free_colour(used_colours)
        key = t.key if t.key and t.key.casefold() not in used_keys else ""
        tag = store.add_tag(name, colour, key)
        existing[name.casefold()] = tag
        ids[name] = tag.id
        used_keys.add(key.casefold())
        used_colours.add(colour)
        report.tags_added.append(name)
    return ids, refused
