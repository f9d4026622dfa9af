"""ClaimReview: one schema.org ClaimReview per claim with a verdict, the fields search engines
require never empty, and the fact-checker given once and kept in the project."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path, render_bytes
from desktop.core.formats import claimreview
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO

OPTIONS = {"publisher": "Fact Desk", "review_url": "https://factdesk.example/checks/{id}"}


def test_one_review_per_claim_with_a_verdict(linked: SqliteStore) -> None:
    notes: list[str] = []
    reviews = json.loads(render_bytes(linked, "claimreview", notes=notes, options=OPTIONS))
    rated = [h for h in linked.highlights() if h.rating_id is not None]
    assert len(reviews) == len(rated) == 3
    web = next(r for r in reviews if r["itemReviewed"].get("appearance", {}).get("url"))
    claim = next(h for h in rated if h.quote.startswith("The harbour"))
    assert web == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factdesk.example/checks/{claim.uuid}",
        "claimReviewed": "The harbour will reopen in May, the mayor said.",
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "Dee Okafor"},
            "datePublished": "2024-05-02",
            "appearance": {
                "@type": "CreativeWork",
                "url": "https://news.example/harbour",
                "headline": "Harbour to reopen",
            },
        },
        "author": {
            "@type": "Organization",
            "name": "Fact Desk",
            "url": "https://factdesk.example/",
        },
        "datePublished": claim.updated_at,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": 3,
            "alternateName": "Mostly false",
            "bestRating": 6,
            "worstRating": 1,
        },
    }
    seed = next(r for r in reviews if r["reviewRating"]["alternateName"] == "True")
    # The seed article has an author, an outlet and a date, but no web address.
    assert seed["itemReviewed"]["author"] == {"@type": "Person", "name": "M. K. Bhadrakumar"}
    assert "url" not in seed["itemReviewed"]["appearance"]
    flag = next(r for r in reviews if r["claimReviewed"] == "🇺🇦")
    assert "datePublished" not in flag["itemReviewed"]  # the emoji sample has no date
    said = "\n".join(notes)
    assert "ClaimReview: 1 claim without the article's author or outlet" in said
    assert "2 claims without the article's web address" in said
    for review in reviews:  # nothing required is ever empty
        assert review["claimReviewed"]
        assert review["url"]
        assert review["reviewRating"]["alternateName"]


def test_a_claim_lacking_what_search_engines_require_is_refused(
    linked: SqliteStore, tmp_path: Path
) -> None:
    [doc] = linked.add_documents([NewDocument(text="Bad\n \u2003 \nend\n", title="W", source="w")])
    blank = linked.add_highlight(doc.id, 4, 7, 1)
    linked.set_rating(blank.id, linked.ratings()[0].id)
    target = tmp_path / "reviews.jsonld"
    with pytest.raises(ClaimmarkError) as refused:
        export_to_path(linked, "claimreview", target, options=OPTIONS)
    message = str(refused.value)
    assert f"claim {blank.uuid}" in message
    assert "in “W”) lacks a quote" in message
    assert "Nothing was written" in message
    assert not target.exists()


def test_without_a_fact_checker_the_export_says_what_to_give(linked: SqliteStore) -> None:
    with pytest.raises(ClaimmarkError, match=r"--publisher NAME\) and the address"):
        render_bytes(linked, "claimreview")
    with pytest.raises(ClaimmarkError, match="not a web address"):
        render_bytes(linked, "claimreview", options={**OPTIONS, "review_url": "factdesk/{id}"})


def test_the_command_line_remembers_the_fact_checker(
    linked: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = linked.location
    linked.close()
    assert main(["export", "--db", db, "--format", "claimreview"]) == 1
    assert "needs the fact-checker's name" in capsys.readouterr().err
    first = tmp_path / "first.jsonld"
    args = ["export", "--db", db, "--format", "claimreview"]
    given = ["--publisher", "Fact Desk", "--review-url", "https://factdesk.example/c/{id}"]
    assert main([*args, *given, "-o", str(first)]) == 0
    assert main(args) == 0  # remembered
    again = capsys.readouterr().out
    assert json.loads(again) == json.loads(first.read_text(encoding="utf-8"))
    store = SqliteStore.open(db)
    assert store.setting(claimreview.PUBLISHER_SETTING) == "Fact Desk"
    assert store.setting(claimreview.REVIEW_URL_SETTING) == "https://factdesk.example/c/{id}"
    store.close()
    assert main([*args, "--review-url", "not an address"]) == 1
    assert "not a web address" in capsys.readouterr().err
    assert main(["export", "--db", db, "--publisher", "X"]) == 1
    assert "go with --format claimreview" in capsys.readouterr().err


def test_claimreview_from_a_process(linked: SqliteStore, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonld"
    result = subprocess.run(
        [sys.executable, "-m", "desktop", "export", "--db", linked.location, "--format",
         "claimreview", "--publisher", "Fact Desk", "--review-url",
         "https://factdesk.example/{id}", "-o", str(out)],
        cwd=REPO, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 3
