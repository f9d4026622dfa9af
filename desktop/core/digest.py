"""Splitting a digest (several articles in one file) into documents.

An article is a title line, sometimes a one-paragraph standfirst, then a byline such as
`By NAME | OUTLET | DATE`, `OUTLET | DATE` or `By NAME – OUTLET – DATE`. Each document's text is
the exact slice of the file from its title line to the next article's title line, so the
documents put together are the whole file. A file without a byline is one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

MAX_BYLINE_CHARS = 160
MAX_TITLE_CHARS = 300

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
DATE = re.compile(
    rf"(?:(?P<month>{_MONTH})\.?\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})"
    rf"|(?P<day2>\d{{1,2}})\s+(?P<month2>{_MONTH})\.?,?\s+(?P<year2>\d{{4}})"
    r"|(?P<day3>\d{1,2})\.(?P<month3>\d{1,2})\.(?P<year3>\d{4})"
    r"|(?P<year4>\d{4})-(?P<month4>\d{2})-(?P<day4>\d{2}))",
    re.IGNORECASE,
)
# A separator of a byline's fields: | – — anywhere, or a hyphen with white space on both sides.
# Each match is one character, so finding them all is one pass over the line.
_SEPARATOR = re.compile(r"[|–—]|(?<=\s)-(?=\s)")
_BY = re.compile(r"by\s", re.IGNORECASE)
_SENTENCE_END = tuple('.!?…:;"”’»)')


@dataclass(frozen=True, slots=True)
class Byline:
    author: str
    outlet: str
    published: str  # ISO date


@dataclass(frozen=True, slots=True)
class Article:
    """One article of a digest: where its text starts and ends in the file, and its metadata."""

    start: int
    end: int
    title: str
    author: str = ""
    outlet: str = ""
    published: str = ""


def parse_byline(line: str) -> Byline | None:
    """The author, outlet and ISO date of a byline, or None if `line` is not one."""
    line = line.strip()
    if len(line) > MAX_BYLINE_CHARS:
        return None
    fields = split_byline(line)
    if fields is None:
        return None
    author, outlet, date_text = fields
    m = DATE.fullmatch(date_text)
    published = _iso_date(m) if m else None
    if published is None:
        return None
    author = _soften_capitals(author)
    outlet = _soften_capitals(outlet)
    if not outlet or len(outlet.split()) > 8:
        return None
    return Byline(author, outlet, published)


def split_byline(line: str) -> tuple[str, str, str] | None:
    """`[By AUTHOR SEP] OUTLET SEP DATE` as (author, outlet, date text), or None.

    The date is what follows the last separator. With `By`, the author ends at the one |, – or
    — before it (or at the first separator when there is none: an outlet may hold ` - `);
    without, the outlet is everything before the date and holds no |, – or —. The work is one
    pass over the line, whatever it holds: a regular expression for the whole form (with a lazy
    field before an optional separator) backtracked for seconds on crafted lines.
    """
    separators: list[tuple[int, int, bool]] = []  # (start, end, hard) with its white space
    for match in _SEPARATOR.finditer(line):
        at = match.start()
        is_hard = match.group() != "-"
        start, end = (at, at + 1) if is_hard else (at - 1, at + 2)
        if separators and start < separators[-1][1]:
            continue  # " - - ": the second hyphen has no white space of its own before it
        separators.append((start, end, is_hard))
    if not separators:
        return None
    last_start, last_end, _ = separators[-1]
    date_text = line[last_end:].strip()
    if not DATE.fullmatch(date_text):
        return None
    inner = separators[:-1]
    hard = [n for n, (_, _, is_hard) in enumerate(inner) if is_hard]
    if _BY.match(line) and inner and len(hard) <= 1:
        author_end, outlet_start, _ = inner[hard[0] if hard else 0]
        if author_end > 3 and last_start > outlet_start:  # "by", a space, one character
            return line[3:author_end].strip(), line[outlet_start:last_start].strip(), date_text
    if hard or last_start == 0:
        return None
    return "", line[:last_start].strip(), date_text


def _iso_date(m: re.Match[str]) -> str | None:
    """The ISO date of a match of DATE, or None for a day that does not exist."""
    if m.group("year"):
        year, month, day = int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"])
    elif m.group("year2"):
        year, month, day = int(m["year2"]), _MONTHS[m["month2"].lower()], int(m["day2"])
    elif m.group("year3"):
        year, month, day = int(m["year3"]), int(m["month3"]), int(m["day3"])
    else:
        year, month, day = int(m["year4"]), int(m["month4"]), int(m["day4"])
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _soften_capitals(field: str) -> str:
    """`M. K. BHADRAKUMAR` -> `M. K. Bhadrakumar`; initials and acronyms (BBC, US) stay."""
    if not field.isupper() or len(field.split()) < 2:
        return field
    words = []
    for word in field.split(" "):
        letters = [c for c in word if c.isalpha()]
        acronym = len(letters) <= 2 or not any(c in "AEIOUY" for c in letters)
        words.append(word if acronym else word[:1] + word[1:].lower())
    return " ".join(words)


def _clean_title(line: str) -> str:
    title = line.strip().lstrip("#").strip()
    if len(title) > MAX_TITLE_CHARS:
        title = title[: MAX_TITLE_CHARS - 1].rstrip() + "…"
    return title


def _looks_like_title(line: str) -> bool:
    stripped = line.strip()
    return 0 < len(stripped) <= MAX_TITLE_CHARS and not stripped.endswith(".")


def _looks_like_standfirst(line: str) -> bool:
    stripped = line.strip()
    return len(stripped) > 0 and stripped.endswith(_SENTENCE_END)


def split_articles(text: str, fallback_title: str = "Untitled") -> list[Article]:
    """Cut `text` into articles. Their spans cover the whole text, in order, without gaps."""
    # Split on "\n" only: str.splitlines also breaks at U+2028, form feeds and others.
    lines: list[str] = re.findall(r"[^\n]*\n|[^\n]+", text)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    heads: list[tuple[int, Byline]] = []  # (title line index, byline)
    previous_byline = -1
    for i, line in enumerate(lines):
        byline = parse_byline(line)
        if byline is None:
            continue
        title = i - 1
        if (
            i - 2 > previous_byline
            and _looks_like_standfirst(lines[i - 1])
            and _looks_like_title(lines[i - 2])
            and len(lines[i - 2].strip()) < len(lines[i - 1].strip())
        ):
            title = i - 2
        if title <= previous_byline or not lines[title].strip():
            continue
        heads.append((title, byline))
        previous_byline = i

    if not heads:
        first = next((line for line in lines if line.strip()), "")
        return [Article(0, len(text), _clean_title(first) or fallback_title)]

    articles: list[Article] = []
    first_title = heads[0][0]
    preamble = text[: starts[first_title]]
    if preamble.strip():
        first = next(line for line in lines if line.strip())
        articles.append(Article(0, starts[first_title], _clean_title(first)))
    for n, (title_line, byline) in enumerate(heads):
        begin = 0 if n == 0 and not preamble.strip() else starts[title_line]
        end = starts[heads[n + 1][0]] if n + 1 < len(heads) else len(text)
        articles.append(
            Article(
                begin,
                end,
                _clean_title(lines[title_line]),
                byline.author,
                byline.outlet,
                byline.published,
            )
        )
    return articles
