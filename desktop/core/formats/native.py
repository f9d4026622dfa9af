"""claimmark's own JSON format, version 2 (schema in resources/claimmark-export-v2.schema.json).

One object: `format`, `version`, `exported_at`, `tags`, `relation_types`, `rating_scale`, then
`documents` (with their full text), `highlights` (each with its verdict, `rating`), `relations`
(the links between highlights) and `done` (which annotator marked which document done), each
record on a line of its own. Offsets are code points, half-open: `text[start:end] == quote`.

The export is made by the store, record by record (`ProjectStore.export_records`: SQLite builds
each JSON object), and written as it comes, so that 100,000 highlights are never all in memory;
this module owns the layout: which fields, in which order, and the lines around them.

Import reads version 2 and version 1 files, and a looser form for scripts
(resources/claimmark-import.schema.json): what claimmark can derive may be left out (a
document's sha256 and metadata; a highlight's id, quote, prefix, suffix, note, annotator and
times; a link's id), and times may be any RFC 3339 time, stored in UTC with milliseconds. What is
given is checked: a quote against the text at its offsets, a sha256 against the text, a tag
against the file's tag list when it has one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from typing import Any

import orjson

from desktop.core.bundle import (
    Bundle,
    BundleDocument,
    BundleDone,
    BundleHighlight,
    BundleLink,
    BundleRating,
    BundleTag,
    document_of_text,
)
from desktop.core.bundled import resource
from desktop.core.errors import InputRefused
from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import HighlightFilter, sha256_text, tag_name_problem
from desktop.core.store import ProjectStore
from desktop.core.timeutil import normalise_timestamp, utc_now

FORMAT_NAME = "claimmark"
FORMAT_VERSION = 2
SCHEMA_FILE = "claimmark-export-v2.schema.json"
IMPORT_SCHEMA_FILE = "claimmark-import.schema.json"

DOCUMENT_FIELDS = (
    "id",
    "title",
    "author",
    "outlet",
    "published",
    "source",
    "source_offset",
    "url",
    "page_starts",
    "sha256",
    "text",
)
HIGHLIGHT_FIELDS = (
    "id",
    "document_id",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "tag",
    "rating",
    "note",
    "annotator",
    "created_at",
    "updated_at",
)
RELATION_FIELDS = (
    "id",
    "from_id",
    "to_id",
    "type",
    "note",
    "annotator",
    "created_at",
    "updated_at",
)
DONE_FIELDS = ("annotator", "document_id", "done_at")
# The record lists, each written one record per line, in this order.
RECORDS = (
    ("documents", DOCUMENT_FIELDS),
    ("highlights", HIGHLIGHT_FIELDS),
    ("relations", RELATION_FIELDS),
    ("done", DONE_FIELDS),
)


# Export --------------------------------------------------------------------------------------


def render(context: ExportContext) -> Iterator[bytes]:
    """The export as UTF-8, in pieces: the head, then one record per line.

    Progress hears of each document; the user can cancel at any point."""
    store, progress = context.store, context.progress
    head = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": utc_now(),
        "tags": [{"name": t.name, "colour": t.colour, "key": t.key} for t in context.tags],
        "relation_types": [
            {"name": t.name, "colour": t.colour, "key": t.key} for t in context.relation_types
        ],
        "rating_scale": [
            {"name": r.name, "value": r.value, "colour": r.colour, "key": r.key}
            for r in context.ratings
        ],
    }
    yield orjson.dumps(head)[:-1]  # the closing brace comes after the records
    for key, fields in RECORDS:
        yield b',\n"' + key.encode() + b'":[\n'
        if key == "documents":  # one by one, for progress
            documents = context.documents
            for n, info in enumerate(documents):
                progress.step(n, len(documents))
                if n:
                    yield b",\n"
                yield from store.export_records(
                    key, fields, HighlightFilter(document_ids=(info.id,))
                )
            progress.step(len(documents), len(documents))
        else:
            for piece in _records(context, key, fields):
                progress.check()
                yield piece
        yield b"]"
    yield b"}\n"


# Between two records that are to be picked from: JSON never holds a raw NUL byte.
_APART = b"\x00"


def _records(context: ExportContext, key: str, fields: tuple[str, ...]) -> Iterator[bytes]:
    """The store's records of `key`, or, when the context names the highlights to export, its
    highlights and the links among them only."""
    store, where, ids = context.store, context.where, context.highlight_ids
    if ids is None or key not in ("highlights", "relations"):
        yield from store.export_records(key, fields, where)
        return
    chosen = {h.uuid for h in context.highlights()}
    ends = ("id",) if key == "highlights" else ("from_id", "to_id")  # uuids of highlights

    def picked(record: bytes) -> bool:
        fields_of = orjson.loads(record)
        return all(fields_of[end] in chosen for end in ends)

    separator = b""
    pending = b""
    for piece in store.export_records(key, fields, where, _APART):
        *complete, pending = (pending + piece).split(_APART)
        for record in complete:
            if picked(record):
                yield separator + record
                separator = b",\n"
    if pending and picked(pending):
        yield separator + pending


def export_native(
    store: ProjectStore, where: HighlightFilter = HighlightFilter()
) -> dict[str, Any]:
    """The project (or the part `where` selects) as the format-2 object."""
    return orjson.loads(b"".join(render(ExportContext(store, where))))  # type: ignore[no-any-return]


# Import --------------------------------------------------------------------------------------


@cache
def _validator() -> Any:
    """The import schema, compiled once (jsonschema-rs: 100,000 highlights in 0.1 s). It is
    loaded only by an import, so that an export does not pay for it."""
    import jsonschema_rs

    with resource(IMPORT_SCHEMA_FILE).open(encoding="utf-8") as f:
        return jsonschema_rs.validator_for(json.load(f))


def _schema_problem(data: Any) -> str | None:
    """The first place where `data` breaks the import schema, in words, or None."""
    for error in _validator().iter_errors(data):
        where = "/".join(str(p) for p in error.instance_path)
        return f"{error.message} at {where}" if where else error.message
    return None


# SQLite stores integers in 64 bits.
_LARGEST_INTEGER = 2**63 - 1


def _check_integer(value: Any, what: str, name: str, largest: int | None = None) -> None:
    """Refuse what JSON Schema lets through as an integer but Python cannot use as one: a float
    with no fraction (1.0, 1e308), or a number too large to store."""
    if isinstance(value, float) and value.is_integer() and abs(value) > _LARGEST_INTEGER:
        raise InputRefused(name, f"not a valid claimmark export ({what} is too large)")
    if not isinstance(value, int):
        raise InputRefused(name, f"not a valid claimmark export ({what} must be an integer)")
    if largest is not None and value > largest:
        raise InputRefused(name, f"not a valid claimmark export ({what} is too large)")


def looks_native(data: Any) -> bool:
    return isinstance(data, dict) and data.get("format") == FORMAT_NAME


class _Times:
    """The file's times in the project's form; a time that is none is refused by name."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: dict[str, str] = {}

    def __call__(self, value: str | None, what: str) -> str:
        if not value:
            return ""
        found = self.seen.get(value)
        if found is None:
            normal = normalise_timestamp(value)
            if normal is None:
                raise InputRefused(self.name, f"{what}: “{value[:40]}” is not an RFC 3339 time")
            found = self.seen[value] = normal
        return found


