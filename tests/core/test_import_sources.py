"""Real sources: saved web pages, PDFs, Word and OpenDocument files. Each imports as one
document with its metadata (and a PDF with its page map), or is refused with the file's name
and the reason, and nothing else in the project changes."""

from __future__ import annotations

import random
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.bench import news_page
from desktop.cli import main
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import REPO

SOURCES = REPO / "tests" / "sources"


def _snapshot(store: SqliteStore) -> dict[str, Any]:
    data = export_native(store)
    del data["exported_at"]
    return data


def _import_one(store: SqliteStore, path: Path) -> Any:
    report = import_paths(store, [path])
    assert report.refused == []
    [info] = report.documents_added
    return info


# Web pages ----------------------------------------------------------------------------------


def test_a_saved_news_page_gives_its_article_and_metadata(store: SqliteStore, tmp_path: Path):
    page, paragraphs = news_page(7, random.Random(7))
    path = tmp_path / "story.html"
    path.write_text(page, encoding="utf-8")
    info = _import_one(store, path)
    text = store.text(info.id)
    lines = text.split("\n")
    assert lines[0] == info.title
    assert info.title.endswith("(7)")
    assert lines[1:-1] == paragraphs  # one paragraph a line, nothing of the page around it
    assert text.endswith("\n")
    for boilerplate in ("Advertisement", "Related stories", "Comments", "All rights", "Search"):
        assert boilerplate not in text
    assert (info.author, info.published) == (
        news_page_author(page),
        "2024-08-08",
    )
    assert info.outlet in page
    assert info.outlet
    assert info.url == "https://news.example/story-7"  # the canonical address
    assert (info.source, info.page_starts) == ("story.html", ())


def test_each_page_gives_its_article_and_nothing_around_it() -> None:
    """Pages with short and long articles, under menus and over teasers of other stories."""
    from desktop.core.formats.webpage import document_from_html

    rng = random.Random(11)
    for number in range(16):
        page, paragraphs = news_page(number, rng)
        document = document_from_html(page.encode(), f"{number}.html")
        assert document.text.split("\n")[1:-1] == paragraphs, number


def news_page_author(page: str) -> str:
    return page.split('<meta name="author" content="')[1].split('"')[0]


BARE_ARTICLE = """<html><head><title>Council votes on the budget</title>{meta}</head><body>
<article><h1>Council votes on the budget</h1>
<p>The city council voted on Tuesday to cut the library budget by a fifth, a decision that
critics called “short-sighted” and that the mayor defended as unavoidable.</p>
<p>Officials said the savings, about €2 million a year, would go to road repairs, which residents
ranked first in last year’s survey of the city’s priorities.</p></article></body></html>"""


