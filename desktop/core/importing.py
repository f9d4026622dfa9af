"""Importing files into a project: documents (text, Markdown, digests) and annotation exports
(claimmark JSON, W3C Web Annotation JSON-LD, and brat folders).

Each file is read and checked completely before anything is written, then stored in one
transaction, so a refused file leaves the project as it was and the other files still import.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop.core.bundle import Bundle, MergeReport, merge_bundle
from desktop.core.digest import split_articles
from desktop.core.errors import ClaimmarkError, InputRefused, ProjectError
from desktop.core.formats import brat, native, w3c
from desktop.core.model import DocumentInfo, NewDocument, sha256_text
from desktop.core.store import ProjectStore
from desktop.core.textfile import read_bytes, read_text_file

MAX_ANNOTATION_FILE_BYTES = 64 * 1024 * 1024  # 64 MiB of JSON: about 150,000 highlights
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


def _not_a_json_number(name: str) -> Any:
    """Python reads NaN and Infinity, which are not JSON; refuse them."""
    raise ValueError(f"{name} is not a JSON number")


# JSON can spell half of a UTF-16 surrogate pair (\ud800); no UTF-8 text, and no SQLite text,
# can hold one. Only files with such an escape need the full check.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def _lone_surrogate(value: Any) -> str | None:
    """The first string (or key) in decoded JSON that holds a lone surrogate, if any."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return item
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def read_annotation_file(path: Path) -> Bundle:
    """Read an annotation export (claimmark JSON or W3C JSON-LD) into a Bundle, or raise
    InputRefused."""
    data = read_bytes(path, MAX_ANNOTATION_FILE_BYTES)
    try:
        decoded: Any = json.loads(data.decode("utf-8-sig"), parse_constant=_not_a_json_number)
    except UnicodeDecodeError:
        raise InputRefused(path, "not UTF-8 JSON") from None
    except json.JSONDecodeError as e:
        where = f"line {e.lineno}, column {e.colno}"
        raise InputRefused(path, f"not valid JSON ({where}: {e.msg})") from None
    except RecursionError:
        raise InputRefused(path, "JSON nested too deeply") from None
    except ValueError as e:  # NaN, Infinity, or an integer of more than 4300 digits
        reason = str(e) if "JSON number" in str(e) else "a number too long to read"
        raise InputRefused(path, f"not valid JSON ({reason})") from None
    if _SURROGATE_ESCAPE.search(data) and _lone_surrogate(decoded) is not None:
        raise InputRefused(
            path, "holds text that is not valid Unicode (a lone surrogate, such as \\ud800)"
        )
    if native.looks_native(decoded):
        return native.parse_native(decoded, str(path))
    if w3c.looks_w3c(decoded):
        return w3c.parse_w3c(decoded, str(path))
    raise InputRefused(path, "a JSON file, but not a claimmark export or W3C Web Annotations")


def is_annotation_file(path: Path) -> bool:
    return path.suffix.lower() in ANNOTATION_SUFFIXES


def import_paths(
    store: ProjectStore,
    paths: Sequence[Path],
    *,
    on_progress: ProgressCallback | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> ImportReport:
    """Import documents and annotation exports, each file in its own transaction.

    A folder is read as a brat folder (NAME.txt with NAME.ann), in one transaction.
    """
    report = ImportReport()
    for done, path in enumerate(paths):
        if is_cancelled is not None and is_cancelled():
            report.cancelled = True
            break
        if on_progress is not None:
            on_progress(done, len(paths), str(path))
        try:
            if path.is_dir():
                report.merges.append((str(path), merge_bundle(store, brat.read_folder(path))))
            elif is_annotation_file(path):
                bundle = read_annotation_file(path)
                report.merges.append((str(path), merge_bundle(store, bundle)))
            else:
                text, _encoding = read_text_file(path)
                docs = documents_from_text(text, path.name)
                added = store.add_documents(docs)
                report.documents_added.extend(added)
                added_hashes = {d.sha256 for d in added}
                report.documents_already_present.extend(
                    d.title for d in docs if sha256_text(d.text) not in added_hashes
                )
        except InputRefused as e:
            report.refused.append(e)
        except ProjectError:
            raise
        except ClaimmarkError as e:
            report.refused.append(InputRefused(path, str(e)))
    if on_progress is not None and not report.cancelled:
        on_progress(len(paths), len(paths), "")
    return report
