"""What a file format module declares: how to recognise a file of its kind, how to import one,
and how to export. The registry (registry.py) collects the declarations; importing.py and
exporting.py, the command line and the window's file dialogs read them from there.

A format module ends with `FORMAT = FileFormat(...)` and imports no other format module.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from desktop.core import open_here
from desktop.core.model import (
    DocumentInfo,
    Highlight,
    HighlightFilter,
    Link,
    NewDocument,
    Rating,
    RelationType,
    Tag,
)
from desktop.core.progress import Progress
from desktop.core.store import ProjectStore

if TYPE_CHECKING:  # an export needs none of what reading files takes
    from desktop.core.bundle import Bundle

# 128 MiB: a claimmark JSON export of about 200,000 highlights with their documents' text.
MAX_ANNOTATION_FILE_BYTES = 128 * 1024 * 1024
JSON_SUFFIXES = (".json", ".jsonld")
HEAD_BYTES = 100  # an SQLite database's header
# Text that starts as JSON does, whatever the file is called: an object, or an array of objects,
# arrays or strings (or none). An article's first line such as "[Updated] Harbour reopens" or
# "[1] …" does not.
_JSON_START = re.compile(r'[\s\ufeff]*(?:\{|\[\s*[{\["\]])')


@dataclass
class ExportContext:
    """What every export starts from, made once by exporting.py and handed to the format: the
    store (read inside one snapshot), the filter, progress and cancel, the options given for
    the format (ClaimReview's publisher), and the project's names and lists, each read the
    first time a format asks for it.

    `highlight_ids`, when given, narrows the filter's highlights to these: the window's list
    can show a part of the argument structure (claims without evidence, …), which no filter
    says, and its export writes exactly the highlights it shows."""

    store: ProjectStore
    where: HighlightFilter = field(default_factory=HighlightFilter)
    progress: Progress = field(default_factory=Progress)
    options: Mapping[str, str] = field(default_factory=dict)
    highlight_ids: frozenset[int] | None = None

    @cached_property
    def all_tags(self) -> list[Tag]:
        return self.store.tags()

    @cached_property
    def tags(self) -> list[Tag]:
        """The tags the filter selects (all without a tag filter)."""
        names = self.where.tag_names
        return [t for t in self.all_tags if not names or t.name in names]

    @cached_property
    def tag_names(self) -> dict[int, str]:
        return {t.id: t.name for t in self.all_tags}

    @cached_property
    def all_documents(self) -> dict[int, DocumentInfo]:
        return {d.id: d for d in self.store.documents()}

    @cached_property
    def documents(self) -> list[DocumentInfo]:
        """The documents the filter selects (all without a document filter), by id."""
        ids = self.where.document_ids
        return [d for d in self.all_documents.values() if not ids or d.id in ids]

    @cached_property
    def relation_types(self) -> list[RelationType]:
        return self.store.relation_types()

    @cached_property
    def relation_type_names(self) -> dict[int, str]:
        return {t.id: t.name for t in self.relation_types}

    @cached_property
    def ratings(self) -> list[Rating]:
        """The rating scale, best first."""
        return self.store.ratings()

    @cached_property
    def rating_names(self) -> dict[int, str]:
        return {r.id: r.name for r in self.ratings}

    def highlights(self) -> Iterator[Highlight]:
        """The highlights the filter (and `highlight_ids`) selects, in document and start
        order."""
        selected = self.store.iter_highlights(self.where)
        ids = self.highlight_ids
        return selected if ids is None else (h for h in selected if h.id in ids)

    @cached_property
    def all_links(self) -> list[Link]:
        return self.store.links()

    def links_among(self, highlight_ids: Iterable[int]) -> list[Link]:
        """The links both of whose highlights are among `highlight_ids`, in the order made."""
        ids = set(highlight_ids)
        return [k for k in self.all_links if k.from_id in ids and k.to_id in ids]

    def links_touching(self, highlight_ids: Iterable[int]) -> list[Link]:
        """The links from or to any of `highlight_ids`, in the order made."""
        ids = set(highlight_ids)
        return [k for k in self.all_links if k.from_id in ids or k.to_id in ids]


# A renderer gives the whole file (text or UTF-8), or its UTF-8 in pieces to write as they come.
TextRenderer = Callable[[ExportContext], str | bytes | Iterator[bytes]]
FolderRenderer = Callable[[ExportContext], Iterator[tuple[str, str]]]
# An import gives annotations (a Bundle, maybe with documents' texts) or new documents.
Imported: TypeAlias = "Bundle | list[NewDocument]"


class Probe:
    """A file or folder about to be imported, read at most once whatever the formats ask of it.

    Reading errors surface as InputRefused naming the file, from whichever format asked first.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.is_folder = path.is_dir()
        self.suffix = path.suffix.lower()
        # A project this process has open is never read here: closing the file would drop the
        # process's locks on it (see open_here).
        self.open_as_project = not self.is_folder and open_here.is_open(path)

    @cached_property
    def head(self) -> bytes:
        """The file's first bytes, for formats that know theirs (b"" for a folder, or a file
        that cannot be read: the format that reads it says why)."""
        try:
            if self.open_as_project or not self.path.is_file():  # or a pipe that would block
                return b""
            with self.path.open("rb") as f:
                return f.read(HEAD_BYTES)
        except OSError:
            return b""

    @property
    def json_by_name(self) -> bool:
        """Named as JSON (.json, .jsonld)."""
        return self.suffix in JSON_SUFFIXES

    @cached_property
    def is_json(self) -> bool:
        """JSON by its name or by how its text starts: read as JSON or refused, never taken
        for a document (doccano's JSON Lines are recognised before the formats that ask for
        `json`)."""
        if self.is_folder:
            return False
        return self.json_by_name or _JSON_START.match(self.text) is not None

    @cached_property
    def text(self) -> str:
        """The file as a document's text (decoded, newlines normalised, checked)."""
        from desktop.core.textfile import read_text_file

        return read_text_file(self.path)[0]

    @cached_property
    def first_line(self) -> str:
        """The first line of a document's text, for formats that recognise themselves by it
        ("" for a folder or a file named as JSON)."""
        if self.is_folder or self.json_by_name:
            return ""
        return self.text.lstrip().partition("\n")[0]

    @cached_property
    def json(self) -> Any:
        """The decoded JSON, None when the file is not JSON (`is_json`), or InputRefused naming
        where JSON that does not parse breaks."""
        from desktop.core import jsonio
        from desktop.core.textfile import read_bytes

        if not self.is_json:
            return None
        if self.json_by_name:
            return jsonio.loads(read_bytes(self.path, MAX_ANNOTATION_FILE_BYTES), self.path)
        return jsonio.loads(self.text.encode("utf-8"), self.path)


@dataclass(frozen=True, slots=True)
class FileFormat:
    """One format. Import: `recognise` says whether a probed file is of this kind, then `read`
    imports it, or `refusal` says why this kind cannot be imported (and what to do instead,
    which may name the file). Export: `render` writes one file, or `files` the files of a
    folder."""

    name: str
    label: str  # for people: menus, file dialogs, --help
    suffixes: tuple[str, ...] = ()  # file name endings, the first one for exports; () a folder
    recognise: Callable[[Probe], bool] | None = None
    read: Callable[[Probe], Imported] | None = None
    refusal: str | Callable[[Probe], str] = ""
    render: TextRenderer | None = None
    files: FolderRenderer | None = None

    @property
    def exports(self) -> bool:
        return self.render is not None or self.files is not None

    @property
    def writes_folder(self) -> bool:
        return self.files is not None

    @property
    def suffix(self) -> str:
        """The file name ending of an export ("" for a folder)."""
        return self.suffixes[0] if self.suffixes and not self.writes_folder else ""
