"""The benchmark runs (small sizes) and prints every figure it promises. It times nothing here."""

from __future__ import annotations

import json
import subprocess
import sys

from desktop.bench import GOALS
from tests.conftest import REPO


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
    expected = set(GOALS) | {
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
    assert expected <= set(figures)
    assert all(isinstance(v, float | int) for v in figures.values())
    # Every figure is positive, but for the share of wrong anchors, which should be none.
    assert all(v > 0 for k, v in figures.items() if k != "reanchor_wrong_pct")
    assert 0 <= figures["reanchor_wrong_pct"] <= 100
    assert "key presses made a highlight" not in result.stdout  # every press made one
