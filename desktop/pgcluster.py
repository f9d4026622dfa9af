"""A throwaway PostgreSQL cluster on 127.0.0.1, for the tests and the benchmark of team mode.

It uses the server binaries of the machine (Debian's `postgresql` package puts them in
/usr/lib/postgresql/VERSION/bin); run as root, the server runs as the `postgres` user, which
owns its data folder. The cluster trusts every local connection: it is for tests only, and
listens on the loopback address alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_USER = "postgres"


def server_binaries() -> Path | None:
    """The folder of initdb, pg_ctl and postgres (the newest version installed), or None."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
    )
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    """One cluster in a temporary folder: `start()`, `dsn()`, `stop()` (or `kill()`, as a crash
    would), `remove()`."""

    def __init__(self, *, fsync: bool = True) -> None:
        binaries = server_binaries()
        if binaries is None:
            raise FileNotFoundError(
                "PostgreSQL's server programs (initdb, pg_ctl) are not installed; on Debian: "
                "apt-get install postgresql"
            )
        self.bin = binaries
        self.fsync = fsync
        self.folder = Path(tempfile.mkdtemp(prefix="claimmark-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self._as_root = os.geteuid() == 0
        if self._as_root:
            shutil.chown(self.folder, SERVER_USER, SERVER_USER)
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SERVER_USER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )

    def _run(self, program: str, *args: str) -> None:
        command = [str(self.bin / program), *args]
        if self._as_root:
            command = ["runuser", "-u", SERVER_USER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode:
            raise RuntimeError(f"{program} failed: {result.stderr.strip() or result.stdout}")

    def start(self) -> None:
        """Start the server and wait until it takes connections. After a kill, the old
        server's processes may hold its shared memory for a moment: then it tries again."""
        options = (
            f"-k {self.folder} -c listen_addresses=127.0.0.1 -p {self.port}"
            f" -c fsync={'on' if self.fsync else 'off'} -c max_connections=200"
        )
        log = str(self.folder / "log")
        deadline = time.monotonic() + 30
        while True:
            try:
                self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, "start")
                return
            except RuntimeError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """End the server at once, as a crash would (the next start recovers from its log)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.02)
        # Its children notice the postmaster is gone and end themselves; the next start waits
        # for them (a stale postmaster.pid is handled by the server itself).
        time.sleep(0.2)

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def dsn(self, dbname: str = "postgres", user: str = SERVER_USER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def remove(self) -> None:
        if self.running():
            with contextlib.suppress(RuntimeError):
                self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)
