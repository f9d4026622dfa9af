"""claimmark's own JSON format, version 1 (schema in resources/claimmark-export-v1.schema.json).

One object: `format`, `version`, `exported_at`, `tags`, `documents` (with their full text) and a
flat `highlights` list. Offsets are code points, half-open: `text[start:end] == quote`.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

import jsonschema_rs

from desktop.core import jsonio
from desktop.core.bundle import Bundle, BundleDocument, BundleHighlight, BundleTag
from desktop.core.bundled import resource
from desktop.core.errors import InputRefused
from desktop.core.fileformat import FileFormat
from desktop.core.model import HighlightFilter, sha256_text, tag_name_problem
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore
from desktop.core.timeutil import utc_now

FORMAT_NAME = "claimmark"
FORMAT_VERSION = 1
SCHEMA_FILE = "claimmark-export-v1.schema.json"


def export_native(
    store: ProjectStore,
    where: HighlightFilter = HighlightFilter(),
    progress: Progress | None = None,
) -> dict[str, Any]:
    """The project (or the part `where` selects) as a format-1 object, ready for json.dump.

    `progress` hears of each document (and of every 4096th highlight) and can cancel."""
    progress = progress or Progress()
    tags = [t for t in store.tags() if not where.tag_names or t.name in where.tag_names]
    tag_names = {t.id: t.name for t in store.tags()}
    infos = [d for d in store.documents() if not where.document_ids or d.id in where.document_ids]
    documents = []
    for done, info in enumerate(infos):
        progress.step(done, len(infos))
        documents.append(
            {
                "id": info.id,
                "title": info.title,
                "author": info.author,
                "outlet": info.outlet,
                "published": info.published,
                "source": info.source,
                "source_offset": info.source_offset,
                "sha256": info.sha256,
                "text": store.document(info.id).text,
            }
        )
    progress.step(len(infos), len(infos))
    highlights = [
        {
            "id": h.uuid,
            "document_id": h.document_id,
            "start": h.start,
            "end": h.end,
            "quote": h.quote,
            "prefix": h.prefix,
            "suffix": h.suffix,
            "tag": tag_names[h.tag_id],
            "note": h.note,
            "annotator": h.annotator,
            "created_at": h.created_at,
            "updated_at": h.updated_at,
        }
        for n, h in enumerate(store.iter_highlights(where))
        if n % 4096 or _still_wanted(progress)
    ]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "exported_at": utc_now(),
        "tags": [{"name": t.name, "colour": t.colour, "key": t.key} for t in tags],
        "documents": documents,
        "highlights": highlights,
    }


def _still_wanted(progress: Progress) -> bool:
    """True, unless the user cancelled (then progress.Cancelled is raised)."""
    progress.check()
    return True


def to_json(data: dict[str, Any]) -> bytes:
    """The export as UTF-8 JSON: one document or highlight per line."""
    return jsonio.dumps_records(data, ("documents", "highlights"))


@cache
def _validator() -> Any:
    """The shipped schema, compiled once (jsonschema-rs: 100,000 highlights in 0.1 s)."""
    with resource(SCHEMA_FILE).open(encoding="utf-8") as f:
        return jsonschema_rs.validator_for(json.load(f))


def _schema_problem(data: Any) -> str | None:
    """The first place where `data` breaks the schema, in words, or None."""
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


def parse_native(data: Any, name: str) -> Bundle:
    """Check a decoded format-1 object and turn it into a Bundle, or raise InputRefused."""
    if isinstance(data, dict) and data.get("format") == FORMAT_NAME:
        version = data.get("version")
        if isinstance(version, int | float) and version > FORMAT_VERSION:
            raise InputRefused(
                name,
                f"written in claimmark format version {version}; this claimmark reads "
                f"version {FORMAT_VERSION}. Update claimmark to import it.",
            )
    problem = _schema_problem(data)
    if problem is not None:
        raise InputRefused(name, f"not a valid claimmark export ({problem})")

    bundle = Bundle(source=name)
    bundle.tags = [BundleTag(t["name"], t["colour"], t["key"]) for t in data["tags"]]
    for tag in bundle.tags:
        problem = tag_name_problem(tag.name)
        if problem:
            raise InputRefused(name, f"not a valid claimmark export (tag “{tag.name}”: {problem})")
    texts: dict[int, str] = {}
    for d in data["documents"]:
        _check_integer(d["id"], f"document {d['id']}: id", name)
        # The only number of the file that is stored as it is; the others are checked
        # against the texts.
        source_offset = d.get("source_offset", 0)
        _check_integer(source_offset, f"document {d['id']}: source_offset", name, _LARGEST_INTEGER)
        if d["id"] in texts:
            raise InputRefused(name, f"document id {d['id']} appears twice")
        if sha256_text(d["text"]) != d["sha256"]:
            raise InputRefused(name, f"document {d['id']}: its sha256 does not match its text")
        texts[d["id"]] = d["text"]
        bundle.documents.append(
            BundleDocument(
                key=str(d["id"]),
                sha256=d["sha256"],
                text=d["text"],
                title=d["title"],
                author=d["author"],
                outlet=d["outlet"],
                published=d["published"],
                source=d["source"],
                source_offset=source_offset,
            )
        )
    tag_names = {t.name for t in bundle.tags}
    seen: set[str] = set()
    append = bundle.highlights.append
    for h in data["highlights"]:
        uid, document_id, start, end = h["id"], h["document_id"], h["start"], h["end"]
        # The common case costs one test; the messages are made only when something is wrong.
        if not (type(document_id) is int and type(start) is int and type(end) is int):
            for key in ("document_id", "start", "end"):
                _check_integer(h[key], f"highlight {uid}: {key}", name)
        if uid in seen:
            raise InputRefused(name, f"highlight {uid} appears twice")
        seen.add(uid)
        text = texts.get(document_id)
        if text is None:
            raise InputRefused(name, f"highlight {uid}: document {document_id} is not in the file")
        if not start < end <= len(text):
            raise InputRefused(
                name, f"highlight {uid}: offsets {start}-{end} are outside its document"
            )
        if text[start:end] != h["quote"]:
            raise InputRefused(
                name, f"highlight {uid}: its quote does not match the text at its offsets"
            )
        if h["tag"] not in tag_names:
            raise InputRefused(name, f"highlight {uid}: tag “{h['tag']}” is not in the file's tags")
        append(
            BundleHighlight(
                str(document_id),
                start,
                end,
                h["tag"],
                h["quote"],
                uid,
                h["note"],
                h["annotator"],
                h["created_at"],
                h["updated_at"],
                h["prefix"],
                h["suffix"],
            )
        )
    return bundle


def _render(store: ProjectStore, where: HighlightFilter, progress: Progress) -> bytes:
    return to_json(export_native(store, where, progress))


FORMAT = FileFormat(
    "json",
    "claimmark JSON",
    (".json",),
    recognise=lambda probe: looks_native(probe.json),
    read=lambda probe: parse_native(probe.json, str(probe.path)),
    render=_render,
)
