"""Writing exports: the formats by name, and writing files so that no partial file is left.

A file is written to a temporary name beside its destination and renamed into place only when
complete, so a failed or cancelled export never leaves half a file.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from desktop.core.errors import ClaimmarkError
from desktop.core.formats import native
from desktop.core.model import HighlightFilter
from desktop.core.store import ProjectStore

Renderer = Callable[[ProjectStore, HighlightFilter], str]

FORMATS: dict[str, Renderer] = {
    "json": lambda store, where: native.dumps(native.export_native(store, where)),
}


def render(store: ProjectStore, fmt: str, where: HighlightFilter = HighlightFilter()) -> str:
    """The export in format `fmt` as text."""
    try:
        renderer = FORMATS[fmt]
    except KeyError:
        raise ClaimmarkError(
            f"Unknown export format “{fmt}” (known: {', '.join(sorted(FORMATS))})."
        ) from None
    return renderer(store, where)


def write_file_atomically(path: Path, text: str) -> None:
    """Write `text` as UTF-8 to `path`, all or nothing."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ClaimmarkError(f"{path}: the folder {folder} does not exist.")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise ClaimmarkError(f"{path}: cannot write here ({e.strerror}).") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise ClaimmarkError(f"{path}: could not write the export ({e.strerror}).") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
