"""Installing: `claimmark` is a console script (its commands print), `claimmark-gui` a
gui-script, and `claimmark install-desktop-entry` puts the app and its icon in the menu."""

from __future__ import annotations

import configparser
from importlib.metadata import entry_points
from pathlib import Path

from desktop.cli import main


def test_console_and_gui_scripts() -> None:
    console = {e.name: e.value for e in entry_points(group="console_scripts")}
    gui = {e.name: e.value for e in entry_points(group="gui_scripts")}
    assert console["claimmark"] == "desktop.cli:main"
    assert gui["claimmark-gui"] == "desktop.cli:main"


def test_the_desktop_entry_and_icon(tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert main(["install-desktop-entry"]) == 0
    entry = tmp_path / "applications" / "claimmark.desktop"
    icon = tmp_path / "icons" / "hicolor" / "scalable" / "apps" / "claimmark.svg"
    assert str(entry) in capsys.readouterr().out
    parsed = configparser.ConfigParser(interpolation=None)
    parsed.read(entry, encoding="utf-8")
    section = parsed["Desktop Entry"]
    assert (section["Type"], section["Name"], section["Icon"]) == (
        "Application",
        "claimmark",
        "claimmark",
    )
    command = section["Exec"].split()[0]
    assert Path(command).exists()
    assert icon.read_text(encoding="utf-8").startswith("<svg")
