"""The benchmark runs (small sizes) and prints every figure it promises. It times nothing here."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from desktop.bench import GOALS, ZERO_GOALS
from desktop.pgcluster import server_binaries
from tests.conftest import REPO

# Without PostgreSQL (a developer's machine; never CI, see tests/conftest.py) the bench says so
# and leaves out the team figures.
TEAM = server_binaries() is not None or bool(os.environ.get("CI"))


def test_quick_benchmark_prints_every_key() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop.bench", "--quick", "--json", "--runs", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    expected = (
        {k for k in GOALS if TEAM or not k.startswith("team_")}
        | {
            "floor_setplaintext_10mb_s",
            "floor_sqlite_commit_ms",
            "growth_open_ratio_10000_to_100",
            "growth_add_ratio_10000_to_100",
            "open_vs_floor_ratio",
            "crafted_byline_us",
            "import_crafted_bylines_s",
            "import_84_quotes_la_s",
            "update_2mb_10k_s",
        }
        | ({"team_update_2mb_10k_s"} if TEAM else set())
    )
    assert expected <= set(figures)
    assert all(isinstance(v, float | int) for v in figures.values())
    # Every figure is positive, but for the share of wrong anchors and the highlights lost or
    # duplicated by the team load, which should be none.
    assert all(v > 0 for k, v in figures.items() if k not in ZERO_GOALS)
    assert 0 <= figures["reanchor_wrong_pct"] <= 100
    if TEAM:
        assert figures["team_lost"] == figures["team_duplicated"] == 0
        assert figures["team_kill_lost"] == 0
    else:
        assert "team mode: PostgreSQL is not installed here; not measured" in result.stdout
    assert "key presses made a highlight" not in result.stdout  # every press made one
