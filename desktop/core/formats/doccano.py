"""doccano's JSONL: one document per line, in two layouts.

Sequence labelling (`jsonl`), as before:

    {"id": 3, "text": "…", "label": [[121, 180, "claim"], [200, 214, "opinion"]]}

Relation extraction (`jsonl-relations`), as doccano 1.8 imports it into a relation project
(data_import's RelationExtractionDataset: spans from `entities`, links from `relations`, whose
`from_id` and `to_id` name entities of the same line):

    {"id": 3, "text": "…",
     "entities": [{"id": 17, "label": "claim", "start_offset": 121, "end_offset": 180}, …],
     "relations": [{"id": 4, "from_id": 18, "to_id": 17, "type": "supports"}]}

Entity and relation ids are claimmark's highlight and link numbers. Offsets are code points,
half-open, so `text[start:end]` in Python is the labelled passage. (doccano's own editor counts
UTF-16 code units, doccano issue #2290: there, a label after a character beyond U+FFFF, such as
an emoji, shows shifted by one per such character.) As in the JSON export, every document the
filter selects is written, with the highlights the filter selects. Each line is a JSON object
with no raw line break of any kind: U+2028, U+2029 and U+0085, which JSON allows unescaped but
`str.splitlines()` breaks lines at, are escaped too.

What doccano cannot show as claimmark has it is written all the same, and said in the export's
notes: labels that overlap others (doccano 1.8's import drops them, sorted by start, keeping a
label only when it starts at or after the end of the last one kept, unless the project was
created with "Allow overlapping spans"; in a relation project a relation to a dropped entity
then stops its import), and labels after a character beyond U+FFFF. A link between two
documents has no place in a line of one: it is left out, and counted.

Import reads both layouts (and entities written as `[start, end, label]`), for people moving
from doccano: each line's text becomes a document (matched by its hash, or added), its labels
highlights with tags made by name, its relations links. doccano's files do not say who labelled
what, unless a line has a `user` or `annotator`; the annotator is "doccano" otherwise. Offsets
are read as code points, as doccano stores what it imports; text with characters beyond U+FFFF
gets a note, since labels made in doccano's editor count those as two.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterator
from typing import Any

from desktop.core.bundle import Bundle, BundleHighlight, BundleLink, BundleTag, document_of_text
from desktop.core.errors import InputRefused
from desktop.core.fileformat import ExportContext, FileFormat, Probe
from desktop.core.model import MAX_ANNOTATOR_CHARS, Highlight
from desktop.core.textfile import name_as_text

_ESCAPES = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")
ANNOTATOR = "doccano"


# Export --------------------------------------------------------------------------------------


def export_jsonl(context: ExportContext, *, relations: bool = False) -> str:
    """The documents and highlights the context selects, one JSON line per document: labels as
    doccano's sequence labelling has them, or (`relations`) entities and relations."""
    progress = context.progress
    infos = context.documents
    by_document: dict[int, list[Highlight]] = {d.id: [] for d in infos}
    for h in context.highlights():
        by_document[h.document_id].append(h)
    links_of, across = _links_by_document(context, by_document) if relations else ({}, 0)
    lines = []
    overlapping = shifted = 0
    for done, info in enumerate(infos):
        progress.step(done, len(infos))
        text = context.store.document(info.id).text
        highlights = by_document[info.id]
        spans = [(h.start, h.end) for h in highlights]
        line: dict[str, Any] = {"id": info.id, "text": text}
        if relations:
            line["entities"] = [_entity(h, context.tag_names[h.tag_id]) for h in highlights]
            line["relations"] = [
                {"id": k.id, "from_id": k.from_id, "to_id": k.to_id, "type": type_name}
                for k, type_name in links_of.get(info.id, [])
            ]
        else:
            line["label"] = [[h.start, h.end, context.tag_names[h.tag_id]] for h in highlights]
        lines.append(json.dumps(line, ensure_ascii=False).translate(_ESCAPES) + "\n")
        overlapping += dropped_without_overlaps(spans)
        astral = _ASTRAL.search(text)
        if astral:
            shifted += sum(1 for _, end in spans if end > astral.start())
    progress.step(len(infos), len(infos))
    _notes(context, overlapping, shifted, across, relations)
    return "".join(lines)


