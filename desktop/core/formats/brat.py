"""brat's standoff format (https://brat.nlplab.org/standoff.html): a folder of NAME.txt + NAME.ann.

What is written, per document:
- `NAME.txt`: the document's text, exactly, in UTF-8 without a byte order mark, with `\\n` line
  ends. brat reads it as Python text, so its offsets are Python string indices: code points,
  the same numbers claimmark stores (an astral emoji is one, `e` + combining accent two).
- `NAME.ann`: `T1<TAB>TYPE START END<TAB>TEXT` per highlight. An .ann line cannot hold a line
  break, so a highlight that crosses one is written as brat writes such a selection itself: as
  discontinuous fragments `START END;START END`, split at each line break, with the white space
  next to the breaks left out, and TEXT the fragments' text joined by one space. The highlight's
  own first and last characters are kept, so the span from the first fragment's start to the last
  one's end is the highlight again, unless it starts or ends with a line break, which brat cannot
  hold: it is written without it, and one of nothing but line breaks is left out; the export's
  notes say which (highlights made in claimmark never do either). Notes become
  `#1<TAB>AnnotatorNotes T1<TAB>NOTE`, one such line per line of the note, in order.
- Links between two highlights of the document: `R1<TAB>TYPE Arg1:T3 Arg2:T7` (T3 the highlight
  the link comes from), their notes as AnnotatorNotes on R1. A link between two documents
  cannot be written in brat (an .ann file is one document's): it is left out, and the export's
  notes say how many were. Verdicts have no place either, and are counted the same way.
- `annotation.conf` and `visual.conf`: the tags as brat entity types, with their colours, and
  an `<OVERLAP>` rule that lets them overlap in any way (brat's validator reports overlapping
  annotations otherwise); the link types as brat relation types, each between any two entities
  (`TYPE<TAB>Arg1:<ENTITY>, Arg2:<ENTITY>`), with their colours.

brat types are limited to `[A-Za-z0-9_-]`, so a tag or link type name becomes a type the way brat
makes one (every other character becomes `_`; a type already taken gets `-2`, `-3`...). The name
itself is kept in `annotation.conf` as a comment brat ignores (`# claimmark-tag TYPE "JSON
string"`, `# claimmark-relation TYPE "JSON string"`), which is what makes the mapping
reversible, and as the type's label in `visual.conf`, which brat shows.

Reading takes a brat folder, ours or anyone's: each NAME.txt with its NAME.ann becomes a
document (matched to the project by the hash of its text, or added), its text-bound
annotations become highlights and its relations (`R` lines) links. Events, attributes and
normalisations have no place in claimmark and are counted in the report; so are annotations
that cannot be placed exactly.

(brat 1.3 runs on Python 2, whose "narrow" builds, the default on Windows and macOS, counted
astral characters as two; their offsets are off after an emoji. For a single-fragment annotation
the reader then finds the quoted text near the given offsets instead.)
"""

from __future__ import annotations

import itertools
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.bundle import (
    Bundle,
    BundleHighlight,
    BundleLink,
    BundleTag,
    document_of_text,
)
from desktop.core.errors import ClaimmarkError, InputRefused
from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import DocumentInfo, Highlight, Link
from desktop.core.textfile import (
    MAX_DOCUMENT_BYTES,
    bad_utf8,
    name_as_text,
    normalise_newlines,
    read_bytes,
)
from desktop.core.wording import counted

MARKER = "# Written by claimmark"
ANNOTATION_CONF = "annotation.conf"
VISUAL_CONF = "visual.conf"
DISCONT_SEP = " "  # what brat puts between the texts of an annotation's fragments
# Every character at which Python (and so brat) may end a line; none may appear in an .ann line.
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BREAK_RUN = re.compile(f"[{LINE_BREAKS}]+")
_NOTE_LINES = re.compile(f"\r\n|[{LINE_BREAKS}]")
_NOT_TYPE_CHAR = re.compile(r"[^A-Za-z0-9_-]")
_RESERVED_TYPES = {"SPAN_DEFAULT", "ARC_DEFAULT", "ATTRIBUTE_DEFAULT"}  # visual.conf defaults
_NAME_COMMENT = re.compile(r'^#\s*claimmark-(tag|relation)\s+(\S+)\s+(".*")\s*$')
_R_ARG = re.compile(r"^([^:\s]+):(\S+)$")
_LABEL_UNSAFE = re.compile(r"[|<>\t\x00-\x1f\x7f]|^[#\s-]")
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


