"""schema.org ClaimReview (https://schema.org/ClaimReview) as JSON-LD: the markup fact-checkers
publish with a fact check, and search engines and Google's Fact Check Explorer read.

One ClaimReview per highlight with a verdict (a claim rated on the project's scale), in a JSON
array:

- `claimReviewed`: the claim's quote, on one line;
- `reviewRating`: a `Rating` with the verdict's place on the scale (`ratingValue`) between the
  scale's `worstRating` and `bestRating`, and its name as `alternateName` ("Mostly false");
- `itemReviewed`: the `Claim`, with `author` (the article's author as a Person, or else its
  outlet as an Organization), `datePublished` (the article's date) and `appearance` (the
  article: a CreativeWork with its `url` where it has one, else with its title);
- `author`: the fact-checker, an Organization with its `name` and `url` (the site of the fact
  checks); `url`: the address of the fact check, where `{id}` stands for the claim's id;
  `datePublished`: when the verdict was given (the highlight's last change).

Google's rules for this markup require `claimReviewed`, `reviewRating` with `alternateName`,
and `url`, and ask for the rest. A claim that would leave a required field empty is not written
half: the export is refused, with each such claim and what it lacks. What is only recommended
and unknown (an article without a date) is left out and said in the export's notes.

The fact-checker's name and the address of the fact checks are given once (`--publisher`,
`--review-url`, or asked in the window) and kept in the project's settings.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from desktop.core import jsonio
from desktop.core.errors import ClaimmarkError
from desktop.core.fileformat import ExportContext, FileFormat
from desktop.core.model import DocumentInfo, Highlight, Rating
from desktop.core.store import ProjectStore
from desktop.core.wording import counted

PUBLISHER_SETTING = "claimreview.publisher"
REVIEW_URL_SETTING = "claimreview.review_url"
ID_PLACEHOLDER = "{id}"
CONTEXT = "https://schema.org"
_SHOWN_PROBLEMS = 10


def review_url_problem(url: str) -> str | None:
    """Why `url` cannot be the address of the fact checks, or None."""
    parts = urllib.parse.urlsplit(url.replace(ID_PLACEHOLDER, "id"))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"“{url}” is not a web address (https://…)"
    if any(c.isspace() for c in url):
        return f"“{url}” holds white space, which a web address cannot"
    return None


def remember(store: ProjectStore, publisher: str | None, review_url: str | None) -> None:
    """Keep the fact-checker's name and the fact checks' address in the project (each when
    given), or ClaimmarkError saying what is wrong with them; nothing is kept then."""
    if publisher is not None and not publisher.strip():
        raise ClaimmarkError("The fact-checker's name (--publisher) is empty.")
    if review_url is not None:
        problem = review_url_problem(review_url.strip())
        if problem:
            raise ClaimmarkError(f"The address of the fact checks (--review-url): {problem}.")
    with store.batch():
        if publisher is not None:
            store.set_setting(PUBLISHER_SETTING, publisher.strip())
        if review_url is not None:
            store.set_setting(REVIEW_URL_SETTING, review_url.strip())


def fact_checker(store: ProjectStore, options: dict[str, str] | None = None) -> tuple[str, str]:
    """(publisher, review URL) from the export's options, else from the project; ClaimmarkError
    when either is missing."""
    options = options or {}
    publisher = options.get("publisher") or store.setting(PUBLISHER_SETTING) or ""
    review_url = options.get("review_url") or store.setting(REVIEW_URL_SETTING) or ""
    missing = [
        what
        for what, value in (
            ("the fact-checker's name (--publisher NAME)", publisher),
            ("the address of the fact checks (--review-url URL, where {id} stands for the "
             "claim's id)", review_url),
        )
        if not value.strip()
    ]  # fmt: skip
    if missing:
        raise ClaimmarkError(
            f"A ClaimReview export needs {' and '.join(missing)}; give them once and the "
            "project keeps them."
        )
    problem = review_url_problem(review_url)
    if problem:
        raise ClaimmarkError(f"The address of the fact checks: {problem}.")
    return publisher.strip(), review_url.strip()


def export_claimreview(context: ExportContext) -> list[dict[str, Any]]:
    """One ClaimReview per claim with a verdict, or ClaimmarkError naming each claim that would
    leave a field search engines require empty."""
    publisher, review_url = fact_checker(context.store, dict(context.options))
    parts = urllib.parse.urlsplit(review_url)
    site = f"{parts.scheme}://{parts.netloc}/"
    ratings = {r.id: r for r in context.ratings}
    values = [r.value for r in context.ratings]
    reviews: list[dict[str, Any]] = []
    problems: list[str] = []
    unknown: dict[str, int] = {}
    rated = [(h, ratings[h.rating_id]) for h in context.highlights() if h.rating_id is not None]
    for done, (h, rating) in enumerate(rated):
        context.progress.step(done, len(rated))
        document = context.all_documents[h.document_id]
        review, lacking = _review(h, rating, document, publisher, site, review_url)
        review["reviewRating"]["bestRating"] = max(values)
        review["reviewRating"]["worstRating"] = min(values)
        if lacking:
            problems.append(f"claim {h.uuid} (“{_short(h.quote)}” in “{document.title}”) "
                            f"lacks {' and '.join(lacking)}")  # fmt: skip
        for what in _unknown(document):
            unknown[what] = unknown.get(what, 0) + 1
        reviews.append(review)
    context.progress.step(len(rated), len(rated))
    if problems:
        more = len(problems) - _SHOWN_PROBLEMS
        raise ClaimmarkError(
            "ClaimReview: search engines require these fields, and they would be empty: "
            + "; ".join(problems[:_SHOWN_PROBLEMS])
            + (f"; and {more} more" if more > 0 else "")
            + ". Nothing was written."
        )
    if not rated:
        context.progress.note(
            "ClaimReview: no highlight has a verdict, so there is nothing to review "
            "(give a claim one with V in the window)."
        )
    for what, count in unknown.items():
        context.progress.note(
            f"ClaimReview: {counted(count, 'claim')} without {what}, which search engines "
            "recommend; fill it in the document's details to have it written."
        )
    return reviews


def _review(
    h: Highlight,
    rating: Rating,
    document: DocumentInfo,
    publisher: str,
    site: str,
    review_url: str,
) -> tuple[dict[str, Any], list[str]]:
    """One claim's ClaimReview, and what of the required fields it lacks."""
    claim: dict[str, Any] = {"@type": "Claim"}
    if document.author:
        claim["author"] = {"@type": "Person", "name": document.author}
    elif document.outlet:
        claim["author"] = {"@type": "Organization", "name": document.outlet}
    if document.published:
        claim["datePublished"] = document.published
    appearance: dict[str, str] = {"@type": "CreativeWork"}
    if document.url:
        appearance["url"] = document.url
    if document.title:
        appearance["headline"] = document.title
    if len(appearance) > 1:
        claim["appearance"] = appearance
    quote = " ".join(h.quote.split())
    lacking = [
        what for what, value in (("a quote", quote), ("a verdict", rating.name)) if not value
    ]
    review = {
        "@context": CONTEXT,
        "@type": "ClaimReview",
        "url": review_url.replace(ID_PLACEHOLDER, urllib.parse.quote(h.uuid, safe="")),
        "claimReviewed": quote,
        "itemReviewed": claim,
        "author": {"@type": "Organization", "name": publisher, "url": site},
        "datePublished": h.updated_at,
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": rating.value,
            "alternateName": rating.name,
        },
    }
    return review, lacking


def _unknown(document: DocumentInfo) -> list[str]:
    """What search engines recommend for a claim that the document does not say."""
    found = []
    if not (document.author or document.outlet):
        found.append("the article's author or outlet")
    if not document.published:
        found.append("the article's date")
    if not document.url:
        found.append("the article's web address")
    return found


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 60 else f"{text[:60]}…"


def _render(context: ExportContext) -> bytes:
    return jsonio.dumps_bytes(export_claimreview(context))


def looks_claimreview(data: Any) -> bool:
    """Whether decoded JSON is ClaimReview markup (one review, or a list of them)."""
    first = data[0] if isinstance(data, list) and data else data
    return isinstance(first, dict) and first.get("@type", first.get("type")) == "ClaimReview"


FORMAT = FileFormat(
    "claimreview",
    "ClaimReview (schema.org JSON-LD, for fact checks)",
    (".jsonld", ".json"),
    recognise=lambda probe: looks_claimreview(probe.json),
    refusal="a ClaimReview file (schema.org fact checks): claimmark writes these for "
    "publishing, but cannot import them (they hold no article texts or places); import the "
    "claimmark JSON export instead",
    render=_render,
)
