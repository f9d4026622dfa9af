"""Every file format claimmark knows, in the order files are recognised.

Importing asks each format in turn whether a file is of its kind (a folder is brat; a project
file, or another SQLite database, is refused by its first bytes; web pages, PDFs and Word or
OpenDocument files by their names or first bytes; doccano JSONL by its first
line; JSON, by its name or its first characters, is a claimmark or W3C export, or refused (a
ClaimReview export by name); a CSV export is refused by its header; anything else is a
plain-text document); exporting looks a format up by name. The command line's choices and the
window's file dialogs are made from the same lists, so a new format is one module and one line
here.

A format module is loaded when it is first needed: an export loads its own format only, and a
command that neither imports nor exports (`claimmark list`) loads none.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desktop.core.errors import ClaimmarkError

if TYPE_CHECKING:  # loaded with the first format
    from desktop.core.fileformat import FileFormat, Probe

# Recognition order: the specific before the general; plain text takes what is left. The
# binary kinds come before the formats that look into a file's text (which refuse binary data),
# and doccano's JSON Lines before the JSON formats (which refuse what does not parse as JSON).
_IMPORT_MODULES = (
    "brat",
    "database",
    "pdf",
    "word",
    "opendocument",
    "webpage",
    "doccano",
    "native",
    "w3c",
    "claimreview",
    "table",
    "plaintext",
)

# Each export format's name: the module and the name of its FileFormat there, in menu order.
_EXPORTS: dict[str, tuple[str, str]] = {
    "json": ("native", "FORMAT"),
    "w3c": ("w3c", "FORMAT"),
    "csv": ("table", "FORMAT"),
    "csv-exact": ("table", "EXACT_FORMAT"),
    "jsonl": ("doccano", "FORMAT"),
    "jsonl-relations": ("doccano", "RELATIONS_FORMAT"),
    "brat": ("brat", "FORMAT"),
    "claimreview": ("claimreview", "FORMAT"),
}
EXPORT_NAMES: tuple[str, ...] = tuple(_EXPORTS)


def _load(module: str, attribute: str = "FORMAT") -> FileFormat:
    # __import__ rather than importlib.import_module: the same import, but one that
    # `python -X importtime` reports, so that what a command loads can be measured.
    loaded = __import__(f"desktop.core.formats.{module}", fromlist=[attribute])
    fmt: FileFormat = getattr(loaded, attribute)
    return fmt


def export_format(name: str) -> FileFormat:
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise ClaimmarkError(
            f"Unknown export format “{name}” (known: {', '.join(sorted(_EXPORTS))})."
        ) from None
    return _load(module, attribute)


def export_formats() -> dict[str, FileFormat]:
    """Every export format by name, in menu order."""
    return {name: export_format(name) for name in EXPORT_NAMES}


def import_formats() -> tuple[FileFormat, ...]:
    """The formats files are recognised by, in the order they are asked."""
    return tuple(_load(module) for module in _IMPORT_MODULES)


def recognise(probe: Probe) -> FileFormat | None:
    """The first format that claims the probed file, or None."""
    for fmt in import_formats():
        if fmt.recognise is not None and fmt.recognise(probe):
            return fmt
    return None


def import_file_filter() -> str:
    """A file dialog's filter for everything that can be imported from a file, then each
    importable format on its own."""
    readable = [f for f in import_formats() if f.read is not None and f.suffixes]
    patterns = sorted({f"*{s}" for f in readable for s in f.suffixes})
    lines = [f"Documents and exports ({' '.join(patterns)})"]
    lines += [f"{f.label} ({' '.join('*' + s for s in f.suffixes)})" for f in readable]
    lines.append("All files (*)")
    return ";;".join(lines)
