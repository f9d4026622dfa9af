"""What an annotation import carries, whatever its format, and how it merges into a project.

Each reader (claimmark JSON, W3C, brat, doccano) turns its file into a `Bundle`; `merge_bundle`
adds it to the project in one transaction:

- documents are matched by the hash of their text (or added, when the file carries the text);
- tags, link types and ratings by name (new ones are added);
- highlights by id: one whose id is in the project already is the same highlight, and when its
  tag, note or verdict differ, the one changed last (`updated_at`) is kept; one with another id
  but the same document, span, tag and annotator is present already too. A highlight whose file
  does not say who made it (brat, doccano) is present when any annotator has it. One that the
  project keeps as an orphan (in no place of the document's text) and the file has in that
  text, changed later, is placed where the file has it, unless the same highlight is there;
- links are re-linked through their highlights (the project's highlight for each of the file's),
  and one with the same id, or the same two highlights and type, as a link in the project is
  present already (the newer one kept, as for highlights);
- documents marked done are kept, per annotator.

Several annotators' exports of the same documents thus merge into one project, each keeping
their highlights, links, verdicts and done marks, and nothing twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import NamedTuple

from desktop.core import anchoring, schema
from desktop.core.anchoring import QuoteIndex
from desktop.core.digest import split_articles
from desktop.core.errors import ClaimmarkError, InputRefused
from desktop.core.model import (
    MAX_ANNOTATOR_CHARS,
    Highlight,
    HighlightFilter,
    Link,
    NewDocument,
    Rating,
    RelationType,
    Tag,
    highlight_problem,
    sha256_text,
    tag_name_problem,
)
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore
from desktop.core.timeutil import normalise_timestamp, utc_now
from desktop.core.wording import counted


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
    url: str = ""
    page_starts: tuple[int, ...] = ()


def document_of_text(key: str, text: str, source: str, fallback_title: str) -> BundleDocument:
    """A document that an import file carries as bare text (brat, doccano), with the title and
    byline claimmark finds in it as in a digest of one article, else `fallback_title`."""
    found = split_articles(text, fallback_title=fallback_title)
    whole = found[0] if len(found) == 1 else None
    return BundleDocument(
        key=key,
        sha256=sha256_text(text),
        text=text,
        title=whole.title if whole else fallback_title,
        author=whole.author if whole else "",
        outlet=whole.outlet if whole else "",
        published=whole.published if whole else "",
        source=source,
    )


@dataclass(frozen=True, slots=True)
class BundleTag:
    """A tag, or a link type: named, with a colour and a key when the file gives them."""

    name: str
    colour: str = ""
    key: str = ""


@dataclass(frozen=True, slots=True)
class BundleRating:
    """A verdict of the file's rating scale; `value` orders the scale (the highest is best)."""

    name: str
    value: int | None = None
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
    created_at: str = ""  # any RFC 3339 time, or "" for now
    updated_at: str = ""
    prefix: str = ""
    suffix: str = ""
    rating: str = ""  # a verdict's name, or ""
    ref: str = ""  # what the file's links call it, when that is not its uuid (brat's T3)


class BundleLink(NamedTuple):
    """A link between two of the file's highlights, named by their `ref` (or uuid)."""

    from_ref: str
    to_ref: str
    type: str
    uuid: str = ""
    note: str = ""
    annotator: str = ""
    created_at: str = ""
    updated_at: str = ""


class BundleDone(NamedTuple):
    """An annotator's mark that a document is done."""

    annotator: str
    document_key: str
    done_at: str


@dataclass
class Bundle:
    source: str
    documents: list[BundleDocument] = field(default_factory=list)
    tags: list[BundleTag] = field(default_factory=list)
    highlights: list[BundleHighlight] = field(default_factory=list)
    relation_types: list[BundleTag] = field(default_factory=list)
    ratings: list[BundleRating] = field(default_factory=list)
    links: list[BundleLink] = field(default_factory=list)
    done: list[BundleDone] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # what the reader left out, by name
    notes: list[str] = field(default_factory=list)  # what the user should check, by name
    # Who made what the file does not say who made ("doccano"); "" for the project's user.
    annotator: str = ""


