"""The W3C Web Annotation Data Model (https://www.w3.org/TR/annotation-model/) as JSON-LD.

Export: one `AnnotationCollection` whose first page embeds every annotation. Each highlight is
an `Annotation` with a stable `id` (`urn:uuid:` and the highlight's uuid; an id that is not a
UUID, given in an import, as `urn:claimmark:highlight:` and the id percent-encoded, which the
import maps back), motivation `tagging`, a `TextualBody` with purpose `tagging` holding the tag
name, one with purpose `assessing` holding its verdict (a rating's name, when it has one), one
with purpose `commenting` holding the note (when there is one), `created`/`modified` in UTC, the
annotator as `creator`, and a target whose `source` is the document, selected both by a
`TextQuoteSelector` and a `TextPositionSelector` (code points, as the model requires). The
document is its web address when it has one (an External Web Resource with that `id`, and the
hash of its text as `dcterms:identifier`), and otherwise `urn:sha256:` and the hash of its text.

Each link between two exported highlights is an `Annotation` with motivation `linking`, its own
`id` (`urn:uuid:` and the link's uuid, or `urn:claimmark:link:` and its id), a `TextualBody`
with purpose `classifying` naming its type ("supports") and one with purpose `commenting` for
its note, and the two highlights' annotations as its targets (their IRIs), the one it comes from
first: "the first target supports the second".

The documents' text is not in the file. The collection lists the documents it refers to under
`dcterms:references` (a Dublin Core property the annotation context declares), with their title,
author, outlet and date, so a reader can name a document it does not have.

Import reads such a collection (or a page, a single annotation, or a list of annotations) into a
Bundle. Documents are matched by the `urn:sha256:` of their text; annotations on other documents
are reported and skipped. A quote that is not at its offsets is looked for near them. Linking
annotations become links, `assessing` bodies verdicts (ratings made by name where the project
lacks them).
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from datetime import UTC, datetime
from typing import Any, TypeGuard

from desktop.core import jsonio
from desktop.core.bundle import Bundle, BundleDocument, BundleHighlight, BundleLink, BundleTag
from desktop.core.errors import InputRefused
from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import MAX_ID_CHARS, DocumentInfo, Highlight, Link
from desktop.core.timeutil import utc_text

CONTEXT = "http://www.w3.org/ns/anno.jsonld"
SHA256_PREFIX = "urn:sha256:"
UUID_PREFIX = "urn:uuid:"
ID_PREFIX = "urn:claimmark:"  # then highlight: or link:, and an id that is not a UUID
_ID_RE = re.compile(r"^urn:claimmark:(?:highlight|link):(.+)$", re.IGNORECASE)
_SHA256_RE = re.compile(r"^urn:sha256:([0-9a-f]{64})$", re.IGNORECASE)
_TYPES = {"Annotation", "AnnotationCollection", "AnnotationPage"}


# Export --------------------------------------------------------------------------------------


def export_w3c(context: ExportContext) -> dict[str, Any]:
    """The highlights the context selects, and the links between them, as one
    AnnotationCollection, ready for json.dump."""
    progress, infos = context.progress, context.all_documents
    highlights = list(context.highlights())
    items = []
    for done, h in enumerate(highlights):
        progress.step(done, len(highlights))
        rating = context.rating_names[h.rating_id] if h.rating_id is not None else ""
        items.append(annotation(h, context.tag_names[h.tag_id], infos[h.document_id], rating))
    progress.step(len(highlights), len(highlights))
    uuids = {h.id: h.uuid for h in highlights}
    for link in context.links_among(uuids):
        items.append(
            link_annotation(
                link,
                context.relation_type_names[link.type_id],
                uuids[link.from_id],
                uuids[link.to_id],
            )
        )
    referenced = sorted({h.document_id for h in highlights})
    collection: dict[str, Any] = {
        "@context": CONTEXT,
        "id": f"{UUID_PREFIX}{uuid.uuid4()}",
        "type": "AnnotationCollection",
        "label": "claimmark highlights",
        "total": len(items),
    }
    if items:
        collection["first"] = {
            "id": f"{UUID_PREFIX}{uuid.uuid4()}",
            "type": "AnnotationPage",
            "startIndex": 0,
            "items": items,
        }
    collection["dcterms:references"] = [_describe(infos[d]) for d in referenced]
    return collection


def annotation(h: Highlight, tag: str, document: DocumentInfo, rating: str = "") -> dict[str, Any]:
    """One highlight as a W3C Annotation (with its verdict, `rating`, when it has one)."""
    body = [_textual_body("tagging", tag)]
    if rating:
        body.append(_textual_body("assessing", rating))
    if h.note:
        body.append(_textual_body("commenting", h.note))
    quote: dict[str, Any] = {"type": "TextQuoteSelector", "exact": h.quote}
    if h.prefix:
        quote["prefix"] = h.prefix
    if h.suffix:
        quote["suffix"] = h.suffix
    anno = _annotation_head(h.uuid, "tagging", h.created_at, h.updated_at, h.annotator)
    anno["body"] = body
    anno["target"] = {
        "source": source_of(document),
        "selector": [
            quote,
            {"type": "TextPositionSelector", "start": h.start, "end": h.end},
        ],
    }
    return anno


def link_annotation(link: Link, link_type: str, from_uuid: str, to_uuid: str) -> dict[str, Any]:
    """A link as a W3C Annotation with motivation linking: the highlight it comes from is the
    first target, the one it goes to the second."""
    anno = _annotation_head(link.uuid, "linking", link.created_at, link.updated_at, link.annotator)
    anno["body"] = [_textual_body("classifying", link_type)]
    if link.note:
        anno["body"].append(_textual_body("commenting", link.note))
    anno["target"] = [_iri(from_uuid), _iri(to_uuid)]
    return anno


def _annotation_head(
    uid: str, motivation: str, created: str, modified: str, annotator: str
) -> dict[str, Any]:
    """What every exported Annotation starts with: its id, motivation, times and creator."""
    head: dict[str, Any] = {
        "@context": CONTEXT,
        "id": _iri(uid, "link" if motivation == "linking" else "highlight"),
        "type": "Annotation",
        "motivation": motivation,
        "created": created,
        "modified": modified,
    }
    if annotator:
        head["creator"] = {"type": "Person", "name": annotator}
    return head


def source_of(document: DocumentInfo) -> str | dict[str, str]:
    """A document as an annotation's source: its web address, with the hash of its text (which
    the address may no longer give), or the hash alone."""
    hashed = f"{SHA256_PREFIX}{document.sha256}"
    if not document.url:
        return hashed
    return {
        "id": document.url,
        "type": "Text",
        "format": "text/plain",
        "dcterms:identifier": hashed,
    }


def _textual_body(purpose: str, value: str) -> dict[str, str]:
    return {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}


def _iri(uid: str, kind: str = "highlight") -> str:
    """The IRI of a highlight's (or a link's) annotation: `urn:uuid:` and its uuid, or for an
    id that is not one in that form (given in an import: "flag"), `urn:claimmark:highlight:`
    (or `link:`) and the id percent-encoded, which `_uuid_of` maps back."""
    if _is_uuid(uid):
        return f"{UUID_PREFIX}{uid}"
    return f"{ID_PREFIX}{kind}:{urllib.parse.quote(uid, safe='')}"


def _is_uuid(value: str) -> bool:
    """Whether `value` is a UUID as claimmark writes them (lower case, with hyphens)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _describe(info: DocumentInfo) -> dict[str, str]:
    described = {
        "id": info.url or f"{SHA256_PREFIX}{info.sha256}",
        "type": "Text",
        "format": "text/plain",
        "dc:title": info.title,
    }
    if info.url:
        described["dcterms:identifier"] = f"{SHA256_PREFIX}{info.sha256}"
    for key, value in (("dc:creator", info.author), ("dc:publisher", info.outlet)):
        if value:
            described[key] = value
    if info.published:
        described["dc:date"] = info.published
    return described


