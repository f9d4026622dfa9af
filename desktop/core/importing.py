"""Importing files into a project: documents (text, Markdown, digests) and annotation exports
(claimmark JSON, W3C Web Annotation JSON-LD, and brat folders), each recognised by the format
registry (registry.py) from its content, whatever the file is called.

Each file is read and checked completely before anything is written, then stored in one
transaction, so a refused file leaves the project as it was and the other files still import.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import registry
from desktop.core.bundle import Bundle, MergeReport, merge_bundle
from desktop.core.errors import ClaimmarkError, InputRefused, ProjectError
from desktop.core.fileformat import Imported, Probe
from desktop.core.model import DocumentInfo, sha256_text
from desktop.core.progress import Cancelled, Progress
from desktop.core.store import ProjectStore


@dataclass
class ImportReport:
    documents_added: list[DocumentInfo] = field(default_factory=list)
    documents_already_present: list[str] = field(default_factory=list)  # titles
    merges: list[tuple[str, MergeReport]] = field(default_factory=list)  # (file, report)
    refused: list[InputRefused] = field(default_factory=list)
    cancelled: bool = False


ProgressCallback = Callable[[int, int, str], None]  # (files done, files in all, current file)


def read_path(path: Path) -> Imported:
    """Read one file or folder in whichever format it is, or raise InputRefused."""
    probe = Probe(path)
    fmt = registry.recognise(probe)
    if fmt is not None and fmt.read is not None:
        return fmt.read(probe)
    if fmt is not None:
        raise InputRefused(path, fmt.refusal)
    if probe.json_by_name:  # JSON (or it was refused as not JSON), but not an export
        raise InputRefused(path, "a JSON file, but not a claimmark export or W3C Web Annotations")
    raise InputRefused(path, "not a kind of file claimmark can import")


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
            imported = read_path(path)
            if isinstance(imported, Bundle):
                report.merges.append((str(path), merge_bundle(store, imported, cancel)))
                continue
            with store.batch():
                added = store.add_documents(imported)
                cancel.check()  # cancelled meanwhile: none of them is kept
            report.documents_added.extend(added)
            added_hashes = {d.sha256 for d in added}
            report.documents_already_present.extend(
                d.title for d in imported if sha256_text(d.text) not in added_hashes
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