@dataclass
class MergeReport:
    documents_added: int = 0
    documents_matched: int = 0
    tags_added: list[str] = field(default_factory=list)
    relation_types_added: list[str] = field(default_factory=list)
    ratings_added: list[str] = field(default_factory=list)
    highlights_added: int = 0
    highlights_present: int = 0
    highlights_updated: int = 0  # in the project with other content, changed later in the file
    links_added: int = 0
    links_present: int = 0
    links_updated: int = 0
    done_added: int = 0
    skipped: list[str] = field(default_factory=list)  # what did not match, by name
    notes: list[str] = field(default_factory=list)

    @property
    def placed(self) -> bool:
        """Whether anything of the file is in the project now (added, or there already)."""
        return bool(
            self.documents_added
            or self.highlights_added
            or self.highlights_present
            or self.highlights_updated
            or self.links_added
            or self.links_present
            or self.links_updated
            or self.done_added
        )


_CANCEL_EVERY = 2048  # highlights between two looks at whether the user cancelled
_RATING_COLOUR = "#999999"


def merge_bundle(
    store: ProjectStore, bundle: Bundle, cancel: Progress | None = None
) -> MergeReport:
    """Add the bundle's documents, tags, link types, ratings, highlights, links and done marks
    to the project, in one transaction.

    With `cancel`, the work stops (progress.Cancelled, the transaction rolled back) soon after
    the user cancelled, up to just before the commit."""
    merge = _Merge(store, bundle, cancel or Progress())
    with store.batch():
        merge.run()
    return merge.report


class _Existing:
    """A document's highlights in the project, orphans too, by uuid; those placed in its text
    by what makes two the same (an orphan's offsets are in an older text)."""

    def __init__(self, highlights: Sequence[Highlight]) -> None:
        self.by_uuid: dict[str, Highlight] = {h.uuid: h for h in highlights}
        # (start, end, tag id, annotator) -> uuid; (start, end, tag id) -> uuid, for any annotator.
        # Only what the project had: two highlights of one file with different ids are two.
        self.identities: dict[tuple[int, int, int, str], str] = {}
        self.by_anyone: dict[tuple[int, int, int], str] = {}
        for h in highlights:
            if not h.orphaned:
                self.identities.setdefault((h.start, h.end, h.tag_id, h.annotator), h.uuid)
                self.by_anyone.setdefault((h.start, h.end, h.tag_id), h.uuid)


