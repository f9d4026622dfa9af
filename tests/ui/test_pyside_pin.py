"""PySide6-Essentials 6.12.0 on CPython 3.11 drops a reference to None on every Qt call that
returns nothing, and the process aborts after a few thousand calls. We pin around it."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from PySide6.QtGui import QTextCursor, QTextDocument
from PySide6.QtWidgets import QWidget

from tests.conftest import REPO


def test_ten_thousand_void_qt_calls_keep_none_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    doc = QTextDocument("hello world")
    cursor = QTextCursor(doc)
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for i in range(10_000):
        cursor.setPosition(i % 5)
        widget.resize(100 + i % 3, 100)
    assert sys.getrefcount(None) >= before


def test_python_311_never_gets_an_affected_release() -> None:
    project = tomllib.loads(Path(REPO / "pyproject.toml").read_text())
    pins = [Requirement(r) for r in project["project"]["dependencies"]]
    qt = [r for r in pins if r.name == "PySide6-Essentials"]
    env_311 = {"python_version": "3.11", "python_full_version": "3.11.7"}
    applying = [r for r in qt if r.marker is None or r.marker.evaluate(env_311)]
    assert applying
    for r in applying:
        assert not r.specifier.contains("6.12.0")
        assert not r.specifier.contains("6.12.1")
        assert r.specifier.contains("6.11.3")
