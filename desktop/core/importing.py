"""Importing files into a project: documents (text, Markdown, digests, web pages, PDFs, Word and
OpenDocument files) and annotation exports (claimmark JSON, W3C Web Annotation JSON-LD, and brat
folders), each recognised by the format registry (registry.py), and documents from the web.

Each file is read and checked completely before anything is written, then stored in one
transaction, so a refused file leaves the project as it was and the other files still import.

A document that is a new version of one in the project (versions.py: the same address, or the
same file name) is added as a new document, used to update that document (its highlights
re-anchored: operations.UpdateDocument), or held back for the caller to ask the user, as the
caller says.
"""

from __future__ import annotations

import dataclasses
import gc
import re
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from desktop.core import fetching, registry
from desktop.core.bundle import Bundle, MergeReport, merge_bundle
from desktop.core.errors import ClaimmarkError, InputRefused, ProjectError
from desktop.core.fileformat import Imported, Probe
from desktop.core.model import DocumentInfo, NewDocument, sha256_text
from desktop.core.operations import UpdateDocument
from desktop.core.progress import Cancelled, Progress
from desktop.core.store import ProjectStore
from desktop.core.versions import NewVersion, previous_version

# What to import: a file or folder, or (a string starting with http:// or https://) a web address.
Source = Path | str


# What to do with a document that is a new version of one in the project: add it as a new
# document, update that document with it, or hold it back (listed in the report, not stored).
NewVersions = Literal["add", "update", "hold"]


@dataclass
class ImportReport:
    documents_added: list[DocumentInfo] = field(default_factory=list)
    documents_already_present: list[str] = field(default_factory=list)  # titles
    merges: list[tuple[str, MergeReport]] = field(default_factory=list)  # (file, report)
    refused: list[InputRefused] = field(default_factory=list)
    cancelled: bool = False
    new_versions: list[NewVersion] = field(default_factory=list)  # held back, not stored
    updated: list[tuple[NewVersion, UpdateDocument]] = field(default_factory=list)  # done


ProgressCallback = Callable[[int, int, str], None]  # (files done, files in all, current file)

# The kinds of document a server may send, by media type, as the file name ending that the
# format registry knows them by.
_SUFFIX_OF_MEDIA_TYPE = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "application/json": ".json",
    "application/ld+json": ".jsonld",
}
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def read_path(path: Path) -> Imported:
    """Read one file or folder in whichever format it is, or raise InputRefused."""
    probe = Probe(path)
    fmt = registry.recognise(probe)
    if fmt is not None and fmt.read is not None:
        return fmt.read(probe)
    if fmt is not None:
        raise InputRefused(path, fmt.refusal(probe) if callable(fmt.refusal) else fmt.refusal)
    if probe.is_json:  # JSON (or it was refused as not JSON), but not an export
        raise InputRefused(path, "a JSON file, but not a claimmark export or W3C Web Annotations")
    raise InputRefused(path, "not a kind of file claimmark can import")


def _file_name_for(fetched: fetching.Fetched) -> str:
    """A name for a fetched document that the format registry recognises it by: the last part
    of its address, ending as its media type, its first bytes or its address say."""
    kind = fetched.content_type
    if kind.partition("/")[0] in ("image", "audio", "video", "font"):
        raise InputRefused(fetched.url, f"the address gives {kind}, not a page or a document")
    name = Path(urllib.parse.urlsplit(fetched.url).path).name
    head = fetched.data[:1024].lstrip().lower()
    if kind in _SUFFIX_OF_MEDIA_TYPE:
        suffix = _SUFFIX_OF_MEDIA_TYPE[kind]
    elif head.startswith(b"%pdf-"):
        suffix = ".pdf"
    elif head.startswith((b"<!doctype html", b"<html")):
        suffix = ".html"
    else:  # application/octet-stream and the like: the registry judges by name and content
        suffix = Path(name).suffix.lower()
    stem = _UNSAFE_NAME.sub("-", Path(name).stem)[:80].strip("-.") or "page"
    return stem + suffix