# Writing ------------------------------------------------------------------------------------


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The brat fragments of the span [start, end): the pieces between line breaks.

    White space next to a line break between two pieces is left out (as brat does when a
    selection crosses a line), but never the span's own first and last characters. Line breaks
    at the span's ends cannot be held by brat at all: they are left out (the caller says so).
    """
    pieces = []
    pos = start
    for run in _BREAK_RUN.finditer(text, start, end):
        pieces.append((pos, run.start()))
        pos = run.end()
    pieces.append((pos, end))
    pieces = [(s, e) for s, e in pieces if s < e]
    kept = []
    for i, (s, e) in enumerate(pieces):
        if i > 0:
            while s < e and text[s].isspace():
                s += 1
        if i < len(pieces) - 1:
            while e > s and text[e - 1].isspace():
                e -= 1
        if s < e:
            kept.append((s, e))
    return kept


def brat_types(tag_names: list[str]) -> dict[str, str]:
    """A distinct brat type for each tag name, in brat's own storage form."""
    used = set(_RESERVED_TYPES)
    types: dict[str, str] = {}
    for name in tag_names:
        base = _NOT_TYPE_CHAR.sub("_", name)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        types[name] = candidate
    return types


def file_stem(info: DocumentInfo) -> str:
    """A file name for a document: its id and its title in ASCII (`0003-moscow-massacre`)."""
    ascii_title = unicodedata.normalize("NFKD", info.title).encode("ascii", "ignore").decode()
    slug = _SLUG_CHARS.sub("-", ascii_title.lower()).strip("-")[:48].rstrip("-")
    return f"{info.id:04d}-{slug}" if slug else f"{info.id:04d}"


def iter_files(context: ExportContext) -> Iterator[tuple[str, str]]:
    """The files of the export, as (file name, text), one document at a time."""
    progress, store = context.progress, context.store
    relation_types = context.relation_types
    types = brat_types([t.name for t in context.all_tags] + [t.name for t in relation_types])
    yield (
        ANNOTATION_CONF,
        _annotation_conf(
            [(t.name, types[t.name]) for t in context.tags],
            [(t.name, types[t.name]) for t in relation_types],
        ),
    )
    yield (
        VISUAL_CONF,
        _visual_conf(
            [(t.name, types[t.name], t.colour) for t in context.tags],
            [(t.name, types[t.name], t.colour) for t in relation_types],
        ),
    )
    infos = context.documents
    by_document: dict[int, list[Highlight]] = {d.id: [] for d in infos}
    document_of: dict[int, int] = {}
    for h in context.highlights():
        by_document[h.document_id].append(h)
        document_of[h.id] = h.document_id
    links_by_document: dict[int, list[Link]] = {}
    cut = _Unheld()
    for link in context.links_among(document_of):
        if document_of[link.from_id] != document_of[link.to_id]:
            cut.across += 1
        else:
            links_by_document.setdefault(document_of[link.from_id], []).append(link)
    names = {t.id: types[t.name] for t in context.all_tags}
    relation_names = {t.id: types[t.name] for t in relation_types}
    for done, info in enumerate(infos):
        progress.step(done, len(infos))
        text = store.document(info.id).text
        if "\r" in text:
            # brat reads text files with universal newlines: "\r\n" would become one character
            # and every offset after it would be off by one.
            raise ClaimmarkError(
                f"Document {info.id} (“{info.title}”) contains carriage returns, which brat "
                "would read as line ends of another length; it cannot be exported to brat exactly."
            )
        if text.startswith("\ufeff"):
            # A .txt file starting with U+FEFF is read back as one with a byte order mark (as
            # files from other tools are), so the text would come back without it.
            raise ClaimmarkError(
                f"Document {info.id} (“{info.title}”) starts with U+FEFF, which is read back "
                "as a byte order mark, not text; it cannot be exported to brat exactly."
            )
        stem = file_stem(info)
        highlights = by_document[info.id]
        for h in highlights:
            if h.rating_id is not None:
                tag = context.tag_names[h.tag_id]
                cut.verdicts[tag] = cut.verdicts.get(tag, 0) + 1
        yield f"{stem}.txt", text
        yield (
            f"{stem}.ann",
            _ann(
                text,
                highlights,
                links_by_document.get(info.id, []),
                names,
                relation_names,
                cut,
                f"{stem}.ann",
            ),
        )
    progress.step(len(infos), len(infos))
    for note in cut.notes():
        progress.note(note)