def parse_native(data: Any, name: str) -> Bundle:
    """Check a decoded claimmark JSON object (version 1 or 2, or the short form for scripts)
    and turn it into a Bundle, or raise InputRefused."""
    if isinstance(data, dict) and data.get("format") == FORMAT_NAME:
        version = data.get("version")
        if isinstance(version, int | float) and version > FORMAT_VERSION:
            raise InputRefused(
                name,
                f"written in claimmark format version {version}; this claimmark reads "
                f"versions 1 to {FORMAT_VERSION}. Update claimmark to import it.",
            )
    problem = _schema_problem(data)
    if problem is not None:
        raise InputRefused(name, f"not a valid claimmark export ({problem})")
    times = _Times(name)
    bundle = Bundle(source=name)
    bundle.tags = _named(data.get("tags"), "tag", name)
    bundle.relation_types = _named(data.get("relation_types"), "link type", name)
    bundle.ratings = [
        BundleRating(r["name"], r.get("value"), r.get("colour", ""), r.get("key", ""))
        for r in data.get("rating_scale", [])
    ]
    texts = _documents(data["documents"], bundle, name)
    _highlights(data, texts, bundle, times, name)
    _relations(data, bundle, times, name)
    for d in data.get("done", []):
        if d["document_id"] not in texts:
            raise InputRefused(
                name, f"a done mark is on document {d['document_id']}, which is not in the file"
            )
        bundle.done.append(
            BundleDone(d["annotator"], str(d["document_id"]), times(d["done_at"], "a done mark"))
        )
    return bundle


def _named(items: list[dict[str, str]] | None, what: str, name: str) -> list[BundleTag]:
    found = [BundleTag(t["name"], t.get("colour", ""), t.get("key", "")) for t in items or []]
    for item in found:
        problem = tag_name_problem(item.name, what)
        if problem:
            raise InputRefused(
                name, f"not a valid claimmark export ({what} “{item.name}”: {problem})"
            )
    return found