def to_json(data: dict[str, Any]) -> bytes:
    """The collection as indented UTF-8 JSON-LD."""
    return jsonio.dumps_bytes(data)


# Import --------------------------------------------------------------------------------------


class _Skip(Exception):
    """An annotation that cannot become a highlight; the message says why."""


def looks_w3c(data: Any) -> bool:
    """Whether decoded JSON is W3C Web Annotation data (an annotation, page or collection)."""
    first = data[0] if isinstance(data, list) and data else data
    return isinstance(first, dict) and bool(_types(first) & _TYPES)


def parse_w3c(data: Any, name: str) -> Bundle:
    """Turn decoded W3C JSON-LD into a Bundle, or raise InputRefused naming the problem."""
    bundle = Bundle(source=name)
    annotations = _annotations(data, name)
    titles = _document_titles(data)
    documents: dict[str, BundleDocument] = {}
    tags: dict[str, BundleTag] = {}
    seen: set[str] = set()
    for n, anno in enumerate(annotations, start=1):
        anno_id = anno.get("id") if isinstance(anno.get("id"), str) else ""
        label = f"annotation {anno_id or n}"
        try:
            if anno_id in seen:
                raise _Skip("appears twice in the file")
            if "linking" in _as_list(anno.get("motivation")):
                bundle.links.append(_link(anno))
                if anno_id:
                    seen.add(anno_id)
                continue
            key, sha256, highlights = _highlights(anno)
        except _Skip as e:
            bundle.skipped.append(f"{label}: {e}")
            continue
        if anno_id:
            seen.add(anno_id)
        if key not in documents:
            documents[key] = BundleDocument(key=key, sha256=sha256, title=titles.get(key, ""))
        for h in highlights:
            tags.setdefault(h.tag, BundleTag(h.tag))
        bundle.highlights.extend(highlights)
    bundle.documents = list(documents.values())
    bundle.tags = list(tags.values())
    return bundle


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("type", node.get("@type"))
    values = value if isinstance(value, list) else [value]
    return {v for v in values if isinstance(v, str)}