@dataclass
class _Unheld:
    """What brat cannot hold exactly, for telling the user: highlights, as (file, what) of
    each; how many links join two documents, or a highlight left out; how many verdicts, by
    the tag of the highlight they are on."""

    shortened: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    across: int = 0
    unanchored: int = 0
    verdicts: dict[str, int] = field(default_factory=dict)

    def notes(self) -> list[str]:
        found = []
        if self.across:
            links = "1 link joins" if self.across == 1 else f"{self.across} links join"
            found.append(
                f"brat: {links} highlights of two documents, which brat cannot write (an .ann "
                "file holds one document's annotations); left out. The JSON export keeps them."
            )
        if self.unanchored:
            found.append(
                f"brat: {counted(self.unanchored, 'link')} to highlights brat cannot hold; "
                "left out."
            )
        if self.verdicts:
            count = sum(self.verdicts.values())
            tags = ", ".join(f"“{tag}”" for tag in sorted(self.verdicts))
            on = "a highlight" if count == 1 else "highlights"
            found.append(
                f"brat: {counted(count, 'verdict')} (on {on} tagged {tags}) "
                f"{'is' if count == 1 else 'are'} not written (brat has no place for verdicts); "
                "the JSON, W3C, CSV and ClaimReview exports carry them."
            )
        for items, one, many, done in (
            (self.shortened, "ends or starts with", "end or start with", "written without them"),
            (self.left_out, "holds nothing but", "hold nothing but", "left out"),
        ):
            if items:
                said = (
                    f"1 highlight {one}" if len(items) == 1 else f"{len(items)} highlights {many}"
                )
                examples = ", ".join(items[:3]) + (", …" if len(items) > 3 else "")
                found.append(
                    f"brat: {said} line breaks, which a brat annotation cannot hold; {done} "
                    f"({examples}). The JSON export keeps them exactly."
                )
        return found


def _ann(
    text: str,
    highlights: list[Highlight],
    links: list[Link],
    types: dict[int, str],
    relation_types: dict[int, str],
    cut: _Unheld,
    name: str,
) -> str:
    """One document's .ann file; `types` and `relation_types` give the brat type of each tag
    and link type by id."""
    lines = []
    notes: list[tuple[str, str]] = []
    t_ids: dict[int, str] = {}  # highlight id -> T id
    number = 0
    for h in highlights:
        frags = fragments(text, h.start, h.end)
        if not frags:  # nothing but line breaks: brat has no way to hold it
            cut.left_out.append(f"{name}, at {h.start}-{h.end}")
            continue
        number += 1
        if (frags[0][0], frags[-1][1]) != (h.start, h.end):
            cut.shortened.append(f"{name}, T{number}")
        spans = ";".join(f"{s} {e}" for s, e in frags)
        quote = DISCONT_SEP.join(text[s:e] for s, e in frags)
        t_ids[h.id] = f"T{number}"
        lines.append(f"T{number}\t{types[h.tag_id]} {spans}\t{quote}\n")
        if h.note:
            notes.extend((f"T{number}", line) for line in _NOTE_LINES.split(h.note))
    relations = 0
    for link in links:
        if link.from_id not in t_ids or link.to_id not in t_ids:
            cut.unanchored += 1
            continue
        relations += 1
        arg1, arg2 = t_ids[link.from_id], t_ids[link.to_id]
        lines.append(f"R{relations}\t{relation_types[link.type_id]} Arg1:{arg1} Arg2:{arg2}\t\n")
        if link.note:
            notes.extend((f"R{relations}", line) for line in _NOTE_LINES.split(link.note))
    for n, (target, line) in enumerate(notes, start=1):
        lines.append(f"#{n}\tAnnotatorNotes {target}\t{line}\n")
    return "".join(lines)