class _Merge:
    def __init__(self, store: ProjectStore, bundle: Bundle, cancel: Progress) -> None:
        self.store = store
        self.bundle = bundle
        self.cancel = cancel
        self.report = MergeReport(skipped=list(bundle.skipped), notes=list(bundle.notes))
        self.doc_ids: dict[str, int] = {}
        self.texts: dict[int, str] = {}
        self.missing_documents: set[str] = set()  # keys of the documents skipped highlights are on
        self.not_placed = 0
        self.not_kept = 0
        # The project's highlight for each of the file's, by its ref: an id, or a uuid that is
        # being inserted (resolved once it is).
        self.refs: dict[str, int | str] = {}
        self.times: dict[str, str | None] = {"": ""}
        self.now = utc_now()

    def run(self) -> None:
        store, bundle, report = self.store, self.bundle, self.report
        self.merge_documents()
        self.tag_ids, refused_tags = _merge_named(
            store.tags(),
            bundle.tags,
            dict.fromkeys(h.tag for h in bundle.highlights),
            "tag",
            lambda name, colour, key: store.add_tag(name, colour, key),
            report.tags_added,
        )
        self.type_ids, self.refused_types = _merge_named(
            store.relation_types(),
            bundle.relation_types,
            dict.fromkeys(k.type for k in bundle.links),
            "link type",
            lambda name, colour, key: store.insert_relation_type(
                RelationType(0, name, colour, key, -1)
            ),
            report.relation_types_added,
        )
        self.rating_ids = self.merge_ratings()
        self.merge_highlights(refused_tags)
        self.merge_links()
        self.merge_done()
        self.cancel.check()
        nothing_to_place = report.documents_matched and not (bundle.highlights or bundle.links)
        if report.skipped and not report.placed and not nothing_to_place:
            # Refused, so that the tags it made are not kept either.
            reasons = {
                "unread": len(bundle.skipped),
                "missing": len(bundle.highlights) - self.not_placed - self.not_kept,
                "not placed": self.not_placed,
                "not kept": self.not_kept,
            }
            raise InputRefused(
                bundle.source, _nothing_imported(reasons, len(self.missing_documents))
            )

    # Documents -------------------------------------------------------------------------------

    def merge_documents(self) -> None:
        store, report = self.store, self.report
        for d in self.bundle.documents:
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
                            url=d.url,
                            page_starts=d.page_starts,
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
            self.doc_ids[d.key] = info.id
            self.texts[info.id] = d.text if d.text is not None else store.document(info.id).text

    # Ratings -------------------------------------------------------------------------------

    def merge_ratings(self) -> dict[str, int]:
        """The project's rating id for each rating name the bundle uses, adding the new ones
        (with the file's value where no rating has it, else just below the worst)."""
        existing = {r.name.casefold(): r for r in self.store.ratings()}
        wanted = {r.name: r for r in self.bundle.ratings}
        for h in self.bundle.highlights:
            if h.rating:
                wanted.setdefault(h.rating, BundleRating(h.rating))
        values = {r.value for r in existing.values()}
        keys = {r.key.casefold() for r in existing.values() if r.key}
        ids: dict[str, int] = {}
        for name, r in wanted.items():
            if name.casefold() in existing:
                ids[name] = existing[name.casefold()].id
                continue
            problem = tag_name_problem(name, "rating")
            if problem:
                self.report.skipped.append(f"rating “{_short(name)}”: {problem}")
                continue
            value = r.value
            if value is None or value in values:
                value = min(values, default=1) - 1 if values else 1
                if r.value is not None:
                    self.report.notes.append(
                        f"rating “{name}”: its value {r.value} is another rating's here; "
                        f"added with the value {value}, below the others"
                    )
            key = r.key if r.key and r.key.casefold() not in keys else ""
            try:
                rating = self.store.insert_rating(
                    Rating(0, name, value, (r.colour or _RATING_COLOUR).upper(), key)
                )
            except ClaimmarkError as e:
                self.report.skipped.append(f"rating “{_short(name)}”: {e}")
                continue
            existing[name.casefold()] = rating
            values.add(value)
            keys.add(key.casefold())
            ids[name] = rating.id
            self.report.ratings_added.append(name)
        return ids

    # Highlights ------------------------------------------------------------------------------

    def time(self, text: str) -> str | None:
        """A time of the file in the project's form ("" stays "", None when unreadable)."""
        if text not in self.times:
            self.times[text] = normalise_timestamp(text)
        return self.times[text]

    def merge_highlights(self, refused_tags: dict[str, str]) -> None:
        store, report, cancel = self.store, self.report, self.cancel
        existing: dict[int, _Existing] = {}
        quotes: dict[int, QuoteIndex] = {}  # per document, made when a quote is looked for
        new: list[Highlight] = []
        # Locals, and the fields unpacked at once: this loop runs 100,000 times in a large
        # import.
        doc_ids, texts, tag_ids, rating_ids = (
            self.doc_ids,
            self.texts,
            self.tag_ids,
            self.rating_ids,
        )
        time, times, context, refs = self.time, self.times, anchoring.context, self.refs
        keep_refs = bool(self.bundle.links)
        default_annotator = self.bundle.annotator or store.annotator
        for n, h in enumerate(self.bundle.highlights, start=1):
            (key, start, end, tag, quote, uid, note, annotator, created_at, updated_at) = h[:10]
            if n % _CANCEL_EVERY == 0:
                cancel.check()
            if tag in refused_tags:
                report.skipped.append(f"{_label(h, n)}: {refused_tags[tag]}")
                self.not_kept += 1
                continue
            doc_id = doc_ids.get(key)
            if doc_id is None:
                report.skipped.append(f"{_label(h, n)}: its document is not in this project")
                self.missing_documents.add(key)
                continue
            text = texts[doc_id]
            if not (0 <= start < end <= len(text)) or text[start:end] != quote:
                if doc_id not in quotes:
                    quotes[doc_id] = QuoteIndex(text)
                found = quotes[doc_id].find(quote, h.prefix, h.suffix, near=start)
                if found is None:
                    report.skipped.append(f"{_label(h, n)}: its quote is not in the document")
                    self.not_placed += 1
                    continue
                start, end = found, found + len(quote)
            here = existing.get(doc_id)
            if here is None:
                here = existing[doc_id] = _Existing(
                    store.highlights(HighlightFilter(document_ids=(doc_id,), orphaned=None))
                )
            tag_id = tag_ids[tag]
            rating_id = rating_ids.get(h.rating) if h.rating else None
            if h.rating and rating_id is None:
                report.notes.append(f"{_label(h, n)}: kept without its verdict “{h.rating}”")
            created = times[created_at] if created_at in times else time(created_at)
            updated = times[updated_at] if updated_at in times else time(updated_at)
            if created is None or updated is None:
                report.skipped.append(f"{_label(h, n)}: a time that is not an RFC 3339 time")
                self.not_kept += 1
                continue
            ref = h.ref or uid
            old = here.by_uuid.get(uid) if uid else None
            if old is not None and old.orphaned:
                refs[ref] = old.id
                here.by_uuid[uid] = self.update_orphan(
                    here,
                    old,
                    _label(h, n),
                    (start, end, text[start:end], *context(text, start, end)),
                    (tag_id, note, rating_id),
                    updated or created or self.now,
                )
                continue
            if old is not None:
                if (old.start, old.end) != (start, end):
                    report.skipped.append(
                        f"{_label(h, n)}: its id is another passage's in this project"
                    )
                    self.not_kept += 1
                    continue
                refs[ref] = old.id
                self.update(old, tag_id, note, rating_id, updated or created or self.now)
                continue
            who = annotator or default_annotator
            same = here.identities.get((start, end, tag_id, who))
            if same is None and not annotator:
                same = here.by_anyone.get((start, end, tag_id))
            if same is not None:  # the same highlight, made elsewhere
                refs[ref] = here.by_uuid[same].id
                report.highlights_present += 1
                continue
            created = created or self.now
            updated = updated or created
            uid = uid or str(uuid.uuid4())
            problem = highlight_problem(uid, note, who, created, updated)
            if problem:  # its export could not carry it (see model.py)
                report.skipped.append(f"{_label(h, n)}: {problem}")
                self.not_kept += 1
                continue
            prefix, suffix = context(text, start, end)
            # Positional: a Highlight is made faster so. The quote is the text at the span.
            new.append(
                Highlight(
                    0, uid, doc_id, start, end, tag_id, quote, prefix, suffix, note, who,
                    created, updated, rating_id,
                )
            )  # fmt: skip
            if ref and keep_refs:
                refs[ref] = uid
        new.sort(key=itemgetter(2, 3))  # by document and start, as the index: inserts faster
        added = 0
        for lo in range(0, len(new), _CANCEL_EVERY * 4):
            cancel.check()
            added += store.insert_highlights(new[lo : lo + _CANCEL_EVERY * 4], keep_ids=False)
        report.highlights_added = added
        report.highlights_present += len(new) - added

    def update(
        self, old: Highlight, tag_id: int, note: str, rating_id: int | None, updated: str
    ) -> None:
        """The file's version of a highlight the project has: kept if changed later."""
        if (old.tag_id, old.note, old.rating_id) == (tag_id, note, rating_id):
            self.report.highlights_present += 1
        elif updated > old.updated_at:
            self.take(old, tag_id, note, rating_id, updated)
            self.report.highlights_updated += 1
        else:
            self.report.highlights_present += 1

    def take(
        self, old: Highlight, tag_id: int, note: str, rating_id: int | None, updated: str
    ) -> None:
        """Give a highlight of the project the file's tag, note and verdict."""
        if (old.tag_id, old.note) != (tag_id, note):
            self.store.update_highlight(old.id, tag_id=tag_id, note=note, updated_at=updated)
        if old.rating_id != rating_id:
            self.store.set_rating(old.id, rating_id, updated_at=updated)

    def update_orphan(
        self,
        here: _Existing,
        old: Highlight,
        label: str,
        place: tuple[int, int, str, str, str],
        fields: tuple[int, str, int | None],
        updated: str,
    ) -> Highlight:
        """The file's version of a highlight the project keeps as an orphan, which the file has
        at `place` (start, end, quote, prefix, suffix) in the document's text, with `fields`
        (tag id, note, verdict): if it was changed later, the orphan is placed there and takes
        them, unless the same highlight is there already (then it stays an orphan, for the user
        to place or delete). Returns it as it is now."""
        start, end, quote, prefix, suffix = place
        if updated <= old.updated_at:
            self.report.highlights_present += 1
            return old
        same = here.identities.get((start, end, fields[0], old.annotator))
        if same is not None:
            self.report.highlights_present += 1
            self.report.notes.append(
                f"{label}: an orphan here, which the file has where this project has the same "
                f"highlight ({same}): it stays an orphan"
            )
            return old
        placed = old._replace(
            start=start,
            end=end,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            orphaned_version=None,
            updated_at=updated,
        )
        self.store.set_highlight_places([placed])
        self.take(placed, *fields, updated)
        self.report.highlights_updated += 1
        self.report.notes.append(f"{label}: an orphan here, placed where the file has it")
        tag_id, note, rating_id = fields
        return placed._replace(tag_id=tag_id, note=note, rating_id=rating_id)

    # Links -----------------------------------------------------------------------------------

    def resolve_refs(self) -> dict[str, int]:
        """The project's highlight id for each ref the links use: the file's highlights, and
        uuids of highlights the project has that the file only links to."""
        wanted = {r for k in self.bundle.links for r in (k.from_ref, k.to_ref)}
        pending = [v for r, v in self.refs.items() if r in wanted and isinstance(v, str)]
        unknown = [r for r in wanted if r not in self.refs]
        ids = self.store.highlight_ids_by_uuid([*pending, *unknown])
        resolved: dict[str, int] = {}
        for ref in wanted:
            value = self.refs.get(ref, ref)
            found = value if isinstance(value, int) else ids.get(value)
            if found is not None:
                resolved[ref] = found
        return resolved

    def merge_links(self) -> None:
        if not self.bundle.links:
            return
        store, report = self.store, self.report
        ids = self.resolve_refs()
        links = store.links()
        by_uuid = {k.uuid: k for k in links}
        triples = {(k.from_id, k.to_id, k.type_id) for k in links}
        for n, k in enumerate(self.bundle.links, start=1):
            if n % _CANCEL_EVERY == 0:
                self.cancel.check()
            label = f"link {k.uuid or n}"
            if k.type in self.refused_types:
                report.skipped.append(f"{label}: {self.refused_types[k.type]}")
                continue
            ends = ids.get(k.from_ref), ids.get(k.to_ref)
            if ends[0] is None or ends[1] is None:
                report.skipped.append(f"{label}: one of its highlights is not in this project")
                continue
            from_id, to_id = ends[0], ends[1]
            if from_id == to_id:
                report.skipped.append(f"{label}: it links a highlight to itself")
                continue
            type_id = self.type_ids[k.type]
            created, updated = self.time(k.created_at), self.time(k.updated_at)
            if created is None or updated is None:
                report.skipped.append(f"{label}: a time that is not an RFC 3339 time")
                continue
            old = by_uuid.get(k.uuid) if k.uuid else None
            if old is not None:
                self.update_link(old, (from_id, to_id), type_id, k.note, updated or created)
                continue
            if (from_id, to_id, type_id) in triples:
                report.links_present += 1
                continue
            created = created or self.now
            updated = updated or created
            uid = k.uuid or str(uuid.uuid4())
            annotator = k.annotator or self.bundle.annotator or store.annotator
            problem = highlight_problem(uid, k.note, annotator, created, updated)
            if problem:
                report.skipped.append(f"{label}: {problem}")
                continue
            try:
                stored = store.insert_link(
                    Link(0, uid, from_id, to_id, type_id, k.note, annotator, created, updated)
                )
            except ClaimmarkError:  # its id is a link's of this project already
                report.links_present += 1
                continue
            triples.add((from_id, to_id, type_id))
            by_uuid[uid] = stored
            report.links_added += 1

    def update_link(
        self, old: Link, ends: tuple[int, int], type_id: int, note: str, updated: str
    ) -> None:
        if (old.from_id, old.to_id) != ends:
            self.report.skipped.append(
                f"link {old.uuid}: its id is a link between other highlights in this project"
            )
        elif (old.type_id, old.note) == (type_id, note) or updated <= old.updated_at:
            self.report.links_present += 1
        else:
            try:
                self.store.update_link(old.id, type_id=type_id, note=note, updated_at=updated)
            except ClaimmarkError:  # the two are linked with that type already
                self.report.links_present += 1
                return
            self.report.links_updated += 1

    # Done marks --------------------------------------------------------------------------

    def merge_done(self) -> None:
        if not self.bundle.done:
            return
        marked = self.store.done()
        for mark in self.bundle.done:
            doc_id = self.doc_ids.get(mark.document_key)
            done_at = self.time(mark.done_at)
            label = f"done mark of {_short(mark.annotator)} on document {mark.document_key}"
            if doc_id is None:
                self.report.skipped.append(f"{label}: the document is not in this project")
            elif not mark.annotator or len(mark.annotator) > MAX_ANNOTATOR_CHARS:
                self.report.skipped.append(
                    f"{label}: an annotator's name is 1 to {MAX_ANNOTATOR_CHARS} characters"
                )
            elif not done_at:
                self.report.skipped.append(f"{label}: its time is not an RFC 3339 time")
            elif (mark.annotator, doc_id) not in marked:
                self.store.set_done(mark.annotator, doc_id, done_at)
                marked[(mark.annotator, doc_id)] = done_at
                self.report.done_added += 1


