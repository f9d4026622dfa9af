"""Importing files into a project: documents (text, Markdown, digests) and annotation exports
(claimmark JSON, W3C Web Annotation JSON-LD, and brat folders).

Each file is read and checked completely before anything is written, then stored in one
transaction, so a refused file leaves the project as it was and the other files still import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core import jsonio
from desktop.core.bundle import Bundle, MergeReport, merge_bundle
from desktop.core.digest import split_articles
from desktop.core.errors import ClaimmarkError, InputRefused, ProjectError
from desktop.core.formats import brat, native, w3c
from desktop.core.model import DocumentInfo, NewDocument, sha256_text
from desktop.core.progress import Cancelled, Progress
from desktop.core.store import ProjectStore
from desktop.core.textfile import name_as_text, read_bytes, read_text_file

# 128 MiB: a claimmark JSON export of about 200,000 highlights with their documents' text.
MAX_ANNOTATION_FILE_BYTES = 128 * 1024 * 1024
DOCUMENT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ""}
ANNOTATION_SUFFIXES = {".json", ".jsonld"}


@dataclass
class ImportReport:
    documents_added: list[DocumentInfo] = field(default_factory=list)
    documents_already_present: list[str] = field(default_factory=list)  # titles
    merges: list[tuple[str, MergeReport]] = field(default_factory=list)  # (file, report)
    refused: list[InputRefused] = field(default_factory=list)
    cancelled: bool = False


ProgressCallback = Callable[[int, int, str], None]  # (files done, files in all, current file)


def documents_from_text(text: str, source: str) -> list[NewDocument]:
    """Split a decoded file into documents (one per article of a digest)."""
    source = name_as_text(source)
    fallback = Path(source).stem or source
    return [
        NewDocument(
            text=text[a.start : a.end],
            title=a.title,
            source=source,
            source_offset=a.start,
            author=a.author,
            outlet=a.outlet,
            published=a.published,
        )
        for a in split_articles(text, fallback_title=fallback)
    ]


def read_annotation_file(path: Path) -> Bundle:
    """Read an annotation export (claimmark JSON or W3C JSON-LD) into a Bundle, or raise
    InputRefused."""
    return parse_annotation_json(
        jsonio.loads(read_bytes(path, MAX_ANNOTATION_FILE_BYTES), path), path
    )


def parse_annotation_json(decoded: Any, path: Path) -> Bundle:
    """A decoded claimmark or W3C export as a Bundle, or InputRefused."""
    if native.looks_native(decoded):
        return native.parse_native(decoded, str(path))
    if w3c.looks_w3c(decoded):
        return w3c.parse_w3c(decoded, str(path))
    raise InputRefused(path, "a JSON file, but not a claimmark export or W3C Web Annotations")


def is_annotation_file(path: Path) -> bool:
    return path.suffix.lower() in ANNOTATION_SUFFIXES


_TABLE_HEADER = "id,document_id,document_title,start,end,tag,"


def _annotations_in_disguise(text: str, path: Path) -> Bundle | None:
    """An export given as a document: a JSON export is read as one (whatever its name); a CSV
    or doccano JSONL export, which cannot be read back, is refused rather than added as text."""
    head = text.lstrip()[:200]
    if head.startswith(_TABLE_HEADER):
        raise InputRefused(
            path, "a claimmark CSV export; CSV cannot be imported back (import the JSON export)"
        )
    if not head.startswith(("{", "[")):
        return None
    first_line = text.lstrip().split("\n", 1)[0]
    if first_line.startswith('{"id"') and '"label"' in first_line:
        raise InputRefused(
            path, "a doccano JSONL export; it cannot be imported back (import the JSON export)"
        )
    try:
        decoded = jsonio.loads(text.encode("utf-8"), path)
    except InputRefused:
        return None  # text that starts with a bracket: a document after all
    return parse_annotation_json(decoded, path)


def import_paths(
    store: ProjectStore,
    paths: Sequence[Path],
    *,
    on_progress: ProgressCallback | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import documents and annotation exports, each file in its own transaction.

    A folder is read as a brat folder (NAME.txt with NAME.ann), in one transaction. Cancelling
    stops within the file being imported, whose transaction is rolled back; the files before it
    stay imported.
    """
    report = ImportReport()
    cancel = Progress(None, is_cancelled)  # check() raises Cancelled once the user cancelled
    for done, path in enumerate(paths):
        if is_cancelled is not None and is_cancelled():
            report.cancelled = True
            break
        if on_progress is not None:
            on_progress(done, len(paths), str(path))
        try:
            if path.is_dir():
                bundle = brat.read_folder(path)
                report.merges.append((str(path), merge_bundle(store, bundle, cancel)))
            elif is_annotation_file(path):
                bundle = read_annotation_file(path)
                report.merges.append((str(path), merge_bundle(store, bundle, cancel)))
            else:
                text, _encoding = read_text_file(path)
                bundle = _annotations_in_disguise(text, path)
                if bundle is not None:  # a JSON export under another name (export.w3c)
                    report.merges.append((str(path), merge_bundle(store, bundle, cancel)))
                    continue
                docs = documents_from_text(text, path.name)
                with store.batch():
                    added = store.add_documents(docs)
                    cancel.check()  # cancelled meanwhile: none of them is kept
                report.documents_added.extend(added)
                added_hashes = {d.sha256 for d in added}
                report.documents_already_present.extend(
                    d.title for d in docs if sha256_text(d.text) not in added_hashes
                )
        except Cancelled:  # this file's transaction was rolled back
            report.cancelled = True
            break
        except InputRefused as e:
            report.refused.append(e)
        except ProjectError:
            raise
        except ClaimmarkError as e:
            report.refused.append(InputRefused(path, str(e)))
    if on_progress is not None and not report.cancelled:
        on_progress(len(paths), len(paths), "")
    return report