def _annotation_conf(tags: list[tuple[str, str]], relations: list[tuple[str, str]]) -> str:
    lines = [
        f"{MARKER}. brat ignores these comments; claimmark reads the tag and link type names "
        "back from them.",
        *(f"# claimmark-tag {brat_type} {json.dumps(name)}" for name, brat_type in tags),
        *(f"# claimmark-relation {brat_type} {json.dumps(name)}" for name, brat_type in relations),
        "",
        "[entities]",
        *(brat_type for _, brat_type in tags),
        "",
        "[relations]",
        "# Links between highlights: from the first argument to the second, any tag to any.",
        *(f"{brat_type}\tArg1:<ENTITY>, Arg2:<ENTITY>" for _, brat_type in relations),
        "# Highlights may overlap, nest and share a span, as in claimmark.",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "",
        "[events]",
        "",
        "[attributes]",
    ]
    return "\n".join(lines) + "\n"


def _visual_conf(tags: list[tuple[str, str, str]], relations: list[tuple[str, str, str]]) -> str:
    labels = [
        f"{brat_type} | {name}"
        for name, brat_type, _ in [*tags, *relations]
        if name != brat_type and not _LABEL_UNSAFE.search(name)
    ]
    drawing = [f"{brat_type}\tbgColor:{colour}" for _, brat_type, colour in tags]
    drawing += [f"{brat_type}\tcolor:{colour}" for _, brat_type, colour in relations]
    return "\n".join(["[labels]", *labels, "", "[drawing]", *drawing]) + "\n"


# Reading ------------------------------------------------------------------------------------


@dataclass
class _Conf:
    names: dict[str, str] = field(default_factory=dict)  # brat type -> tag name
    relation_names: dict[str, str] = field(default_factory=dict)  # -> link type name
    colours: dict[str, str] = field(default_factory=dict)  # brat type -> #RRGGBB (spans, arcs)


def read_folder(path: Path) -> Bundle:
    """Read a brat folder into a Bundle, or raise InputRefused when it holds no brat documents."""
    try:
        entries = sorted(path.iterdir())
    except OSError as e:
        raise InputRefused(path, f"cannot be read ({e.strerror})") from None
    texts = [p for p in entries if p.suffix == ".txt" and p.is_file()]
    if not texts:
        raise InputRefused(
            path, "a folder without brat documents (NAME.txt files, each with its NAME.ann)"
        )
    anns = {p.stem: p for p in entries if p.suffix == ".ann" and p.is_file()}
    conf = _read_conf(path)
    bundle = Bundle(source=str(path))
    for sub in entries:
        if sub.is_dir():
            bundle.skipped.append(f"{sub.name}/: a subfolder; import it on its own")
    tags: dict[str, BundleTag] = {}
    relation_types: dict[str, BundleTag] = {}
    for txt in texts:
        ann = anns.pop(txt.stem, None)
        try:
            text, shift = _read_brat_text(txt)
        except InputRefused as e:
            bundle.skipped.append(f"{txt.name}: {e.reason}")
            continue
        name = name_as_text(txt.name)
        bundle.documents.append(document_of_text(txt.stem, text, name, name_as_text(txt.stem)))
        if ann is not None:
            _read_ann(ann, text, shift, conf, tags, relation_types, bundle)
    for stem in anns:
        bundle.skipped.append(f"{stem}.ann: there is no {stem}.txt beside it")
    bundle.tags = list(tags.values())
    bundle.relation_types = list(relation_types.values())
    return bundle