def test_a_page_saved_by_a_browser_keeps_the_address_it_came_from(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "council.htm"
    address = "https://city.example/news/council-budget?ref=home"
    page = f"<!-- saved from url=({len(address):04d}){address} -->\n" + BARE_ARTICLE.format(meta="")
    path.write_text(page, encoding="utf-8")
    info = _import_one(store, path)
    assert info.url == address
    assert info.title == "Council votes on the budget"
    assert "“short-sighted”" in store.text(info.id)


def test_a_page_in_a_legacy_encoding_says_so_and_is_read_in_it(
    store: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "legacy.html"
    page = BARE_ARTICLE.format(
        meta='<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">'
    )
    path.write_bytes(page.encode("cp1252"))
    info = _import_one(store, path)
    text = store.text(info.id)
    assert "“short-sighted”" in text
    assert "€2 million" in text
    assert "year’s" in text


# PDF ----------------------------------------------------------------------------------------


def make_pdf(
    path: Path,
    pages: list[list[str]],
    *,
    title: str = "",
    author: str = "",
    header: str = "",
    encrypt: Any = None,
) -> None:
    """A PDF with these lines of text on its pages, a running header and "Page N" footers."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4, invariant=True, encrypt=encrypt)
    pdf.setTitle(title)
    pdf.setAuthor(author)
    for number, lines in enumerate(pages, 1):
        if header:
            pdf.drawString(72, 800, header)
        y = 760
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 16
        pdf.drawString(72, 40, f"Page {number}")
        pdf.showPage()
    pdf.save()


PAGES = [
    ["Budget cuts hit the libraries", "The council voted to cut the budget by a fifth."],
    ["Critics called the decision short-sighted.", "The mayor said it could not be avoided."],
    [],  # a blank page
    ["Residents ranked roads first in the survey."],
]


def test_a_pdf_keeps_its_pages_and_document_information(store: SqliteStore, tmp_path: Path):
    path = tmp_path / "budget.pdf"
    make_pdf(path, PAGES, title="Library budget", author="Ana  Fischer", header="City News")
    info = _import_one(store, path)
    text = store.text(info.id)
    assert text == "".join(
        "\n".join(lines) + "\n" for lines in PAGES if lines
    )  # without the running header and the page numbers
    assert (info.title, info.author, info.published) == (
        "Library budget",
        "Ana Fischer",
        "2000-01-01",
    )
    first = text.index("Critics")
    assert info.page_starts == (0, first, text.index("Residents"), text.index("Residents"))
    assert info.page_of(first - 1) == 1
    assert info.page_of(first) == 2
    assert info.page_of(len(text) - 1) == 4
    assert info.pages_of(first - 5, first + 5) == "pages 1–2"


def test_a_pdf_without_a_title_is_named_by_its_first_line(store: SqliteStore, tmp_path: Path):
    path = tmp_path / "report.pdf"
    make_pdf(path, PAGES[:1], title="Microsoft Word - draft3.docx")
    assert _import_one(store, path).title == "Budget cuts hit the libraries"


def test_a_pdf_named_otherwise_is_known_by_its_first_bytes(store: SqliteStore, tmp_path: Path):
    path = tmp_path / "download.txt"
    make_pdf(path, PAGES[:1], title="Library budget")
    assert _import_one(store, path).title == "Library budget"


def test_a_two_column_pdf_from_a_word_processor(store: SqliteStore) -> None:
    """LibreOffice's PDF of two-columns.fodt: two columns, words broken by hyphenation, a
    running header and page numbers."""
    info = _import_one(store, SOURCES / "two-columns.pdf")
    text = store.text(info.id)
    assert (info.title, info.author) == ("Official figures and the fine print", "Ana Fischer")
    assert text.startswith("Official figures and\nthe fine print\n")
    # Words the page broke at a line end are whole again; hyphens of the words themselves stay.
    for word in ("propagated", "intended", "dim-witted", "well-trained", "interrogation"):
        assert word in text
    assert "\ufffe" not in text
    assert "The Weekly Review — Official" not in text
    assert "Page 1" not in text
    # The columns are read one after the other, and the second page follows the first.
    assert (
        text.index("That is to say")
        < text.index("Second, a storyline")
        < text.index("Significantly, on March 26")
    )
    [_, second] = info.page_starts
    assert text[second:].startswith("with such accusations by Russia.")


def test_a_pdf_that_needs_no_password_to_open_is_read(store: SqliteStore, tmp_path: Path):
    """Encrypted only against changes (an owner password): every reader opens it."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    path = tmp_path / "locked-for-editing.pdf"
    make_pdf(path, PAGES[:2], title="T", encrypt=StandardEncryption("", ownerPassword="owner"))
    assert store.text(_import_one(store, path).id).startswith("Budget cuts hit the libraries\n")


# Word and OpenDocument ------------------------------------------------------------------------


def make_docx(path: Path) -> None:
    import docx

    document = docx.Document()
    properties = document.core_properties
    properties.title, properties.author = "Minutes of the council", "Chen Yu"
    properties.created = datetime(2024, 3, 28, 9, 30, tzinfo=UTC)
    document.add_heading("Minutes", level=1)
    document.add_paragraph("The council met at 9:30.  Present: ")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    for r, row in enumerate((("Item", "Vote", "Result"), ("Library budget", "5–4", "cut"))):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    document.add_paragraph("The mayor closed the meeting.")
    document.save(str(path))


def test_a_word_document(store: SqliteStore, tmp_path: Path) -> None:
    path = tmp_path / "minutes.docx"
    make_docx(path)
    info = _import_one(store, path)
    assert store.text(info.id) == (
        "Minutes\nThe council met at 9:30.  Present:\nItem\tVote\tResult\n"
        "Library budget\t5–4\tcut\nThe mayor closed the meeting.\n"
    )
    assert (info.title, info.author, info.published) == (
        "Minutes of the council",
        "Chen Yu",
        "2024-03-28",
    )


def test_an_opendocument_text(store: SqliteStore, tmp_path: Path) -> None:
    from odf import dc, meta, text
    from odf.opendocument import OpenDocumentText

    document = OpenDocumentText()
    document.meta.addElement(dc.Title(text="Minutes of the council"))
    document.meta.addElement(meta.InitialCreator(text="Chen Yu"))
    document.meta.addElement(meta.CreationDate(text="2024-03-28T09:30:00"))
    document.text.addElement(text.H(outlinelevel=1, text="Minutes"))
    paragraph = text.P(text="The council met at 9:30.")
    note = text.Note(id="n1", noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    body = text.NoteBody()
    body.addElement(text.P(text="In the town hall."))
    note.addElement(body)
    paragraph.addElement(note)
    document.text.addElement(paragraph)
    document.text.addElement(text.P(text=""))
    document.text.addElement(text.P(text="The mayor closed the meeting."))
    path = tmp_path / "minutes.odt"
    document.save(str(path))
    info = _import_one(store, path)
    assert store.text(info.id) == (
        "Minutes\nThe council met at 9:30.\nThe mayor closed the meeting.\n"
    )
    assert (info.title, info.author, info.published) == (
        "Minutes of the council",
        "Chen Yu",
        "2024-03-28",
    )


# Refused -------------------------------------------------------------------------------------

Maker = Callable[[Path], None]


def _truncated_pdf(path: Path) -> None:
    make_pdf(path, PAGES, title="T")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 2 // 3])


def _password_pdf(path: Path) -> None:
    from reportlab.lib.pdfencrypt import StandardEncryption

    make_pdf(path, PAGES, title="T", encrypt=StandardEncryption("secret", ownerPassword="o"))


def _scanned_pdf(path: Path) -> None:
    """Pages that are pictures of text: what a scanner makes."""
    from PIL import Image, ImageDraw
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), invariant=True)
    for n in range(2):
        picture = Image.new("L", (600, 800), 255)
        ImageDraw.Draw(picture).text((40, 40 + n), "Budget cuts hit the libraries", fill=0)
        pdf.drawImage(ImageReader(picture), 0, 0, 595, 842)
        pdf.showPage()
    pdf.save()


def _zip_of(members: dict[str, str]) -> Maker:
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, data in members.items():
                archive.writestr(name, data)

    return make


def _bytes(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


NO_ARTICLE = b"""<html><head><title>Sign in</title></head><body><nav><a href="/">Home</a>
<a href="/news">News</a></nav><form><input name="user"><button>Sign in</button></form>
<div class="cookies">We use cookies. Accept all to continue.</div><footer>\xc2\xa9 2024</footer>
</body></html>"""

REFUSED: list[tuple[str, Maker, str]] = [
    ("cut-short.pdf", _truncated_pdf, "the PDF is cut short"),
    ("password.pdf", _password_pdf, "encrypted: it needs a password"),
    ("scan.pdf", _scanned_pdf, "no text layer (a scan"),
    ("not-really.pdf", _bytes(b"<html>an error page saved as a PDF</html>\n"), "not a PDF"),
    ("damaged.pdf", _bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"), "damaged"),
    ("sign-in.html", _bytes(NO_ARTICLE), "no article found in the page"),
    ("empty.html", _bytes(b" \n"), "the file is empty"),
    ("photos.docx", _zip_of({"a.jpg": "JFIF", "b.jpg": "JFIF"}), "without a Word document"),
    ("old-word.docx", _bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500)), "not a Word"),
    (
        "broken.docx",
        _zip_of({"[Content_Types].xml": "<Types", "word/document.xml": "<w:document"}),
        "a damaged Word document",
    ),
    ("photos.odt", _zip_of({"a.jpg": "JFIF"}), "without a document in it"),
    ("broken.odt", _zip_of({"content.xml": "<office:document", "meta.xml": "<"}), "damaged"),
]


@pytest.mark.parametrize(("name", "make", "reason"), REFUSED, ids=[c[0] for c in REFUSED])
def test_refused_with_the_name_and_reason(
    annotated: SqliteStore, tmp_path: Path, name: str, make: Maker, reason: str
) -> None:
    path = tmp_path / name
    make(path)
    before = _snapshot(annotated)
    report = import_paths(annotated, [path])
    [refused] = report.refused
    assert refused.path == str(path)
    assert reason in refused.reason
    assert report.documents_added == []
    assert _snapshot(annotated) == before


def test_the_command_line_imports_sources_and_names_each_refusal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "minutes.docx"
    make_docx(good)
    page = tmp_path / "story.html"
    page.write_text(news_page(1, random.Random(1))[0], encoding="utf-8")
    bad = [tmp_path / name for name, *_ in REFUSED[:3]]
    for (_, make, _), path in zip(REFUSED, bad, strict=False):
        make(path)
    db = tmp_path / "p.claimmark"
    assert main(["import", "--db", str(db), str(good), *map(str, bad), str(page)]) == 1
    out, err = capsys.readouterr()
    assert out.count("added document") == 2
    assert [line.split(": ")[1] for line in err.splitlines()] == [f"refused {p}" for p in bad]
    assert "Traceback" not in err


def test_nothing_heavy_is_loaded_until_a_source_is_read() -> None:
    """The command line and the window start without the extractors (trafilatura alone takes
    about half a second to import), nor the network modules."""
    import subprocess
    import sys

    probe = (
        "import sys, desktop.cli, desktop.core.importing, desktop.ui.main_window\n"
        "heavy = ('trafilatura', 'pypdfium2', 'docx', 'odf', 'lxml', 'ssl', 'http')\n"
        "print([m for m in sys.modules if m.split('.')[0] in heavy])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
