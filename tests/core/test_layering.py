"""The core and the command line never load Qt."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO


def test_core_and_cli_do_not_import_pyside6() -> None:
    code = (
        "import sys, pkgutil, importlib, desktop.core, desktop.cli\n"
        "for m in pkgutil.walk_packages(desktop.core.__path__, 'desktop.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(sorted(n for n in sys.modules if n.startswith('PySide6')))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_import_contracts_hold() -> None:
    """The contracts in pyproject.toml: the core imports no Qt, the window no storage module,
    formats not each other, and no import cycles."""
    out = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports; "
         "raise SystemExit(lint_imports(no_cache=True, no_logo=True))"],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "5 kept, 0 broken" in out.stdout
