"""New versions of documents: when an imported document is one.

An imported document is a **new version** of a document in the project when its text is not in
the project yet and

1. it has a URL (its page's own address, or the one it was fetched from) and exactly one
   document of the project has that URL; or else
2. exactly one document of the project came from a file of the same name (or from the same
   web address, as typed), leaving out documents whose URL differs from its own (both known):
   those are other articles. When the file holds several articles (a digest), the document
   must also have the same title, since the file name alone does not tell which one it is.

Two or more candidates are no match: the user chooses (`claimmark update --document ID`, or
File > Update Document from File).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath

from desktop.core.fetching import is_url
from desktop.core.model import DocumentInfo, NewDocument

SAME_URL = "the same address"
SAME_SOURCE = "the same file name"


@dataclass(frozen=True, slots=True)
class NewVersion:
    """An imported document found to be a new version of a document in the project."""

    source: str  # the file or address it was read from
    document: NewDocument
    previous: DocumentInfo  # the document it is a new version of
    why: str  # SAME_URL or SAME_SOURCE


def previous_version(
    documents: Sequence[DocumentInfo], new: NewDocument, *, one_of_several: bool = False
) -> tuple[DocumentInfo, str] | None:
    """The document of `documents` that `new` is a new version of, with why; None when there
    is none, or more than one (see the module's docstring). `one_of_several`: `new` came from
    a file holding several documents."""
    if new.url:
        same_url = [d for d in documents if d.url == new.url]
        if len(same_url) == 1:
            return same_url[0], SAME_URL
        if same_url:
            return None
    name = _source_name(new.source)
    if not name:
        return None
    same_source = [
        d
        for d in documents
        if _source_name(d.source) == name
        and not (d.url and new.url and d.url != new.url)
        and (d.title == new.title or not one_of_several)
    ]
    if len(same_source) == 1:
        return same_source[0], SAME_URL if is_url(new.source) else SAME_SOURCE
    return None


def _source_name(source: str) -> str:
    """What two sources are compared by: a web address whole, a file by its name."""
    if is_url(source):
        return source.strip()
    return PurePath(source).name
