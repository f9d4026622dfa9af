"""`claimmark agreement`: JSON keys and values, null with a reason, the tables, refusals."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.agreement import Mark, compute_agreement
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO, SEED_DIGEST


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The seeds; ana and bob on document 1, ana alone on document 2."""
    path = tmp_path / "p.claimmark"
    store = SqliteStore.open(path)
    import_paths(store, [SEED_DIGEST])
    claim, _, opinion = (t.id for t in store.tags())
    store.annotator = "ana"
    store.add_highlight(1, 0, 10, claim)
    store.add_highlight(1, 40, 60, claim)
    store.add_highlight(2, 5, 15, opinion)
    store.annotator = "bob"
    store.add_highlight(1, 0, 10, claim)
    store.add_highlight(1, 50, 80, claim)
    store.add_highlight(1, 100, 120, opinion)
    store.close()
    return path


def agreement_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict:
    assert main(["agreement", *args, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_has_every_coefficient(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = agreement_json(capsys, "--db", str(project))
    store = SqliteStore.open(project)
    names = {t.id: t.name for t in store.tags()}
    expected = compute_agreement(
        {d.id: d.length for d in store.documents()},
        [
            Mark(h.annotator, h.document_id, h.start, h.end, names[h.tag_id])
            for h in store.highlights()
        ],
        tags=list(names.values()),
    )
    store.close()

    assert data["annotators"] == ["ana", "bob"]
    assert data["overall"] == {"alpha": expected.overall.value, "reason": None}
    assert set(data["tags"]) == {"claim", "evidence", "opinion"}
    assert data["tags"]["claim"]["alpha"] == expected.by_tag["claim"].value
    assert data["tags"]["evidence"]["alpha"] is None
    assert data["tags"]["evidence"]["reason"].startswith("no variation: no one used this tag")
    assert set(data["documents"]) == {str(d) for d in range(1, 9)}
    assert data["documents"]["1"]["alpha"] == expected.by_document[1].value
    assert data["documents"]["1"]["annotators"] == ["ana", "bob"]
    assert data["documents"]["2"] == {
        "alpha": None,
        "reason": "one annotator only: ana",
        "annotators": ["ana"],
    }
    assert data["documents"]["3"]["reason"] == "no annotator counts for this document"
    [pair] = data["pairs"]
    assert pair["annotators"] == ["ana", "bob"]
    assert pair["documents"] == 1
    assert pair["alpha"] == expected.pairs[0].alpha.value
    # Document 1 only: ana 2 highlights, bob 3; one identical, two pairs overlapping.
    assert pair["f1_strict"] == pytest.approx(2 * 1 / 5)
    assert pair["f1_overlap"] == pytest.approx(2 * 2 / 5)
    assert pair["alpha_reason"] is None
    assert pair["f1_overlap_reason"] is None
    assert data["disagreements"] == len(expected.disagreements) > 0


def test_filters(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = agreement_json(capsys, "--db", str(project), "--tag", "claim", "--document", "1")
    assert list(data["tags"]) == ["claim"]
    assert list(data["documents"]) == ["1"]
    assert data["pairs"][0]["f1_strict"] == pytest.approx(2 * 1 / 4)

    data = agreement_json(capsys, "--db", str(project), "--annotator", "ana")
    assert data["annotators"] == ["ana"]
    assert data["overall"] == {"alpha": None, "reason": "one annotator only: ana"}
    assert data["pairs"] == []


def test_tables(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agreement", "--db", str(project)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("2 annotators (ana, bob), 8 documents.")
    lines = out.splitlines()
    [evidence] = [line for line in lines if line.startswith("tag evidence")]
    assert evidence.split()[2:5] == ["n/a", "no", "variation:"]
    [second] = [line for line in lines if line.startswith("       2")]
    assert second.split()[:3] == ["2", "n/a", "1"]
    assert second.endswith("(one annotator only: ana)")
    [pair_line] = [line for line in lines if line.startswith("ana ")]
    assert pair_line.split()[3:6] == ["0.400", "0.800", "1"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tag", "nosuchtag"], "no tag named nosuchtag"),
        (["--document", "99"], "no document 99"),
        (
            ["--annotator", "carol"],
            "no highlights by carol in these documents (annotators: ana, bob)",
        ),
    ],
)
def test_refusals_are_one_line(project: Path, args: list[str], message: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "agreement", "--db", str(project), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith(f"claimmark: {message}")


def test_other_commands_do_not_load_numpy(project: Path) -> None:
    code = (
        "import sys\n"
        "from desktop.cli import main\n"
        f"main(['list', '--db', {str(project)!r}])\n"
        "print('numpy' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert out.stdout.splitlines()[-1] == "False"


def test_an_annotator_who_marked_a_document_done_counts_for_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """bob read document 2 and found nothing to mark: his done mark (as a merge of his export
    brings it) makes him count there, disagreeing with ana's highlight."""
    before = agreement_json(capsys, "--db", str(project))
    assert before["documents"]["2"]["annotators"] == ["ana"]
    store = SqliteStore.open(project)
    store.set_done("bob", 2, "2026-11-24T03:12:51.123Z")
    store.close()
    after = agreement_json(capsys, "--db", str(project))
    assert after["documents"]["2"]["annotators"] == ["ana", "bob"]
