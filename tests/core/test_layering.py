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