def _read_brat_text(path: Path) -> tuple[str, int]:
    """The text as brat reads it, and how far a leading byte order mark shifts brat's offsets.

    brat decodes UTF-8 without dropping a byte order mark (so a BOM is character 0 of its
    text) and reads line ends universally (CRLF and CR count as one character, `\\n`).
    """
    data = read_bytes(path, MAX_DOCUMENT_BYTES)
    try:
        text = normalise_newlines(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputRefused(
            path, f"not UTF-8, which brat text files are ({bad_utf8(data)})"
        ) from None
    shift = 1 if text.startswith("\ufeff") else 0
    text = text[shift:]
    if not text.strip():
        raise InputRefused(path, "holds no text")
    return text, shift


def _read_conf(folder: Path) -> _Conf:
    """Tag names and colours by brat type, from the folder's annotation.conf and visual.conf."""
    conf = _Conf()
    section = ""
    for line in _conf_lines(folder / VISUAL_CONF):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1].strip()
        elif section == "labels" and "|" in line and not stripped.startswith("#"):
            terms = [t.strip() for t in line.split("\t", 1)[0].split("|")]
            if len(terms) > 1 and terms[0] and terms[1]:
                conf.names[terms[0]] = terms[1]
        elif section == "drawing" and "\t" in line:
            brat_type, args = line.split("\t", 1)
            for arg in args.split(","):
                key, _, value = arg.partition(":")
                if key.strip() in ("bgColor", "color") and _COLOUR.match(value.strip()):
                    conf.colours.setdefault(brat_type.strip(), value.strip().upper())
    for line in _conf_lines(folder / ANNOTATION_CONF):  # our exact names win over labels
        match = _NAME_COMMENT.match(line)
        if match:
            try:
                name = json.loads(match.group(3))
            except json.JSONDecodeError:
                continue
            if isinstance(name, str) and name.strip() and _is_unicode(name):
                names = conf.names if match.group(1) == "tag" else conf.relation_names
                names[match.group(2)] = name
    return conf


