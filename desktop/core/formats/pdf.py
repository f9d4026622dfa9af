"""PDF documents: the text layer, page by page, read with pypdfium2 (Google's PDFium).

Each page's text is taken in PDFium's reading order; where the page broke a word with a hyphen
of its own at a line end, PDFium marks that hyphen, and the word is put back together (a hyphen
that belongs to the word, as in "well-trained", stays). A line repeated at the top or the
bottom of most pages (a running header, "Page 3") is left out. The document keeps where each
page starts (`page_starts`), so a highlight can say which page it is on.

Refused, with the reason: a PDF that needs a password to open, one cut short or damaged, and
one without a text layer (a scan: its pages are pictures of text, which claimmark cannot read).

pypdfium2 is imported when a PDF is read, so that the window and the command line start without
it. (pypdf was measured too; see the README's Documents section.)
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from desktop.core.errors import InputRefused
from desktop.core.extracted_text import choose_title, iso_date, tidy
from desktop.core.fileformat import FileFormat, Probe
from desktop.core.model import NewDocument

MAGIC = b"%PDF-"
_HEADER_WINDOW = 1024  # readers accept a PDF whose header is anywhere in its first kilobyte
# A PDF bigger than this is a book of scans; the text of the largest real report is far less.
MAX_PDF_BYTES = 256 * 1024 * 1024
# A PDF ends with %%EOF in its last kilobyte (a little more is allowed for junk after it).
_END_MARK = b"%%EOF"
_END_WINDOW = 2048
# A line at the top or bottom of at least this share of the pages (and of 2 or more) runs
# through the document: a running header or footer.
_RUNNING_SHARE = 0.6
_DIGITS = re.compile(r"\d+")


def _refuse_unless_whole(path: Path) -> None:
    """Refuse what is too large, not a PDF at all, or cut short, before PDFium sees it (it
    repairs what it can, and would import half a file without a word)."""
    try:
        size = path.stat().st_size
        if size > MAX_PDF_BYTES:
            raise InputRefused(
                path,
                f"too large ({size / 1048576:.1f} MB; the limit for a PDF is "
                f"{MAX_PDF_BYTES // 1048576} MB)",
            )
        with path.open("rb") as f:
            head = f.read(_HEADER_WINDOW)
            f.seek(max(0, size - _END_WINDOW))
            tail = f.read()
    except PermissionError:
        raise InputRefused(path, "cannot be read (permission denied)") from None
    except OSError as e:
        raise InputRefused(path, f"cannot be read ({e.strerror})") from None
    if MAGIC not in head:
        raise InputRefused(path, "not a PDF (it does not start as a PDF does)")
    if _END_MARK not in tail:
        raise InputRefused(
            path, "the PDF is cut short (it does not end as a PDF ends): an unfinished download?"
        )


def _page_texts(path: Path) -> tuple[list[str], dict[str, str]]:
    """The text of each page (tidied), and the document information (title, author...)."""
    import pypdfium2 as pdfium  # here, not at the top: see the module's docstring
    import pypdfium2.raw as pdfium_c

    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise InputRefused(
                path,
                "the PDF is encrypted: it needs a password to open (open it in a PDF reader with "
                "the password and save a copy without one)",
            ) from None
        if getattr(e, "err_code", None) == pdfium_c.FPDF_ERR_SECURITY:
            raise InputRefused(path, "the PDF is encrypted in a way that cannot be read") from None
        raise InputRefused(path, "not a PDF that can be read: the file is damaged") from None
    try:
        texts = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            # PDFium marks a hyphen it found at a line end, where the page broke a word, with
            # U+FFFE and no line break: dropping the mark joins the word again (tidy does).
            texts.append(tidy(textpage.get_text_range()))
            textpage.close()
            page.close()
        info = {k: v for k, v in pdf.get_metadata_dict(skip_empty=True).items() if v}
    finally:
        pdf.close()
    return texts, info


def _without_running_lines(pages: list[str]) -> list[str]:
    """The pages without the header or footer line that most of them share (digits apart)."""
    if len(pages) < 2:
        return pages
    lines = [page.split("\n") if page else [] for page in pages]
    needed = max(2, round(_RUNNING_SHARE * len(pages)))
    for end in (0, -1):
        keys = [_DIGITS.sub("#", ls[end].strip()) if ls else None for ls in lines]
        counts = Counter(k for k in keys if k)
        for n, key in enumerate(keys):
            if key and counts[key] >= needed:
                del lines[n][end]
    return ["\n".join(ls).strip("\n") for ls in lines]


def document_from_pdf(path: Path) -> NewDocument:
    """The text layer of a PDF as one document with its page map, or InputRefused."""
    _refuse_unless_whole(path)
    pages, info = _page_texts(path)
    pages = _without_running_lines(pages)
    starts: list[int] = []
    parts: list[str] = []
    offset = 0
    for page in pages:
        starts.append(offset)
        if page:
            parts.append(page + "\n")
            offset += len(page) + 1
    text = "".join(parts)
    if not text.strip():
        raise InputRefused(
            path,
            "the PDF has no text layer (a scan, or pictures of text): claimmark reads a PDF's "
            "text, not its images; run it through text recognition (OCR) first",
        )
    return NewDocument(
        text=text,
        title=choose_title([info.get("Title", "")], text, path),
        source=path.name,
        author=" ".join(info.get("Author", "").split()),
        published=iso_date(info.get("CreationDate", "")),
        page_starts=tuple(starts),
    )


def _read(probe: Probe) -> list[NewDocument]:
    return [document_from_pdf(probe.path)]


FORMAT = FileFormat(
    "pdf",
    "PDF documents",
    (".pdf",),
    recognise=lambda probe: (
        not probe.is_folder and (probe.suffix == ".pdf" or probe.head.startswith(MAGIC))
    ),
    read=_read,
)
