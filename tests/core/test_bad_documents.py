"""Documents that are not right: each is imported with its text exact, or refused with the
file's name and the reason, and nothing else in the project changes.

The project under test is the annotated seed project; a full claimmark export of it is compared
before and after every import.
"""

from __future__ import annotations

import codecs
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from desktop.core.textfile import MAX_DOCUMENT_BYTES

ONE_MB_LINE = "".join(f"word{n % 977} 🇺🇦 e\u0301 " for n in range(60_000))[:1_000_000]

# (file name, bytes, the text it must import as)
EXACT: list[tuple[str, bytes, str]] = [
    ("cp1252-quotes.txt", "The minister’s “plan” costs €2bn – critics say “no”…\n".encode("cp1252"),
     "The minister’s “plan” costs €2bn – critics say “no”…\n"),
    ("cp1252-french.txt", "Le ministre a déclaré : « Nous avons œuvré » – c’est fini.\n".encode(
        "cp1252"), "Le ministre a déclaré : « Nous avons œuvré » – c’est fini.\n"),
    ("cp1252-german.txt", "„Wir schaffen das“, sagte sie – und die Öffentlichkeit staunte.\n"
     .encode("cp1252"), "„Wir schaffen das“, sagte sie – und die Öffentlichkeit staunte.\n"),
    ("latin-1.txt", "Größere Straße für Ärzte, ¿dónde está el niño? Ça coûte 5 £.\n".encode(
        "latin-1"), "Größere Straße für Ärzte, ¿dónde está el niño? Ça coûte 5 £.\n"),
    ("utf8-bom.txt", codecs.BOM_UTF8 + "BOM then text 🇺🇦\r\n".encode(), "BOM then text 🇺🇦\n"),
    ("utf16le-bom.txt", codecs.BOM_UTF16_LE + "Little 👨\u200d👩\u200d👧 end\r\n".encode(
        "utf-16-le"), "Little 👨\u200d👩\u200d👧 end\n"),
    ("utf16be-bom.txt", codecs.BOM_UTF16_BE + "Big قال end\rx".encode("utf-16-be"),
     "Big قال end\nx"),
    ("utf32be-bom.txt", codecs.BOM_UTF32_BE + "Thirty-two e\u0301\n".encode("utf-32-be"),
     "Thirty-two e\u0301\n"),
    ("two-boms.txt", codecs.BOM_UTF8 * 2 + b"second BOM stays\n", "\ufeffsecond BOM stays\n"),
    ("mixed-endings.txt", b"a\r\nb\rc\nd\r\r\ne\n\r", "a\nb\nc\nd\n\ne\n\n"),
    ("lone-cr.txt", b"old Mac\rline ends\r", "old Mac\nline ends\n"),
    ("no-final-newline.txt", b"last line", "last line"),
    ("separators.txt", "a\u2028b\u2029c\x85d\x0ce\x0bf\n".encode(),
     "a\u2028b\u2029c\x85d\x0ce\x0bf\n"),
    ("rtl.txt", "قال الرئيس \u202eabc\u202c שלום\n".encode(), "قال الرئيس \u202eabc\u202c שלום\n"),
    ("markup.txt", b"<b>bold</b> **md** &amp; <qt>rich</qt>\n",
     "<b>bold</b> **md** &amp; <qt>rich</qt>\n"),
    ("one-mb-line.txt", ONE_MB_LINE.encode(), ONE_MB_LINE),
]  # fmt: skip

# (file name, how to make it, a word of the reason)
Maker = Callable[[Path], None]


def _bytes(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


def _sparse(size: int) -> Maker:
    def make(path: Path) -> None:
        with path.open("wb") as f:
            f.truncate(size)

    return make


REFUSED: list[tuple[str, Maker, str]] = [
    ("picture.png", _bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))), "NUL"),
    ("nul-at-the-end.txt", _bytes(b"text " * 20_000 + b"\x00"), "NUL bytes"),
    ("controls.txt", _bytes(b"ok\x1b[31m\x01\x02\x03\x04\x05\x06\x07\x08" * 20), "control char"),
    ("utf16-no-bom.txt", _bytes("No mark at all.\n".encode("utf-16-le")), "NUL bytes"),
    ("utf16-odd.txt", _bytes(codecs.BOM_UTF16_LE + b"a\x00b"), "byte order mark but is not"),
    (
        "utf8-bom-bad.txt",
        _bytes(codecs.BOM_UTF8 + b"\xff\xfe ok"),
        "byte order mark but has 2 bytes that are not UTF-8",
    ),
    ("empty.txt", _bytes(b""), "empty"),
    ("bom-only.txt", _bytes(codecs.BOM_UTF8), "no text"),
    ("blank.txt", _bytes(b" \r\n\t\r\n\r"), "no text"),
    ("over-the-limit.txt", _sparse(MAX_DOCUMENT_BYTES + 1), "too large (32.0 MB; the limit is 32"),
    ("huge.txt", _sparse(5 * 1024**3), "too large (5120.0 MB"),
]