def _annotations(data: Any, name: str) -> list[dict[str, Any]]:
    """The annotations of a collection, page, annotation or list of annotations."""
    nodes = data if isinstance(data, list) else [data]
    found: list[dict[str, Any]] = []
    for node in nodes:
        if not isinstance(node, dict):
            raise InputRefused(name, "not W3C Web Annotation JSON-LD (a list of non-objects)")
        kinds = _types(node)
        if "AnnotationCollection" in kinds:
            page = node.get("first")
            if node.get("total", 1) == 0 and page is None:
                continue
            if not isinstance(page, dict):
                raise InputRefused(
                    name,
                    "the collection's annotations are not in the file (its first page is only "
                    "linked); save the pages themselves and import those",
                )
            found.extend(_page_items(page, name))
        elif "AnnotationPage" in kinds:
            found.extend(_page_items(node, name))
        elif "Annotation" in kinds:
            found.append(node)
        else:
            raise InputRefused(name, "not W3C Web Annotation JSON-LD (an object of unknown type)")
    return found


def _page_items(page: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The items of a page and of the pages embedded after it (`next`)."""
    items: list[dict[str, Any]] = []
    node: Any = page
    while isinstance(node, dict):
        page_items = node.get("items", [])
        if not isinstance(page_items, list) or not all(isinstance(i, dict) for i in page_items):
            raise InputRefused(name, "an annotation page whose items are not a list of objects")
        items.extend(page_items)
        node = node.get("next")
    return items


def _document_titles(data: Any) -> dict[str, str]:
    """The titles a collection gives the documents it refers to, by their id (and by the hash
    of their text, when it names it)."""
    described = data.get("dcterms:references", []) if isinstance(data, dict) else []
    titles: dict[str, str] = {}
    for d in described if isinstance(described, list) else []:
        if isinstance(d, dict) and isinstance(d.get("id"), str):
            title = d.get("dc:title")
            if isinstance(title, str):
                titles[d["id"]] = title
                identifier = d.get("dcterms:identifier")
                if isinstance(identifier, str) and _SHA256_RE.match(identifier):
                    titles[identifier.lower()] = title
    return titles


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _source(target: dict[str, Any]) -> tuple[str, str]:
    """(key, sha256) of the document a target's source names: the key is `urn:sha256:` and the
    hash of its text when the source gives it (as its IRI or its `dcterms:identifier`), and the
    sha256 is "" when it does not."""
    source = target.get("source")
    identifier = None
    if isinstance(source, dict):
        identifier = source.get("dcterms:identifier")
        source = source.get("id")
    if not isinstance(source, str) or not source:
        raise _Skip("its target has no source")
    for candidate in (identifier, source):
        match = _SHA256_RE.match(candidate) if isinstance(candidate, str) else None
        if match:
            sha256 = match.group(1).lower()
            return f"{SHA256_PREFIX}{sha256}", sha256
    return source, ""


def _highlights(anno: dict[str, Any]) -> tuple[str, str, list[BundleHighlight]]:
    """The key and sha256 of the document an annotation targets (see _source), and the
    highlights it makes (one per tag)."""
    targets = _as_list(anno.get("target"))
    if len(targets) != 1:
        raise _Skip(f"has {len(targets)} targets; a claimmark highlight has one")
    target = targets[0]
    if not isinstance(target, dict):
        raise _Skip("targets a whole resource, not a passage of text")
    key, sha256 = _source(target)
    quote, prefix, suffix, start, end = _selected(target)
    tags, note, rating = _bodies(anno)
    annotator = _creator(anno.get("creator"))
    created = _timestamp(anno.get("created"))
    modified = _timestamp(anno.get("modified")) or created
    base = _uuid_of(anno.get("id"))
    highlights = []
    for tag in tags:
        # One highlight per tag: with several tags, each needs its own stable id; links to
        # the annotation go to the first.
        hid = base if len(tags) == 1 or not base else _derived_uuid(base, tag)
        highlights.append(
            BundleHighlight(
                document_key=key,
                start=start,
                end=end,
                tag=tag,
                quote=quote,
                uuid=hid,
                note=note,
                annotator=annotator,
                created_at=created,
                updated_at=modified,
                prefix=prefix,
                suffix=suffix,
                rating=rating,
                ref=base if tag == tags[0] else hid,
            )
        )
    return key, sha256, highlights


def _link(anno: dict[str, Any]) -> BundleLink:
    """A linking annotation as a link: from its first target to its second, typed by its
    classifying (or tagging) body."""
    targets = [_target_iri(t) for t in _as_list(anno.get("target"))]
    if len(targets) != 2 or not all(targets):
        raise _Skip("a linking annotation whose targets are not two annotations' IRIs")
    kinds: list[str] = []
    notes: list[str] = []
    for body in _as_list(anno.get("body")):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purposes = _as_list(body.get("purpose"))
        if "classifying" in purposes or "tagging" in purposes:
            kinds.append(body["value"].strip())
        elif body["value"]:
            notes.append(body["value"])
    if not kinds or not kinds[0]:
        raise _Skip("a linking annotation without its type (a body with purpose classifying)")
    created = _timestamp(anno.get("created"))
    return BundleLink(
        _uuid_of(targets[0]),
        _uuid_of(targets[1]),
        kinds[0],
        _uuid_of(anno.get("id")),
        "\n\n".join(notes),
        _creator(anno.get("creator")),
        created,
        _timestamp(anno.get("modified")) or created,
    )


def _target_iri(target: Any) -> str:
    if isinstance(target, str):
        return target
    if isinstance(target, dict) and isinstance(target.get("id"), str) and "source" not in target:
        return str(target["id"])
    return ""


def _selected(target: dict[str, Any]) -> tuple[str, str, str, int, int]:
    """(quote, prefix, suffix, start, end) from the target's selectors.

    Without a TextPositionSelector the span is (0, 0), which never fits, so the merge looks the
    quote up by its text and context. Without a TextQuoteSelector there is nothing to check a
    position against, and a highlight in the wrong place is worse than none: it is skipped.
    """
    quote: dict[str, Any] | None = None
    position: tuple[int, int] | None = None
    for selector in _as_list(target.get("selector")):
        if not isinstance(selector, dict):
            continue
        kinds = _types(selector)
        if "TextQuoteSelector" in kinds and quote is None:
            quote = selector
        elif "TextPositionSelector" in kinds and position is None:
            start, end = selector.get("start"), selector.get("end")
            if _is_int(start) and _is_int(end) and 0 <= start < end:
                position = (start, end)
    if quote is None or not isinstance(quote.get("exact"), str) or not quote["exact"]:
        raise _Skip("has no TextQuoteSelector with the quoted text")
    prefix = quote.get("prefix", "")
    suffix = quote.get("suffix", "")
    start, end = position or (0, 0)
    return (
        quote["exact"],
        prefix if isinstance(prefix, str) else "",
        suffix if isinstance(suffix, str) else "",
        start,
        end,
    )


def _is_int(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _bodies(anno: dict[str, Any]) -> tuple[list[str], str, str]:
    """The tag names (bodies with purpose tagging), the note (the other textual bodies) and the
    verdict (the first body with purpose assessing, or "")."""
    tags: list[str] = []
    notes: list[str] = []
    rating = ""
    body_value = anno.get("bodyValue")
    if isinstance(body_value, str) and body_value:
        notes.append(body_value)
    for body in _as_list(anno.get("body")):
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purposes = _as_list(body.get("purpose"))
        if "tagging" in purposes:
            tag = body["value"].strip()
            if tag and tag not in tags:
                tags.append(tag)
        elif "assessing" in purposes:
            rating = rating or body["value"].strip()
        elif body["value"]:
            notes.append(body["value"])
    if not tags:
        raise _Skip("has no tag (a TextualBody with purpose tagging)")
    return tags, "\n\n".join(notes), rating


def _creator(value: Any) -> str:
    for creator in _as_list(value):
        if isinstance(creator, str):
            return creator
        if isinstance(creator, dict):
            for key in ("name", "nickname", "id"):
                if isinstance(creator.get(key), str) and creator[key]:
                    return str(creator[key])
    return ""


def _timestamp(value: Any) -> str:
    """An xsd:dateTime as claimmark's UTC text (2026-11-24T03:12:51.123Z), or "" if unreadable."""
    if not isinstance(value, str):
        return ""
    try:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:  # the model asks for a time zone; take a missing one as UTC
            moment = moment.replace(tzinfo=UTC)
        moment = moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: 0001-01-01T00:00+01:00 is before year 1
        return ""
    return utc_text(moment)


def _derived_uuid(base: str, tag: str) -> str:
    """The stable id of the highlight of an annotation's `tag` after its first."""
    namespace = uuid.UUID(base) if _is_uuid(base) else uuid.uuid5(uuid.NAMESPACE_URL, base)
    return str(uuid.uuid5(namespace, tag))


def _uuid_of(value: Any) -> str:
    """A highlight (or link) uuid for an annotation's IRI: its own for `urn:uuid:` and
    `urn:claimmark:highlight:` (as exported), else one derived from the IRI."""
    if not isinstance(value, str) or not value:
        return ""
    exported = _ID_RE.match(value)
    if exported:
        given = urllib.parse.unquote(exported.group(1))
        if given.strip() and len(given) <= MAX_ID_CHARS:
            return given
    if value.lower().startswith(UUID_PREFIX):
        try:
            uuid.UUID(value[len(UUID_PREFIX) :])
        except ValueError:
            pass
        else:
            return value[len(UUID_PREFIX) :]
    return str(uuid.uuid5(uuid.NAMESPACE_URL, value))


def _render(context: ExportContext) -> bytes:
    return to_json(export_w3c(context))


FORMAT = FileFormat(
    "w3c",
    "W3C Web Annotation (JSON-LD)",
    (".jsonld", ".json"),
    recognise=lambda probe: looks_w3c(probe.json),
    read=lambda probe: parse_w3c(probe.json, str(probe.path)),
    render=_render,
)