def _entity(h: Highlight, tag: str) -> dict[str, Any]:
    return {"id": h.id, "label": tag, "start_offset": h.start, "end_offset": h.end}


def _links_by_document(
    context: ExportContext, by_document: dict[int, list[Highlight]]
) -> tuple[dict[int, list[tuple[Any, str]]], int]:
    """The links between exported highlights of one document, by document, and how many link
    two documents (which a line cannot hold)."""
    document_of = {h.id: d for d, hs in by_document.items() for h in hs}
    found: dict[int, list[tuple[Any, str]]] = {}
    across = 0
    for link in context.links_among(document_of):
        if document_of[link.from_id] != document_of[link.to_id]:
            across += 1
            continue
        found.setdefault(document_of[link.from_id], []).append(
            (link, context.relation_type_names[link.type_id])
        )
    return found, across


def _notes(
    context: ExportContext, overlapping: int, shifted: int, across: int, relations: bool
) -> None:
    if overlapping:
        labels_overlap = "1 label overlaps" if overlapping == 1 else f"{overlapping} labels overlap"
        stop = ", and a relation to a dropped one stops the import" if relations else ""
        context.progress.note(
            f"doccano: {labels_overlap} others. doccano keeps them only in a "
            "project created with “Allow overlapping spans” ticked; in any other it drops "
            f"them on import without a word{stop}."
        )
    if shifted:
        labels_come = "1 label comes" if shifted == 1 else f"{shifted} labels come"
        context.progress.note(
            f"doccano: {labels_come} after characters beyond U+FFFF (such as emoji), "
            "which doccano counts as two: in doccano they show shifted (doccano issue 2290)."
        )
    if across:
        links = "1 link joins" if across == 1 else f"{across} links join"
        context.progress.note(
            f"doccano: {links} highlights of two documents, which a line of one document "
            "cannot hold; left out. The JSON export keeps them."
        )


def dropped_without_overlaps(spans: list[tuple[int, int]]) -> int:
    """How many of a document's labels doccano's import drops when overlaps are not allowed."""
    kept_end, dropped = -1, 0
    for start, end in sorted(spans, key=lambda span: span[0]):
        if start >= kept_end:
            kept_end = end
        else:
            dropped += 1
    return dropped


# Import --------------------------------------------------------------------------------------


def _first_record(probe: Probe) -> Any:
    if probe.is_folder or probe.json_by_name:
        return None
    line = probe.first_line.strip()
    if not line.startswith("{"):
        return None
    try:
        return json.loads(line)
    except ValueError:
        return None


def _is_doccano(probe: Probe) -> bool:
    first = _first_record(probe)
    return (
        isinstance(first, dict)
        and isinstance(first.get("text"), str)
        and ("label" in first or "entities" in first)
    )


class _Skip(Exception):
    """A label or relation that cannot be imported; the message says why."""


