"""Files shipped with claimmark: the seed articles and the resources (schemas, images).

In a source checkout they are the top-level `seeds/` and `resources/` folders; an installed
wheel carries them in `desktop/_data/`.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def seed_files() -> list[Path]:
    """The bundled seed articles, the default corpus of a new project."""
    return sorted(p for p in _data_dir("seeds").iterdir() if p.suffix in (".txt", ".md"))


def resource(name: str) -> Path:
    return _data_dir("resources") / name
