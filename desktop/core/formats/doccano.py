"""doccano's sequence-labelling JSONL: one document per line.

    {"id": 3, "text": "…", "label": [[121, 180, "claim"], [200, 214, "opinion"]]}

Offsets are code points, half-open, so `text[start:end]` in Python is the labelled passage.
(doccano's own editor counts UTF-16 code units, doccano issue #2290: there, a label after a
character beyond U+FFFF, such as an emoji, shows shifted by one per such character.) As in the
JSON export, every document the filter selects is written, with the highlights the filter
selects (a document without any has an empty `label`). Each line is a JSON object with no raw line
break of any kind: U+2028, U+2029 and U+0085, which JSON allows unescaped but `str.splitlines()`
breaks lines at, are escaped too.
"""

from __future__ import annotations

import json

from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import HighlightFilter
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore

_ESCAPES = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"})


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
    for done, info in enumerate(infos):
        progress.step(done, len(infos))
        line = {"id": info.id, "text": store.document(info.id).text, "label": labels[info.id]}
        lines.append(json.dumps(line, ensure_ascii=False).translate(_ESCAPES) + "\n")
    progress.step(len(infos), len(infos))
    return "".join(lines)


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
