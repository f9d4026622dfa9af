"""Killing the app with SIGKILL at random moments loses no highlight it had shown as saved."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REPO

KILLS = 24


def test_sigkill_at_random_moments_loses_nothing_shown(project: Path, tmp_path: Path) -> None:
    rng = random.Random(20261124)
    shown: set[str] = set()
    deleted: set[str] = set()  # deleted, or about to be when the kill came
    for run in range(KILLS):
        process = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("crash_driver.py")),
                str(project),
                str(tmp_path / "settings.ini"),
                str(run),
            ],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        # Let it work for a random while, reading what it reports, then kill it mid-stride.
        deadline = time.monotonic() + rng.uniform(0.05, 0.8)
        os.set_blocking(process.stdout.fileno(), False)
        while time.monotonic() < deadline:
            time.sleep(0.005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        os.set_blocking(process.stdout.fileno(), True)
        for line in process.stdout.read().splitlines():
            kind, _, uuid = line.partition(" ")
            (shown if kind == "saved" else deleted).add(uuid)
        process.stdout.close()

        conn = sqlite3.connect(project)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            stored = {row[0] for row in conn.execute("SELECT uuid FROM highlights")}
        finally:
            conn.close()
        missing = (shown - deleted) - stored
        assert not missing, f"run {run}: {len(missing)} highlights shown as saved are gone"
    assert len(shown) > KILLS  # the runs really made highlights
    print(f"{KILLS} kills; {len(shown)} highlights shown as saved, {len(deleted)} deleted; 0 lost")
