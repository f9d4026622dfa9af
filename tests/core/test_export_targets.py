"""Where an export may write: never over anything of the user's without being asked.

An export replaces an existing file or a non-empty folder only when asked (`replace=True`, which
the window passes after asking, the command line with `--force`). Whatever is at the target
must be a regular file (or, for brat, a folder): a device, a pipe or a socket is refused, a
symbolic link is written through, a read-only file or one with other hard links is left alone.
New files get the permissions the user's umask gives, not 0600. A `.part` left behind by an
export killed half way is removed by the next export into that folder, which says so.
"""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import TargetExists, export_to_path
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


# Replacing only when asked --------------------------------------------------------------------


def test_a_brat_export_never_deletes_the_users_files(
    annotated: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "brat"
    export_to_path(annotated, "brat", folder)
    (folder / "my-notes.txt").write_text("my own notes", encoding="utf-8")
    ann = next(folder.glob("0001-*.ann"))
    with ann.open("a", encoding="utf-8") as f:
        f.write("T99\tclaim 0 9\tUkraine’s\n")  # made in brat by hand
    before = listing(folder)

    with pytest.raises(TargetExists, match=r"my-notes\.txt"):
        export_to_path(annotated, "brat", folder)
    assert main(["export", "--db", annotated.location, "--format", "brat", "-o", str(folder)]) == 1
    err = capsys.readouterr().err
    assert "--force" in err
    assert len(err.splitlines()) == 1
    assert listing(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    # Asked to, it replaces the folder, and everything in it.
    assert (
        main(["export", "--db", annotated.location, "--format", "brat", "-o", str(folder), "-f"])
        == 0
    )
    assert "my-notes.txt" not in listing(folder)
    assert "T99" not in ann.read_text(encoding="utf-8")


def test_an_earlier_export_is_replaced_only_when_asked(
    annotated: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out.json"
    target.write_text("the user's own file", encoding="utf-8")
    with pytest.raises(TargetExists):
        export_to_path(annotated, "json", target)
    assert main(["export", "--db", annotated.location, "-o", str(target)]) == 1
    assert "--force" in capsys.readouterr().err
    assert target.read_text(encoding="utf-8") == "the user's own file"
    assert main(["export", "--db", annotated.location, "-o", str(target), "--force"]) == 0
    assert target.read_text(encoding="utf-8").startswith('{"format":"claimmark"')

    folder = tmp_path / "brat"
    export_to_path(annotated, "brat", folder)
    with pytest.raises(TargetExists, match="not empty"):
        export_to_path(annotated, "brat", folder)
    export_to_path(annotated, "brat", folder, replace=True)
    empty = tmp_path / "empty"
    empty.mkdir()
    export_to_path(annotated, "brat", empty)  # nothing in it to lose
    assert len(list(empty.glob("*.ann"))) == 9


def test_the_project_itself_is_never_an_export_target(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    project = Path(annotated.location)
    before = project.read_bytes()
    with pytest.raises(ClaimmarkError, match="the project"):
        export_to_path(annotated, "json", project, replace=True)
    with pytest.raises(ClaimmarkError, match="the project"):
        export_to_path(annotated, "brat", project.parent, replace=True)
    assert project.read_bytes() == before


# What is at the target ----------------------------------------------------------------------


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _socket(path: Path) -> None:
    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()


def _device_behind_a_link(path: Path) -> None:
    path.symlink_to("/dev/null")


@pytest.mark.parametrize("make", [_fifo, _socket, _device_behind_a_link])
@pytest.mark.parametrize("fmt", ["json", "brat"])
def test_what_is_not_a_regular_file_is_refused(
    annotated: SqliteStore,
    tmp_path: Path,
    make,
    fmt: str,  # type: ignore[no-untyped-def]
) -> None:
    target = tmp_path / "target"
    make(target)
    kind = os.stat(target).st_mode
    with pytest.raises(ClaimmarkError, match=r"not a regular file|not a folder"):
        export_to_path(annotated, fmt, target, replace=True)
    assert stat.S_IFMT(os.stat(target).st_mode) == stat.S_IFMT(kind)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_symbolic_link_is_written_through(annotated: SqliteStore, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    export_to_path(annotated, "json", link, replace=True)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8").startswith('{"format":"claimmark"')
    dangling = tmp_path / "dangling.json"
    dangling.symlink_to(tmp_path / "nowhere" / "x.json")
    with pytest.raises(ClaimmarkError, match="does not exist"):
        export_to_path(annotated, "json", dangling, replace=True)
    assert dangling.is_symlink()


def test_a_read_only_or_hard_linked_file_is_left_alone(
    annotated: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    read_only = tmp_path / "read-only.json"
    read_only.write_text("keep me", encoding="utf-8")
    read_only.chmod(0o444)
    with pytest.raises(ClaimmarkError, match="read-only"):
        export_to_path(annotated, "json", read_only, replace=True)
    assert main(["export", "--db", annotated.location, "-o", str(read_only), "--force"]) == 1
    assert "read-only" in capsys.readouterr().err
    assert read_only.read_text(encoding="utf-8") == "keep me"

    linked = tmp_path / "linked.json"
    linked.write_text("shared", encoding="utf-8")
    other_name = tmp_path / "other-name.json"
    os.link(linked, other_name)
    with pytest.raises(ClaimmarkError, match="hard link"):
        export_to_path(annotated, "json", linked, replace=True)
    assert os.stat(linked).st_ino == os.stat(other_name).st_ino
    assert other_name.read_text(encoding="utf-8") == "shared"


def test_exports_get_the_umask_and_a_replaced_file_its_mode(
    annotated: SqliteStore, tmp_path: Path, umask_022: None
) -> None:
    export_to_path(annotated, "csv", tmp_path / "new.csv")
    assert stat.S_IMODE(os.stat(tmp_path / "new.csv").st_mode) == 0o644
    export_to_path(annotated, "brat", tmp_path / "brat")
    assert stat.S_IMODE(os.stat(tmp_path / "brat").st_mode) == 0o755
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "brat").iterdir()} == {0o644}
    private = tmp_path / "private.csv"
    private.write_text("x", encoding="utf-8")
    private.chmod(0o640)
    export_to_path(annotated, "csv", private, replace=True)
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o640
    # A new project, and its backups, too.
    from desktop.core.backup import make_backup

    project = tmp_path / "new.claimmark"
    SqliteStore.open(project).close()
    assert stat.S_IMODE(os.stat(project).st_mode) == 0o644
    assert stat.S_IMODE(os.stat(make_backup(project)).st_mode) == 0o644


# Leftovers of an export that was killed -----------------------------------------------------

_KILL_HALF_WAY = """
import os, signal, sys
from pathlib import Path
from desktop.core.exporting import export_to_path
from desktop.core.sqlite_store import SqliteStore

store = SqliteStore.open(sys.argv[1], read_only=True)
steps = []

def progress(done, total):
    steps.append(done)
    if len(steps) == 3 and sys.argv[2] == "brat":  # files are being written
        os.kill(os.getpid(), signal.SIGKILL)

real_fsync = os.fsync

def fsync_then_die(fd):
    real_fsync(fd)
    os.kill(os.getpid(), signal.SIGKILL)

if sys.argv[2] != "brat":
    os.fsync = fsync_then_die  # the whole file is written, not yet renamed
export_to_path(store, sys.argv[2], Path(sys.argv[3]), on_progress=progress)
"""


def _killed_export(project: str, fmt: str, target: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _KILL_HALF_WAY, project, fmt, str(target)],
        cwd=REPO,
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == -signal.SIGKILL, result.stderr


def test_leftovers_of_a_killed_export_are_removed_by_the_next_and_named(
    annotated: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def parts() -> list[str]:
        return sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".part"))

    _killed_export(annotated.location, "json", tmp_path / "out.json")
    [json_part] = parts()
    assert not (tmp_path / "out.json").exists()
    _killed_export(annotated.location, "brat", tmp_path / "brat")  # removes the first one
    [brat_part] = parts()
    assert json_part != brat_part
    assert not (tmp_path / "brat").exists()

    result = export_to_path(annotated, "csv", tmp_path / "other.csv")
    assert parts() == []
    [said] = result.notes
    assert brat_part in said
    assert "interrupted" in said

    _killed_export(annotated.location, "jsonl", tmp_path / "again.jsonl")
    assert main(["export", "--db", annotated.location, "-o", str(tmp_path / "x.json")]) == 0
    err = capsys.readouterr().err
    assert ".again.jsonl.claimmark-" in err
    assert "interrupted" in err
    assert parts() == []


def test_the_part_of_a_running_export_is_left_alone(annotated: SqliteStore, tmp_path: Path) -> None:
    """Another export into the same folder, still running, keeps its part."""
    running = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys\n"
            "from pathlib import Path\n"
            "from desktop.core.exporting import export_to_path\n"
            "from desktop.core.sqlite_store import SqliteStore\n"
            "store = SqliteStore.open(sys.argv[1], read_only=True)\n"
            "def progress(done, total):\n"
            "    if done == 2:\n"
            "        print('writing', flush=True)\n"
            "        sys.stdin.readline()\n"
            "export_to_path(store, 'brat', Path(sys.argv[2]), on_progress=progress)\n",
            annotated.location,
            str(tmp_path / "slow"),
        ],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert running.stdout is not None
    assert running.stdin is not None
    assert running.stdout.readline().strip() == "writing"
    [part] = [p for p in tmp_path.iterdir() if p.name.endswith(".part")]
    result = export_to_path(annotated, "json", tmp_path / "quick.json")
    assert part.exists()
    assert result.notes == []
    running.stdin.write("\n")
    running.stdin.close()
    assert running.wait(timeout=60) == 0
    assert not part.exists()
    assert (tmp_path / "slow").is_dir()