def _label(h: BundleHighlight, n: int) -> str:
    return f"highlight {h.uuid or h.ref or n}"


def _short(name: str) -> str:
    return name if len(name) <= 40 else f"{name[:40]}…"


def _nothing_imported(reasons: dict[str, int], missing_documents: int) -> str:
    """One line for a file of which nothing could be imported: how many annotations, and why."""
    total = sum(reasons.values())
    documents = counted(missing_documents, "document")
    that_are = "that is" if missing_documents == 1 else "that are"

    def why(kind: str, n: int) -> str:
        one = n == 1
        return {
            "unread": "could not be read (a reader's message names each)",
            "missing": f"{'is' if one else 'are'} on {documents} {that_are} not in this project, "
            "and the file does not carry their texts (import the documents first)",
            "not placed": f"{'quotes' if one else 'quote'} text that is not in "
            f"{'its' if one else 'their'} document",
            "not kept": f"{'holds' if one else 'hold'} what a claimmark project cannot (a tag "
            "name or note too long, ...)",
        }[kind]

    parts = [(kind, n) for kind, n in reasons.items() if n]
    if len(parts) == 1:
        return f"nothing imported: its {counted(total, 'annotation')} {why(*parts[0])}"
    listed = "; ".join(f"{n} {why(kind, n)}" for kind, n in parts)
    return f"nothing imported: of its {total} annotations, {listed}"