def _snapshot(store: SqliteStore) -> dict[str, Any]:
    data = export_native(store)
    del data["exported_at"]
    return data


@pytest.mark.parametrize(("name", "data", "text"), EXACT, ids=[c[0] for c in EXACT])
def test_imported_with_the_text_exact(
    annotated: SqliteStore, tmp_path: Path, name: str, data: bytes, text: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    before = _snapshot(annotated)
    report = import_paths(annotated, [path])
    assert report.refused == []
    [doc] = report.documents_added
    assert annotated.document(doc.id).text == text
    assert doc.length == len(text)
    after = _snapshot(annotated)
    assert [d for d in after["documents"] if d["id"] != doc.id] == before["documents"]
    assert {k: v for k, v in after.items() if k != "documents"} == {
        k: v for k, v in before.items() if k != "documents"
    }


def test_the_one_mb_line_takes_highlights_at_its_far_end(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "line.txt"
    path.write_bytes(ONE_MB_LINE.encode())
    [doc] = import_paths(annotated, [path]).documents_added
    end = len(ONE_MB_LINE)
    h = annotated.add_highlight(doc.id, end - 9, end, 1)
    assert h.quote == ONE_MB_LINE[-9:]
    assert annotated.highlight(h.id).quote == ONE_MB_LINE[end - 9 : end]


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
    assert str(path) in str(refused)
    assert report.documents_added == []
    assert _snapshot(annotated) == before


def test_paths_that_are_not_files(annotated: SqliteStore, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "absent.txt"
    folder = tmp_path / "a-folder"
    folder.mkdir()
    (folder / "notes.md").write_text("not brat\n")
    before = _snapshot(annotated)
    report = import_paths(annotated, [missing, folder])
    reasons = {Path(r.path).name: r.reason for r in report.refused}
    assert reasons == {
        "absent.txt": "no such file",
        "a-folder": "a folder without brat documents (NAME.txt files, each with its NAME.ann)",
    }
    assert _snapshot(annotated) == before


def test_a_pipe_or_a_device_is_refused_without_reading_it(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    """Reading a named pipe would wait for a writer forever; /dev/zero would fill the memory."""
    pipes = [tmp_path / "pipe.txt", tmp_path / "pipe.json"]  # a document, an export
    for pipe in pipes:
        os.mkfifo(pipe)
    paths = [*pipes, Path("/dev/zero")]
    before = _snapshot(annotated)
    report = import_paths(annotated, paths)
    assert [(r.path, r.reason) for r in report.refused] == [
        (str(path), "not a regular file (a device, a pipe or a socket)") for path in paths
    ]
    assert _snapshot(annotated) == before


def _unreadable(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Take away read permission. Root reads anyway, so for root the read itself is made to fail
    the way it fails for a user (EACCES)."""
    path.chmod(0)
    if os.geteuid() == 0:
        real = Path.read_bytes

        def read_bytes(self: Path) -> bytes:
            if self == path:
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_a_file_without_read_permission(
    annotated: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret.txt"
    path.write_text("You may not read this.\n")
    _unreadable(path, monkeypatch)
    before = _snapshot(annotated)
    report = import_paths(annotated, [path])
    [refused] = report.refused
    assert str(refused) == f"{path}: cannot be read (permission denied)"
    assert _snapshot(annotated) == before
    path.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_the_command_line_names_each_refused_file_on_one_line(
    annotated: SqliteStore,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    paths = []
    for name, make, _reason in REFUSED:
        path = tmp_path / name
        make(path)
        paths.append(path)
    unreadable = tmp_path / "secret.txt"
    unreadable.write_text("You may not read this.\n")
    _unreadable(unreadable, monkeypatch)
    missing = tmp_path / "absent.txt"
    good = tmp_path / "good.txt"
    good.write_bytes("Fine – “quoted” text.\r\n".encode("cp1252"))
    paths += [unreadable, missing, good]
    db = Path(annotated.location)
    before = _snapshot(annotated)
    annotated.close()

    assert main(["import", "--db", str(db), *map(str, paths)]) == 1
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == len(paths) - 1
    for path, line in zip(paths[:-1], lines, strict=True):
        assert line.startswith(f"claimmark: refused {path}: ")
    assert "Traceback" not in err
    assert "added document" in out

    store = SqliteStore.open(db)
    after = _snapshot(store)
    [new] = [d for d in after["documents"] if d not in before["documents"]]
    assert new["text"] == "Fine – “quoted” text.\n"
    after["documents"].remove(new)
    assert after == before
    store.close()