def _is_unicode(text: str) -> bool:
    """False for a string holding a lone surrogate (JSON can spell one: "\\ud800")."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


MAX_CONF_BYTES = 1024 * 1024  # brat's configurations are a few kilobytes


def _conf_lines(path: Path) -> list[str]:
    """The lines of a configuration file; none when it is missing, unreadable, not a regular
    file (a pipe would wait forever) or larger than any configuration."""
    if not path.exists():
        return []
    try:
        data = read_bytes(path, MAX_CONF_BYTES)
        return normalise_newlines(data.decode("utf-8-sig")).split("\n")
    except (InputRefused, UnicodeDecodeError):
        return []


def _read_ann(
    path: Path,
    text: str,
    shift: int,
    conf: _Conf,
    tags: dict[str, BundleTag],
    relation_types: dict[str, BundleTag],
    bundle: Bundle,
) -> None:
    """Add the highlights and links of one .ann file to the bundle (their tags and link types
    into `tags` and `relation_types`; what is left out to its `skipped`)."""
    skipped = bundle.skipped
    try:
        lines = normalise_newlines(read_bytes(path, MAX_DOCUMENT_BYTES).decode("utf-8-sig"))
    except UnicodeDecodeError:
        skipped.append(f"{path.name}: not UTF-8")
        return
    except InputRefused as e:
        skipped.append(f"{path.name}: {e.reason}")
        return
    spans: dict[str, tuple[str, int, int, str]] = {}  # T id -> (type, start, end, quote)
    relations: dict[str, tuple[str, str, str]] = {}  # R id -> (type, from T id, to T id)
    notes: dict[str, list[str]] = {}
    other = 0
    for number, line in enumerate(lines.split("\n"), start=1):
        if not line.strip():
            continue
        ann_id, tab, rest = line.partition("\t")
        where = f"{path.name}, line {number}"
        if not tab:
            skipped.append(f"{where}: not a brat annotation")
        elif ann_id.startswith(("T", "R")):
            found: dict[str, Any] = spans if ann_id.startswith("T") else relations
            if ann_id in found:
                skipped.append(f"{where}: {ann_id} appears twice")
                continue
            try:
                if ann_id.startswith("T"):
                    spans[ann_id] = _text_bound(rest, text, shift)
                else:
                    relations[ann_id] = _relation(rest)
            except ValueError as e:
                skipped.append(f"{where} ({ann_id}): {e}")
        elif ann_id.startswith("#"):
            data, _, note = rest.partition("\t")
            parts = data.split()
            if len(parts) == 2 and parts[0] == "AnnotatorNotes":
                notes.setdefault(parts[1], []).append(note)
            else:
                other += 1
        else:
            other += 1
    if other:
        skipped.append(
            f"{path.name}: "
            + (
                "1 event, attribute, normalisation or comment"
                if other == 1
                else f"{other} events, attributes, normalisations or comments"
            )
            + " (claimmark holds tagged passages, their links and notes only)"
        )
    for target in sorted(notes.keys() - spans.keys() - relations.keys()):
        skipped.append(f"{path.name}: a note on {target}, which is not an annotation here")
    key = path.stem
    for ann_id, (brat_type, start, end, quote) in spans.items():
        tag = conf.names.get(brat_type, brat_type).strip()
        tags.setdefault(tag, BundleTag(tag, conf.colours.get(brat_type, "")))
        bundle.highlights.append(
            BundleHighlight(
                document_key=key,
                start=start,
                end=end,
                tag=tag,
                quote=quote,
                note="\n".join(notes.get(ann_id, [])),
                ref=f"{key}\t{ann_id}",
            )
        )
    for ann_id, (brat_type, arg1, arg2) in relations.items():
        if arg1 not in spans or arg2 not in spans:
            skipped.append(
                f"{path.name} ({ann_id}): a relation to {arg2 if arg1 in spans else arg1}, "
                "which is not a text annotation here"
            )
            continue
        name = conf.relation_names.get(brat_type, conf.names.get(brat_type, brat_type)).strip()
        relation_types.setdefault(name, BundleTag(name, conf.colours.get(brat_type, "")))
        bundle.links.append(
            BundleLink(
                f"{key}\t{arg1}", f"{key}\t{arg2}", name, note="\n".join(notes.get(ann_id, []))
            )
        )


def _relation(rest: str) -> tuple[str, str, str]:
    """(type, first argument's T id, second's) of a relation, as brat reads one: a type and two
    arguments `Label:ID` (Arg1 the one the link comes from), or ValueError."""
    data = rest.partition("\t")[0]
    parts = data.split()
    args = [_R_ARG.match(part) for part in parts[1:]]
    if len(parts) != 3 or not all(args):
        raise ValueError("not a brat relation (TYPE Arg1:ID Arg2:ID)")
    ids = [m.group(2) for m in args if m]
    if ids[0] == ids[1]:
        raise ValueError("a relation of an annotation with itself")
    return parts[0], ids[0], ids[1]


def _text_bound(rest: str, text: str, shift: int) -> tuple[str, int, int, str]:
    """(type, start, end, quote) of a text-bound annotation, or ValueError saying what is wrong."""
    data, _, written = rest.partition("\t")
    brat_type, _, offsets = data.partition(" ")
    try:
        frags = sorted(
            (int(a) - shift, int(b) - shift)
            for a, b in (piece.split() for piece in offsets.split(";"))
        )
    except ValueError:
        raise ValueError("not a brat text annotation (TYPE START END)") from None
    if not brat_type.strip() or not frags:
        raise ValueError("not a brat text annotation (TYPE START END)")
    frags = [(s, e) for s, e in frags if s < e] or frags
    if any(not 0 <= s <= e <= len(text) for s, e in frags):
        raise ValueError("its offsets are outside the text")
    start, end = frags[0][0], frags[-1][1]
    if start == end:
        raise ValueError("an empty span")
    for (_, e), (s, _) in itertools.pairwise(frags):
        if text[e:s].strip():
            raise ValueError(
                "a discontinuous annotation with text between its fragments; "
                "a claimmark highlight is one passage"
            )
    expected = DISCONT_SEP.join(text[s:e] for s, e in frags)
    quote = text[start:end]
    if written and not written.startswith(expected):
        if len(frags) > 1:
            raise ValueError("its text does not match the .txt file at its offsets")
        quote = written  # placed by its text near the offsets when the highlights are merged
    return brat_type, start, end, quote


FORMAT = FileFormat(
    "brat",
    "brat standoff folder",
    recognise=lambda probe: probe.is_folder,
    read=lambda probe: read_folder(probe.path),
    files=iter_files,
)
