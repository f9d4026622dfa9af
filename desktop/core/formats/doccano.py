"""doccano's sequence-labelling JSONL: one document per line.

    {"id": 3, "text": "…", "label": [[121, 180, "claim"], [200, 214, "opinion"]]}

Offsets are code points, half-open, so `text[start:end]` in Python is the labelled passage.
(doccano's own editor counts UTF-16 code units, doccano issue #2290: there, a label after a
character beyond U+FFFF, such as an emoji, shows shifted by one per such character.) As in the
JSON export, every document the filter selects is written, with the highlights the filter
selects (a document without any has an empty `label`). Each line is a JSON object with no raw line
break of any kind: U+2028, U+2029 and U+0085, which JSON allows unescaped but `str.splitlines()`
breaks lines at, are escaped too.

What doccano cannot show as claimmark has it is written all the same, and said in the export's
notes: labels that overlap others (doccano 1.8's import drops them, sorted by start, keeping a
label only when it starts at or after the end of the last one kept, unless the project was
created with "Allow overlapping spans"), and labels after a character beyond U+FFFF.
"""

from __future__ import annotations

import json
import re

from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import HighlightFilter
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore

_ESCAPES = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def export_jsonl(
    store: ProjectStore,
    where: HighlightFilter = HighlightFilter(),
    progress: Progress | None = None,
) -> str:
    """The documents and highlights `where` selects, one JSON line per document."""
    progress = progress or Progress()
    tag_names = {t.id: t.name for t in store.tags()}
    infos = [d for d in store.documents() if not where.document_ids or d.id in where.document_ids]
    labels: dict[int, list[list[int | str]]] = {d.id: [] for d in infos}
    for h in store.iter_highlights(where):
        labels[h.document_id].append([h.start, h.end, tag_names[h.tag_id]])
    lines = []
    overlapping = shifted = 0
    for done, info in enumerate(infos):
        progress.step(done, len(infos))
        text = store.document(info.id).text
        line = {"id": info.id, "text": text, "label": labels[info.id]}
        lines.append(json.dumps(line, ensure_ascii=False).translate(_ESCAPES) + "\n")
        overlapping += dropped_without_overlaps(labels[info.id])
        astral = _ASTRAL.search(text)
        if astral:
            shifted += sum(1 for label in labels[info.id] if int(label[1]) > astral.start())
    progress.step(len(infos), len(infos))
    if overlapping:
        labels_overlap = "1 label overlaps" if overlapping == 1 else f"{overlapping} labels overlap"
        progress.note(
            f"doccano: {labels_overlap} others. doccano keeps them only in a "
            "project created with “Allow overlapping spans” ticked; in any other it drops "
            "them on import without a word."
        )
    if shifted:
        labels_come = "1 label comes" if shifted == 1 else f"{shifted} labels come"
        progress.note(
            f"doccano: {labels_come} after characters beyond U+FFFF (such as emoji), "
            "which doccano counts as two: in doccano they show shifted (doccano issue 2290)."
        )
    return "".join(lines)


def dropped_without_overlaps(labels: list[list[int | str]]) -> int:
    """How many of a document's labels doccano's import drops when overlaps are not allowed."""
    kept_end, dropped = -1, 0
    for start, end, _ in sorted(labels, key=lambda label: int(label[0])):
        if int(start) >= kept_end:
            kept_end = int(end)
        else:
            dropped += 1
    return dropped


def _is_doccano(probe: Probe) -> bool:
    return probe.first_line.startswith('{"id"') and '"label"' in probe.first_line


FORMAT = FileFormat(
    "jsonl",
    "doccano JSONL",
    (".jsonl",),
    recognise=_is_doccano,
    refusal="a doccano JSONL export; it cannot be imported back (import the JSON export)",
    render=export_jsonl,
)