def _documents(documents: list[dict[str, Any]], bundle: Bundle, name: str) -> dict[int, str]:
    texts: dict[int, str] = {}
    for d in documents:
        _check_integer(d["id"], f"document {d['id']}: id", name)
        # The only number of the file that is stored as it is; the others are checked
        # against the texts.
        source_offset = d.get("source_offset", 0)
        _check_integer(source_offset, f"document {d['id']}: source_offset", name, _LARGEST_INTEGER)
        if d["id"] in texts:
            raise InputRefused(name, f"document id {d['id']} appears twice")
        text = d["text"]
        if "sha256" in d and sha256_text(text) != d["sha256"]:
            raise InputRefused(name, f"document {d['id']}: its sha256 does not match its text")
        page_starts = tuple(d.get("page_starts", ()))
        if list(page_starts) != sorted(page_starts) or any(p >= len(text) for p in page_starts):
            raise InputRefused(
                name,
                f"document {d['id']}: its page_starts are not offsets into its text in order",
            )
        texts[d["id"]] = text
        # A document given by its text alone gets its title and byline as an imported text
        # file would; what the file gives wins.
        derived = (
            document_of_text("", text, "", f"Document {d['id']}") if "title" not in d else None
        )
        bundle.documents.append(
            BundleDocument(
                key=str(d["id"]),
                sha256=sha256_text(text) if "sha256" not in d else d["sha256"],
                text=text,
                title=d["title"] if derived is None else derived.title,
                author=d.get("author", derived.author if derived else ""),
                outlet=d.get("outlet", derived.outlet if derived else ""),
                published=d.get("published", derived.published if derived else ""),
                source=d.get("source", name),
                source_offset=source_offset,
                url=d.get("url", ""),
                page_starts=page_starts,
            )
        )
    return texts


def _highlights(
    data: dict[str, Any], texts: dict[int, str], bundle: Bundle, times: _Times, name: str
) -> None:
    tag_names = {t.name for t in bundle.tags} if "tags" in data else None
    rating_names = {r.name for r in bundle.ratings} if "rating_scale" in data else None
    seen: set[str] = set()
    append = bundle.highlights.append
    known = times.seen  # the common case, without a call
    for n, h in enumerate(data.get("highlights", []), start=1):
        uid, document_id, start, end = h.get("id", ""), h["document_id"], h["start"], h["end"]
        # The common case costs one test; the messages are made only when something is wrong.
        if not (type(document_id) is int and type(start) is int and type(end) is int):
            for key in ("document_id", "start", "end"):
                _check_integer(h[key], f"{_named_highlight(uid, n)}: {key}", name)
        if uid:
            if uid in seen:
                raise InputRefused(name, f"{_named_highlight(uid, n)} appears twice")
            seen.add(uid)
        text = texts.get(document_id)
        if text is None:
            raise InputRefused(
                name, f"{_named_highlight(uid, n)}: document {document_id} is not in the file"
            )
        if not start < end <= len(text):
            raise InputRefused(
                name, f"{_named_highlight(uid, n)}: offsets {start}-{end} are outside its document"
            )
        quote = text[start:end]
        if h.get("quote", quote) != quote:
            raise InputRefused(
                name,
                f"{_named_highlight(uid, n)}: its quote does not match the text at its offsets",
            )
        tag = h["tag"]
        if tag_names is not None and tag not in tag_names:
            raise InputRefused(
                name, f"{_named_highlight(uid, n)}: tag “{tag}” is not in the file's tags"
            )
        rating = h.get("rating") or ""
        if rating and rating_names is not None and rating not in rating_names:
            raise InputRefused(
                name,
                f"{_named_highlight(uid, n)}: rating “{rating}” is not in the file's rating_scale",
            )
        append(
            BundleHighlight(
                str(document_id),
                start,
                end,
                tag,
                quote,
                uid,
                h.get("note", ""),
                h.get("annotator", ""),
                known.get(h.get("created_at", ""))
                or times(h.get("created_at"), _named_highlight(uid, n)),
                known.get(h.get("updated_at", ""))
                or times(h.get("updated_at"), _named_highlight(uid, n)),
                h.get("prefix", ""),
                h.get("suffix", ""),
                rating,
            )
        )


def _named_highlight(uid: str, n: int) -> str:
    """A highlight as a message names it (made only for a message: 100,000 in a file)."""
    return f"highlight {uid or n}"


def _relations(data: dict[str, Any], bundle: Bundle, times: _Times, name: str) -> None:
    """Read the links into the bundle: between highlights of the file, or of the project."""
    type_names = {t.name for t in bundle.relation_types} if "relation_types" in data else None
    seen: set[str] = set()
    for n, k in enumerate(data.get("relations", []), start=1):
        uid = k.get("id", "")
        what = f"link {uid or n}"
        if uid:
            if uid in seen:
                raise InputRefused(name, f"{what} appears twice")
            seen.add(uid)
        if type_names is not None and k["type"] not in type_names:
            raise InputRefused(
                name, f"{what}: type “{k['type']}” is not in the file's relation_types"
            )
        bundle.links.append(
            BundleLink(
                k["from_id"],
                k["to_id"],
                k["type"],
                uid,
                k.get("note", ""),
                k.get("annotator", ""),
                times(k.get("created_at"), what),
                times(k.get("updated_at"), what),
            )
        )


FORMAT = FileFormat(
    "json",
    "claimmark JSON",
    (".json",),
    recognise=lambda probe: looks_native(probe.json),
    read=lambda probe: parse_native(probe.json, str(probe.path)),
    render=render,
)