def read_url(
    url: str,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Imported:
    """Fetch a web page or document and read it as the file it is, or raise InputRefused naming
    the address. Its documents keep `url` as their source; their URL is the one the page
    names as its own (canonical), or else the address it was found at, after redirects."""
    fetched = fetching.fetch(url, on_progress=on_progress, is_cancelled=is_cancelled)
    with tempfile.TemporaryDirectory(prefix="claimmark-fetch-") as folder:
        path = Path(folder) / _file_name_for(fetched)
        path.write_bytes(fetched.data)
        try:
            imported = read_path(path)
        except InputRefused as e:
            raise InputRefused(url, e.reason) from None
    if isinstance(imported, Bundle):
        return imported
    host = (urllib.parse.urlsplit(fetched.url).hostname or "").removeprefix("www.")
    return [_from_the_web(d, url, fetched.url, host) for d in imported]


def _from_the_web(document: NewDocument, given: str, found_at: str, host: str) -> NewDocument:
    return dataclasses.replace(
        document,
        source=given,
        url=document.url or found_at,
        outlet=document.outlet or host,
    )


def read_source(
    source: Source,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Imported:
    """Read a file or folder, or fetch and read a web address."""
    if isinstance(source, str) and fetching.is_url(source):
        return read_url(source, on_progress=on_progress, is_cancelled=is_cancelled)
    return read_path(Path(source))


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Reading an export makes a few hundred thousand objects and no reference cycles; Python's
    cycle collector would walk them all again and again while they are made (a tenth of an
    import of 100,000 highlights). It is off while one file is read and merged."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_paths(
    store: ProjectStore,
    paths: Sequence[Source],
    *,
    on_progress: ProgressCallback | None = None,
    is_cancelled: Callable[[], bool] | None = None,
    new_versions: NewVersions = "add",
) -> ImportReport:
    """Import documents and annotation exports, each file (or web address) in its own
    transaction. A new version of a document is added, used to update it, or held back, as
    `new_versions` says.

    A folder is read as a brat folder (NAME.txt with NAME.ann), in one transaction. While a web
    address is fetched, progress names it with the kilobytes received so far. Cancelling stops
    within the file being imported, whose transaction is rolled back; the files before it stay
    imported.
    """
    report = ImportReport()
    cancel = Progress(None, is_cancelled)  # check() raises Cancelled once the user cancelled
    for done, path in enumerate(paths):
        if is_cancelled is not None and is_cancelled():
            report.cancelled = True
            break
        if on_progress is not None:
            on_progress(done, len(paths), str(path))

        def downloading(received: int, size: int, done: int = done, path: Source = path) -> None:
            if on_progress is not None:
                of = f" of {size // 1024:,}" if size else ""
                on_progress(done, len(paths), f"{path} ({received // 1024:,}{of} KB)")

        try:
            with _without_cycle_collection():
                imported = read_source(path, on_progress=downloading, is_cancelled=is_cancelled)
                if isinstance(imported, Bundle):
                    report.merges.append((str(path), merge_bundle(store, imported, cancel)))
                    continue
            with store.batch():
                versions: list[NewVersion] = []
                if new_versions != "add":
                    versions = _new_versions(store, str(path), imported)
                held = {id(v.document) for v in versions}
                added = store.add_documents([d for d in imported if id(d) not in held])
                if new_versions == "update":
                    for version in versions:
                        update = UpdateDocument(store, version.previous.id, version.document)
                        update.do(store)
                        report.updated.append((version, update))
                cancel.check()  # cancelled meanwhile: none of them is kept
            report.documents_added.extend(added)
            added_hashes = {d.sha256 for d in added}
            report.documents_already_present.extend(
                d.title
                for d in imported
                if id(d) not in held and sha256_text(d.text) not in added_hashes
            )
            if new_versions == "hold":
                report.new_versions.extend(versions)
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


def _new_versions(
    store: ProjectStore, source: str, imported: Sequence[NewDocument]
) -> list[NewVersion]:
    """The documents of one file that are new versions of documents in the project."""
    documents = store.documents()
    found = []
    for d in imported:
        if store.document_by_sha256(sha256_text(d.text)) is not None:
            continue  # in the project already
        match = previous_version(documents, d, one_of_several=len(imported) > 1)
        if match is not None:
            found.append(NewVersion(source, d, *match))
    return found


def read_new_version(
    source: Source,
    previous: DocumentInfo,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> NewDocument:
    """Read the new version of `previous` from a file or web address: its one document, or,
    of a file holding several articles, the one with `previous`'s title. Raises InputRefused
    naming the source when there is no such document."""
    if isinstance(source, Path) and source.is_dir():  # brat's folders hold annotations
        raise InputRefused(
            source,
            "a folder, not a file: give the file or web address of the document's new version",
        )
    imported = read_source(source, on_progress=on_progress, is_cancelled=is_cancelled)
    if isinstance(imported, Bundle):
        raise InputRefused(source, "an export of highlights, not a document")
    if len(imported) == 1:
        return imported[0]
    titled = [d for d in imported if d.title == previous.title]
    if len(titled) == 1:
        return titled[0]
    which = "none" if not titled else "more than one"
    raise InputRefused(
        source,
        f"it holds {len(imported)} articles, and {which} of them is titled “{previous.title}”",
    )
