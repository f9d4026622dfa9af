"""The launcher entry of a Linux desktop: `claimmark install-desktop-entry` puts claimmark in
the applications menu, with its icon, for the current user (freedesktop.org's Desktop Entry
and icon theme specifications: files under ~/.local/share)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import platformdirs

from desktop.core.bundled import resource

ENTRY = """[Desktop Entry]
Type=Application
Name=claimmark
GenericName=Claim and evidence annotator
Comment=Read news articles and mark what is claim, evidence and opinion
Exec={command} %F
Icon=claimmark
Terminal=false
Categories=Office;Education;Science;
MimeType=text/plain;text/markdown;text/html;application/pdf;
StartupWMClass=claimmark
"""


def gui_command() -> str:
    """The command that starts the window from this installation."""
    here = Path(sys.argv[0]).resolve().parent
    gui = here / "claimmark-gui"
    return str(gui) if gui.exists() else f"{sys.executable} -m desktop"


def install_desktop_entry(data_home: Path | None = None) -> tuple[Path, Path]:
    """Write the .desktop file and the icon; returns where they went."""
    base = data_home or Path(platformdirs.user_data_dir(appname=None, appauthor=False))
    entry = base / "applications" / "claimmark.desktop"
    icon = base / "icons" / "hicolor" / "scalable" / "apps" / "claimmark.svg"
    entry.parent.mkdir(parents=True, exist_ok=True)
    icon.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(resource("claimmark.svg"), icon)
    entry.write_text(ENTRY.format(command=gui_command()), encoding="utf-8")
    return entry, icon
