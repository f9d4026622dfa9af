"""Shared fixtures. Qt, when a test loads it, runs offscreen."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore

REPO = Path(__file__).resolve().parent.parent
SEED_DIGEST = REPO / "seeds" / "news-digest-2024.txt"
SAMPLES = Path(__file__).resolve().parent / "samples"


@pytest.fixture(autouse=True)
def private_user_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep tests out of the user's data and settings folders (backups, default project)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data-home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config-home"))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    """A new, empty project."""
    s = SqliteStore.open(tmp_path / "project.claimmark")
    s.annotator = "tester"
    yield s
    s.close()


@pytest.fixture
def seeded(store: SqliteStore) -> SqliteStore:
    """A project holding the eight seed articles."""
    report = import_paths(store, [SEED_DIGEST])
    assert len(report.documents_added) == 8
    return store