def read_jsonl(probe: Probe) -> Bundle:
    """A doccano JSONL file (sequence labelling or relation extraction) as a Bundle."""
    name = str(probe.path)
    bundle = Bundle(source=name, annotator=ANNOTATOR)
    tags: dict[str, BundleTag] = {}
    shown = name_as_text(probe.path.name)
    astral_labels = 0
    for number, raw in enumerate(probe.text.split("\n"), start=1):
        if not raw.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(raw)
        except ValueError as e:
            raise InputRefused(name, f"{where} is not JSON ({e})") from None
        if not isinstance(record, dict) or not isinstance(record.get("text"), str):
            raise InputRefused(name, f"{where} is not a doccano record (an object with text)")
        text, index = _newlines_normalised(record["text"])
        if not text.strip():
            bundle.skipped.append(f"{where}: its text is empty")
            continue
        key = f"line-{number}"
        bundle.documents.append(document_of_text(key, text, shown, f"{shown}, line {number}"))
        annotator = _annotator(record)
        refs: dict[Any, str] = {}
        astral = _ASTRAL.search(text)
        for n, entity in enumerate(_entities(record), start=1):
            try:
                start, end, label, entity_id = _entity_of(entity)
                start, end = index(start), index(end)
                if not 0 <= start < end <= len(text):
                    raise _Skip("its offsets are outside the text")
            except _Skip as e:
                bundle.skipped.append(f"{where}, label {n}: {e}")
                continue
            ref = f"{key}/{entity_id if entity_id is not None else f'#{n}'}"
            refs.setdefault(entity_id, ref)
            tags.setdefault(label, BundleTag(label))
            bundle.highlights.append(
                BundleHighlight(
                    key, start, end, label, text[start:end], annotator=annotator, ref=ref
                )
            )
            if astral and end > astral.start():
                astral_labels += 1
        for n, relation in enumerate(_list(record.get("relations")), start=1):
            try:
                bundle.links.append(_link(relation, refs, annotator))
            except _Skip as e:
                bundle.skipped.append(f"{where}, relation {n}: {e}")
    if not bundle.documents and not bundle.skipped:
        raise InputRefused(name, "holds no doccano records")
    bundle.tags = list(tags.values())
    if astral_labels:
        bundle.notes.append(
            ("1 label comes" if astral_labels == 1 else f"{astral_labels} labels come")
            + " after characters beyond U+FFFF (such as emoji), "
            "read as code points: labels made in doccano's editor count such a character as "
            "two (doccano issue 2290), so check them."
        )
    return bundle


def _newlines_normalised(text: str) -> tuple[str, Callable[[int], int]]:
    """The text with `\\n` line ends, as every claimmark document has, and a function that
    moves an offset of the original text to the same place in it."""
    if "\r" not in text:
        return text, lambda offset: offset
    removed = [m.start() for m in re.finditer("\r\n", text)]  # each \r before a \n goes
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    return normal, lambda offset: offset - bisect_left(removed, offset)


def _annotator(record: dict[str, Any]) -> str:
    """Who labelled the line, when it says (else "": the bundle's "doccano", and a label
    anyone in the project has made is the same label)."""
    for key in ("annotator", "user"):
        value = record.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_ANNOTATOR_CHARS]
        if isinstance(value, int) and not isinstance(value, bool):
            return f"doccano user {value}"
    return ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _entities(record: dict[str, Any]) -> Iterator[Any]:
    yield from _list(record.get("entities"))
    yield from _list(record.get("label"))


def _entity_of(entity: Any) -> tuple[int, int, str, Any]:
    """(start, end, label, id or None) of `[start, end, label]` or an entity object."""
    if isinstance(entity, list) and len(entity) == 3:
        start, end, label = entity
        entity_id = None
    elif isinstance(entity, dict):
        start, end = entity.get("start_offset"), entity.get("end_offset")
        label, entity_id = entity.get("label"), entity.get("id")
    else:
        raise _Skip("not a label ([start, end, label], or an entity object)")
    if not (_is_int(start) and _is_int(end)):
        raise _Skip("its offsets are not whole numbers")
    if not isinstance(label, str) or not label.strip():
        raise _Skip("it has no label")
    return start, end, label.strip(), entity_id


def _link(relation: Any, refs: dict[Any, str], annotator: str) -> BundleLink:
    if not isinstance(relation, dict):
        raise _Skip("not a relation object")
    ends = relation.get("from_id"), relation.get("to_id")
    kind = relation.get("type")
    if not isinstance(kind, str) or not kind.strip():
        raise _Skip("it has no type")
    if any(not isinstance(end, int | str) or end not in refs for end in ends):
        raise _Skip("its from_id or to_id is not an entity of its line")
    return BundleLink(refs[ends[0]], refs[ends[1]], kind.strip(), annotator=annotator)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


FORMAT = FileFormat(
    "jsonl",
    "doccano JSONL",
    (".jsonl",),
    recognise=_is_doccano,
    read=read_jsonl,
    render=export_jsonl,
)

RELATIONS_FORMAT = FileFormat(
    "jsonl-relations",
    "doccano JSONL with relations (entities and relations)",
    (".jsonl",),
    render=lambda context: export_jsonl(context, relations=True),
)