def _merge_named(
    existing: Sequence[Tag | RelationType],
    declared: Sequence[BundleTag],
    used: Iterable[str],
    what: str,
    add: Callable[[str, str, str], Tag | RelationType],
    added: list[str],
) -> tuple[dict[str, int], dict[str, str]]:
    """The project's id for each tag (or link type) the bundle declares or `used`, adding the
    new ones to the project and their names to `added`, and why the others cannot be:
    {name: problem}, for what has them to be skipped."""
    by_name = {t.name.casefold(): t for t in existing}
    wanted: dict[str, BundleTag] = {}
    for t in declared:
        wanted.setdefault(t.name, t)
    for name in used:
        wanted.setdefault(name, BundleTag(name))
    used_keys = {t.key.casefold() for t in by_name.values() if t.key}
    used_colours = {t.colour.upper() for t in by_name.values()}
    ids: dict[str, int] = {}
    refused: dict[str, str] = {}
    for name, t in wanted.items():
        if name.casefold() in by_name:
            ids[name] = by_name[name.casefold()].id
            continue
        problem = tag_name_problem(name, what)
        if problem:
            refused[name] = f"its {what} “{_short(name)}” cannot be a {what}: {problem}"
            continue
        colour = t.colour.upper() if t.colour else ""
        if not colour:
            colour = schema.free_colour(used_colours)
        key = t.key if t.key and t.key.casefold() not in used_keys else ""
        item = add(name, colour, key)
        by_name[name.casefold()] = item
        ids[name] = item.id
        used_keys.add(key.casefold())
        used_colours.add(colour)
        added.append(name)
    return ids, refused
