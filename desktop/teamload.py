"""A load of annotators on one server project: `run_load(location, writers, operations)`.

Each writer is a process of its own, an annotator (w1, w2, ...) who adds, retags and deletes
highlights through the real store, each change one transaction, and logs every change the store
acknowledged (and how long its commit took). When the server goes away mid-run, a writer logs the
change it was making as uncertain (the commit may or may not have happened), reconnects, and
reads back its own highlights; the state it read must hold everything it had acknowledged.
Afterwards the project must hold exactly what each writer's acknowledged changes leave: nothing
lost, nothing duplicated, nothing unexpected. Used by the tests (small numbers) and by
desktop.bench (20 writers, and a server killed and restarted mid-run).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from desktop.core import anchoring
from desktop.core.errors import ClaimmarkError, ProjectError
from desktop.core.model import NewDocument
from desktop.core.pg_store import PgStore

SPAN = 3  # each change of a writer gets a span of its own, SPAN code points apart
RECONNECT_FOR_S = 60.0


@dataclass
class LoadResult:
    writers: int
    acknowledged: int = 0
    uncertain: int = 0
    reconnects: int = 0
    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0


def prepare(location: str, writers: int, operations: int) -> int:
    """The project for a run: a document long enough for every writer's spans; its id."""
    store = PgStore.open(location)
    try:
        length = (writers * operations + 10) * SPAN + 100
        text = ("The minister said the figures were checked. " * (length // 44 + 1))[:length]
        [info] = store.add_documents(
            [NewDocument(text=text, title=f"Load {writers}x{operations}", source="load")]
        )
        return info.id
    finally:
        store.close()


def run_load(
    location: str,
    writers: int,
    operations: int,
    *,
    interrupt: Callable[[], None] | None = None,
    interrupt_at: float = 0.3,
    pause_s: float = 0.0,
) -> LoadResult:
    """Run `writers` processes of `operations` changes each against the project at `location`;
    `interrupt` (say, kill the server and start it again) runs once meanwhile, when that share
    of all the changes has been acknowledged. Each writer waits `pause_s` on average between
    two changes (0: back to back, as fast as the machine goes)."""
    document_id = prepare(location, writers, operations)
    result = LoadResult(writers)
    with tempfile.TemporaryDirectory(prefix="claimmark-load-") as folder:
        logs = [Path(folder) / f"w{n}.jsonl" for n in range(1, writers + 1)]
        start = time.perf_counter()
        processes = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "desktop.teamload",
                    location,
                    str(document_id),
                    str(n),
                    str(operations),
                    str(log),
                    str(pause_s),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for n, log in enumerate(logs, start=1)
        ]
        try:
            if interrupt is not None:
                wanted = interrupt_at * writers * operations
                while _acknowledged_so_far(logs) < wanted and any(
                    p.poll() is None for p in processes
                ):
                    time.sleep(0.01)
                interrupt()
        finally:  # the writers end by themselves (they give up reconnecting after a minute)
            for n, process in enumerate(processes, start=1):
                _out, err = process.communicate(timeout=600)
                if process.returncode:
                    result.errors.append(f"w{n} exited with {process.returncode}: {err[-2000:]}")
        result.seconds = time.perf_counter() - start
        expected: dict[str, dict[int, int]] = {}
        for n, log in enumerate(logs, start=1):
            name = f"w{n}"
            expected[name] = _replay(name, log, result)
    _verify(location, expected, result)
    return result


def _acknowledged_so_far(logs: list[Path]) -> int:
    """How many changes the writers have logged as acknowledged (each is followed by a latency
    line), read while they run."""
    count = 0
    for log in logs:
        try:
            count += log.read_bytes().count(b'"latency"')
        except OSError:
            continue
    return count


def _replay(name: str, log: Path, result: LoadResult) -> dict[int, int]:
    """What a writer's acknowledged changes leave: {highlight id: tag id}; checks each read-back
    after a reconnection against what had been acknowledged before it."""
    state: dict[int, int] = {}
    uncertain: set[int | str] = set()
    if not log.exists():
        return state
    for line in log.read_text(encoding="utf-8").splitlines():
        event = json.loads(line)
        kind = event["event"]
        if kind == "add" or kind == "retag":
            state[event["id"]] = event["tag"]
        elif kind == "delete":
            state.pop(event["id"], None)
        elif kind == "uncertain":
            uncertain.add(event.get("id") or event["uuid"])
            result.uncertain += 1
            continue
        elif kind == "resync":
            read = {int(k): v for k, v in event["state"].items()}
            doubtful_ids = {i for i in uncertain if isinstance(i, int)}
            for hid, tag in state.items():
                if hid not in doubtful_ids and read.get(hid) != tag:
                    result.lost.append(f"{name}: highlight {hid} (tag {tag}) after reconnecting")
            for hid in read.keys() - state.keys():
                if hid not in doubtful_ids and event["uuids"].get(str(hid)) not in uncertain:
                    result.unexpected.append(f"{name}: highlight {hid} after reconnecting")
            state = read
            uncertain.clear()
            result.reconnects += 1
            continue
        elif kind == "latency":
            result.latencies_ms.append(event["ms"])
            continue
        result.acknowledged += 1
    return state


def _verify(location: str, expected: dict[str, dict[int, int]], result: LoadResult) -> None:
    store = PgStore.open(location)
    try:
        rows = store._x(
            "SELECT id, annotator, tag_id, start_pos FROM highlights WHERE annotator LIKE 'w%%'"
        ).fetchall()
    finally:
        store.close()
    actual: dict[str, dict[int, int]] = {}
    spans: dict[tuple[str, int], int] = {}
    for hid, annotator, tag, start in rows:
        actual.setdefault(annotator, {})[hid] = tag
        spans[(annotator, start)] = spans.get((annotator, start), 0) + 1
    result.duplicated += [f"{a}: {n} highlights at {s}" for (a, s), n in spans.items() if n > 1]
    for name, state in expected.items():
        there = actual.get(name, {})
        for hid, tag in state.items():
            if there.get(hid) != tag:
                result.lost.append(f"{name}: highlight {hid} should have tag {tag}")
        result.unexpected += [f"{name}: highlight {hid}" for hid in there.keys() - state.keys()]


# A writer ---------------------------------------------------------------------------------------


def writer(
    location: str, document_id: int, number: int, operations: int, log_path: Path, pause_s: float
) -> None:
    rng = random.Random(number)
    name = f"w{number}"
    store, tags, text = _connect(location, document_id)
    store.annotator = name
    mine: dict[int, object] = {}  # id -> the highlight as last seen
    log = log_path.open("a", encoding="utf-8", buffering=1)

    def note(**event: object) -> None:
        log.write(json.dumps(event) + "\n")

    for k in range(operations):
        roll = rng.random()
        started = time.perf_counter()
        try:
            if roll < 0.55 or not mine:
                start = ((number - 1) * operations + k) * SPAN
                tag = rng.choice(tags)
                made = anchoring.new_highlight(
                    text, document_id, start, start + 2, tag, name
                )._replace(uuid=f"{name}-{k}")
                try:
                    h = store.insert_highlight(made)
                except ClaimmarkError:
                    note(event="uncertain", op="add", uuid=made.uuid)
                    raise
                mine[h.id] = h
                note(event="add", id=h.id, tag=tag)
            elif roll < 0.85:
                hid = rng.choice(sorted(mine))
                tag = rng.choice([t for t in tags if t != mine[hid].tag_id])  # type: ignore[attr-defined]
                try:
                    h = store.update_highlight(hid, tag_id=tag, expected=mine[hid])  # type: ignore[arg-type]
                except ClaimmarkError:
                    note(event="uncertain", op="retag", id=hid)
                    raise
                mine[hid] = h
                note(event="retag", id=hid, tag=tag)
            else:
                hid = rng.choice(sorted(mine))
                try:
                    store.delete_highlight(hid, expected=mine[hid])  # type: ignore[arg-type]
                except ClaimmarkError:
                    note(event="uncertain", op="delete", id=hid)
                    raise
                del mine[hid]
                note(event="delete", id=hid)
            note(event="latency", ms=1000 * (time.perf_counter() - started))
            if pause_s:
                time.sleep(rng.uniform(0, 2 * pause_s))
        except ClaimmarkError:
            store = _reconnect(store, location, name)
            own = {h.id: h for h in store.highlights() if h.annotator == name}
            mine = dict(own)
            note(
                event="resync",
                state={str(i): h.tag_id for i, h in own.items()},
                uuids={str(i): h.uuid for i, h in own.items()},
            )
    log.close()
    store.close()


def _connect(location: str, document_id: int) -> tuple[PgStore, list[int], str]:
    """A writer's store, the project's tag ids and the document's text (which never changes
    here, so that each change is one statement), waiting for a server that is away (a slow
    writer may start while the server is being killed)."""
    deadline = time.monotonic() + RECONNECT_FOR_S
    while True:
        try:
            store = PgStore.open(location)
        except ProjectError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
            continue
        try:
            return store, [t.id for t in store.tags()], store.text(document_id)
        except ClaimmarkError:
            store.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _reconnect(store: PgStore, location: str, name: str) -> PgStore:
    deadline = time.monotonic() + RECONNECT_FOR_S
    while True:
        try:
            store.reconnect()
            store.highlights()
            return store
        except ClaimmarkError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


if __name__ == "__main__":
    writer(
        sys.argv[1],
        int(sys.argv[2]),
        int(sys.argv[3]),
        int(sys.argv[4]),
        Path(sys.argv[5]),
        float(sys.argv[6]),
    )
