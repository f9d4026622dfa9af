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
