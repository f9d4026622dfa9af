"""What the importers of web pages, PDFs and Word files share: tidying the text a library took
out of a file, reading the dates such files carry, and choosing a title.

The text of a document made from such a file is one paragraph (or, for a PDF, one printed line)
per line, as a plain-text import gives it: line breaks are `\\n`, control characters other
than tab are dropped, spaces at line ends are cut and runs of blank lines become one.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

# C0 and C1 controls but tab and line feed, and the non-characters PDF text layers use as
# markers: none of them is text a reader sees.
_INVISIBLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_TRAILING_SPACE = re.compile(r"[ \t\u00a0]+\n")
_BLANK_LINES = re.compile(r"\n{3,}")
# The typographic ligatures a text layer may hold instead of their letters (ﬁ → fi).
_LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
     "\ufb05": "st", "\ufb06": "st"}
)  # fmt: skip
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})(\d{2})")
MAX_TITLE_CHARS = 200
# Titles that name a file or a template rather than the document ("Microsoft Word - a.docx").
_NOT_A_TITLE = re.compile(
    r"^(untitled|document\d*|microsoft word - .*|.*\.(docx?|pdf|odt|rtf|indd|html?|txt))$", re.I
)


def tidy(text: str) -> str:
    """Extracted text as a document's text: `\\n` line ends, no control characters, no spaces
    at line ends, at most one blank line in a row, no blank lines at either end."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", text.translate(_LIGATURES))
    text = _TRAILING_SPACE.sub("\n", text + "\n")
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


def iso_date(value: object) -> str:
    """YYYY-MM-DD from a date, a datetime, an ISO 8601 string or a PDF date (D:20240328…);
    "" when there is none or it is not a real date."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    if not isinstance(value, str):
        return ""
    found = _ISO_DATE.search(value) or _PDF_DATE.match(value.strip())
    if found is None:
        return ""
    try:
        return date(*map(int, found.groups())).isoformat()
    except ValueError:
        return ""


def choose_title(candidates: list[str], text: str, path: str | Path) -> str:
    """The first of `candidates` that reads as a title, else the text's first line, else the
    file's name without its suffix."""
    for candidate in candidates:
        candidate = " ".join(candidate.split())
        if candidate and not _NOT_A_TITLE.match(candidate):
            return candidate[:MAX_TITLE_CHARS]
    first_line = next((line.strip() for line in text.split("\n") if line.strip()), "")
    return first_line[:MAX_TITLE_CHARS] or Path(str(path)).stem
