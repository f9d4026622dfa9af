"""Reading documents: encodings, line endings, refusals naming the file and the reason."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from desktop.core import textfile
from desktop.core.errors import InputRefused
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import SAMPLES

TEXT = "Café “quoted” 🇺🇦 naïve\nsecond line\n"


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le"),
    ],
    ids=["utf8", "utf8-bom", "utf16le-bom", "utf16be-bom", "utf32le-bom"],
)
def test_unicode_encodings(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "doc.txt"
    path.write_bytes(data)
    assert textfile.read_text_file(path)[0] == TEXT


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_legacy_western_encodings(tmp_path: Path, encoding: str) -> None:
    text = "Café naïve résumé: the mayor said the budget was balanced.\n"
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode(encoding))
    assert textfile.read_text_file(path)[0] == text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a\r\nb\r\n", "a\nb\n"), ("a\rb\r", "a\nb\n"), ("a\r\n\rb\n", "a\n\nb\n")],
)
def test_line_endings_become_newlines(tmp_path: Path, raw: str, expected: str) -> None:
    path = tmp_path / "nl.txt"
    path.write_bytes(raw.encode())
    assert textfile.read_text_file(path)[0] == expected


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"  \n\t\n", "no text"),
        (b"abc\x00def", "NUL"),
        (b"\x01\x02\x03\x04\x05\x06\x07\x08" * 20, "binary"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfd", "byte order mark"),
    ],
)
def test_refusals_name_the_file_and_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(InputRefused, match=reason) as info:
        textfile.read_text_file(path)
    assert str(path) in str(info.value)


def test_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * 2048)
    with pytest.raises(InputRefused, match="too large"):
        textfile.read_text_file(path, limit=1024)


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(InputRefused, match="no such file"):
        textfile.read_text_file(tmp_path / "absent.txt")
    with pytest.raises(InputRefused, match="folder"):
        textfile.read_text_file(tmp_path)


EXPECTED_SAMPLES = {
    "crlf.txt": (SAMPLES / "crlf.txt").read_bytes().decode().replace("\r\n", "\n"),
    "emoji-and-marks.txt": (SAMPLES / "emoji-and-marks.txt").read_text(encoding="utf-8"),
    "latin1.txt": (SAMPLES / "latin1.txt").read_bytes().decode("latin-1"),
    "looks-like-html.txt": (SAMPLES / "looks-like-html.txt").read_text(encoding="utf-8"),
    "utf16-bom.txt": (SAMPLES / "utf16-bom.txt").read_bytes()[2:].decode("utf-16-le"),
    "README.md": (SAMPLES / "README.md").read_text(encoding="utf-8"),
}
REFUSED_SAMPLES = {"binary.png": "binary", "empty.txt": "empty"}


def test_every_shared_sample_is_imported_exactly_or_refused_by_name(store: SqliteStore) -> None:
    files = sorted(SAMPLES.iterdir())
    assert {f.name for f in files} == set(EXPECTED_SAMPLES) | set(REFUSED_SAMPLES)
    report = import_paths(store, files)
    stored = {d.source: store.document(d.id).text for d in store.documents()}
    assert stored == EXPECTED_SAMPLES
    refused = {Path(r.path).name: r.reason for r in report.refused}
    assert set(refused) == set(REFUSED_SAMPLES)
    for name, word in REFUSED_SAMPLES.items():
        assert word in refused[name]
    assert stored["latin1.txt"].startswith("Café naïve résumé")


# Text that is nearly all UTF-8 ----------------------------------------------------------------

ARTICLE = (
    "Minister rejects the claim\n"
    "By Ana Lima | The Daily | 2024-03-28\n"
    "“We will act,” the minister said, “and we will act soon.”\n"
    "Critics called it “a promise we have heard before”.\n"
)


def test_one_stray_byte_in_utf8_is_refused_by_line_and_column(
    tmp_path: Path, store: SqliteStore
) -> None:
    """A cp1252 apostrophe pasted into a UTF-8 article: the article is not read as Mac Roman
    (“We will act” became ‚ÄúWe will act‚Äù), and the byte is named where it is."""
    data = ARTICLE.encode("utf-8").replace(b"minister said", b"minister\x92s aide said")
    path = tmp_path / "article.txt"
    path.write_bytes(data)
    with pytest.raises(InputRefused, match="line 3, column 28") as info:
        textfile.read_text_file(path)
    reason = info.value.reason
    assert "UTF-8" in reason
    assert "0x92" in reason
    assert "1 byte" in reason
    report = import_paths(store, [path])
    assert [Path(r.path).name for r in report.refused] == ["article.txt"]
    assert store.documents() == []


def test_several_stray_bytes_are_listed(tmp_path: Path) -> None:
    lines = ARTICLE.encode("utf-8").split(b"\n")
    lines[0] += b"\xa0"
    lines[2] = b"\x85" + lines[2] + b"\x96\x97"
    path = tmp_path / "article.txt"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(InputRefused) as info:
        textfile.read_text_file(path)
    reason = info.value.reason
    assert "4 bytes that are not UTF-8" in reason
    assert "0xA0 at line 1, column 27" in reason
    assert "0x85 at line 3, column 1" in reason
    assert "and 1 more" in reason


def test_a_utf8_file_with_a_byte_order_mark_names_its_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(codecs.BOM_UTF8 + "Ça va.\n".encode() + b"Non\xff.\n")
    with pytest.raises(InputRefused, match="0xFF at line 2, column 4"):
        textfile.read_text_file(path)


@pytest.mark.parametrize(
    "text",
    [
        "He said it’s “done”, and left.\n",  # only Windows-1252 punctuation, no UTF-8 at all
        "The mayor’s plan\n" + "Plain ASCII text follows. " * 400 + "\n",
    ],
)
def test_legacy_text_without_utf8_in_it_is_still_detected(tmp_path: Path, text: str) -> None:
    path = tmp_path / "legacy.txt"
    path.write_bytes(text.encode("cp1252"))
    assert textfile.read_text_file(path) == (text, "cp1252")


def test_a_legacy_guess_that_makes_control_characters_is_not_taken(tmp_path: Path) -> None:
    """Latin-1 reads Windows-1252 punctuation as C1 control characters: never plausible."""
    text = "Le “projet” — dit‑il — est prêt… ou presque.\n" * 3
    path = tmp_path / "quotes.txt"
    path.write_bytes(text.encode("cp1252", "replace"))
    decoded, _ = textfile.read_text_file(path)
    assert not any("\x80" <= c <= "\x9f" for c in decoded)
