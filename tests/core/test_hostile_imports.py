"""Hostile imports: claimmark JSON, W3C JSON-LD and brat folders made to break the reader.

Each is refused with the file's name and a reason, or, where the format's rules say so (W3C
annotations, brat lines), the bad item is skipped and named in the report. Either way nothing of
a refused file reaches the project, and nothing crashes: every test compares a full export of the
project before and after.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop.cli import main
from desktop.core.fileformat import MAX_ANNOTATION_FILE_BYTES, ExportContext
from desktop.core.formats import native, w3c
from desktop.core.importing import ImportReport, import_paths
from desktop.core.model import NewDocument, sha256_text
from desktop.core.sqlite_store import SqliteStore
from desktop.core.textfile import MAX_DOCUMENT_BYTES

TEXT = "Alpha beta gamma 🇺🇦 delta.\nThe mayor said “no” – twice.\n"
HUGE = 10**100


@pytest.fixture
def source(tmp_path: Path) -> SqliteStore:
    s = SqliteStore.open(tmp_path / "source.claimmark")
    [d] = s.add_documents([NewDocument(text=TEXT, title="Alpha", source="a.txt")])
    s.add_highlight(d.id, 0, 5, 1, note="first")
    s.add_highlight(d.id, 17, 19, 2)
    return s


@pytest.fixture
def target(tmp_path: Path) -> SqliteStore:
    """A project with the same document and a highlight of its own."""
    s = SqliteStore.open(tmp_path / "target.claimmark")
    s.annotator = "carol"
    [d] = s.add_documents([NewDocument(text=TEXT, title="Alpha", source="a.txt")])
    s.add_highlight(d.id, 6, 10, 3, note="mine")
    return s


def snapshot(store: SqliteStore) -> dict[str, Any]:
    data = native.export_native(store)
    del data["exported_at"]
    return data


def import_one(store: SqliteStore, path: Path) -> ImportReport:
    before = snapshot(store)
    report = import_paths(store, [path])
    if report.refused:
        [refused] = report.refused
        assert refused.path == str(path)
        assert refused.reason
        assert snapshot(store) == before
    return report


# claimmark JSON -------------------------------------------------------------------------------


def _h(data: dict[str, Any]) -> dict[str, Any]:
    return data["highlights"][0]  # type: ignore[no-any-return]


JSON_CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str]] = [
    ("start is a string", lambda d: _h(d).update(start="0"), 'is not of type "integer"'),
    ("start is a float", lambda d: _h(d).update(start=0.0, end=5.0), "must be an integer"),
    ("end is 1e308", lambda d: _h(d).update(end=1e308), "too large"),
    ("end is 10**100", lambda d: _h(d).update(end=HUGE), "too large"),
    ("start after end", lambda d: _h(d).update(start=5, end=2), "outside its document"),
    ("offset past the text", lambda d: _h(d).update(end=len(TEXT) + 1), "outside"),
    ("negative start", lambda d: _h(d).update(start=-1), "less than the minimum of 0"),
    ("quote not at offsets", lambda d: _h(d).update(quote="Omega"), "does not match"),
    ("document id is a float", lambda d: d["documents"][0].update(id=1.0), "must be an integer"),
    ("source offset 10**100", lambda d: d["documents"][0].update(source_offset=HUGE), "too large"),
    ("document id 10**100", lambda d: d["documents"][0].update(id=HUGE), "too large"),
    ("highlights is a string", lambda d: d.update(highlights="all of them"), 'not of type "array"'),
    ("a highlight is a string", lambda d: d["highlights"].append("x"), 'not of type "object"'),
    ("documents is an object", lambda d: d.update(documents={}), 'not of type "array"'),
    ("a tag is a number", lambda d: d["tags"].append(3), 'not of type "object"'),
    ("note is an object", lambda d: _h(d).update(note={"a": 1}), 'not of type "string"'),
    ("duplicate highlight ids", lambda d: d["highlights"].append(_h(d)), "appears twice"),
    (
        "duplicate document ids",
        lambda d: d["documents"].append(dict(d["documents"][0], text="x", sha256=sha256_text("x"))),
        "appears twice",
    ),
    ("text does not match sha256", lambda d: d["documents"][0].update(text="x"), "sha256"),
    ("unknown tag", lambda d: _h(d).update(tag="nonsense"), "not in the file's tags"),
    ("format version 10**100", lambda d: d.update(version=HUGE), "Update claimmark"),
    ("tag name with spaces", lambda d: _retag(d, " spaced "), "cannot start or end with a space"),
    ("a list around it", lambda d: [d], "not a claimmark export or W3C"),
    ("just a string", lambda d: "claimmark", "not a claimmark export or W3C"),
]


def _retag(data: dict[str, Any], name: str) -> None:
    data["tags"].append({"name": name, "colour": "#000000", "key": ""})
    _h(data)["tag"] = name


@pytest.mark.parametrize(("how", "mutate", "message"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_hostile_claimmark_json_is_refused(
    source: SqliteStore,
    target: SqliteStore,
    tmp_path: Path,
    how: str,
    mutate: Callable[[dict[str, Any]], Any],
    message: str,
) -> None:
    data = native.export_native(source)
    changed = mutate(data)
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(data if changed is None else changed), encoding="utf-8")
    report = import_one(target, path)
    assert len(report.refused) == 1, how
    assert message in report.refused[0].reason


RAW_CASES: list[tuple[str, bytes, str]] = [
    ("a 5000-digit number", b'{"format": "claimmark", "version": ' + b"9" * 5000 + b"}", "number"),
    ("NaN", b'{"format": "claimmark", "version": NaN}', "not valid JSON (line 1, column 36"),
    ("Infinity", b'[{"type": "Annotation", "total": -Infinity}]', "not valid JSON (line 1"),
    ("nested 100000 deep", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ("objects nested 5000 deep", b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
    ("UTF-16", '{"format": "claimmark"}'.encode("utf-16"), "not UTF-8"),
    ("Latin-1", '{"format": "claimmark", "x": "café"}'.encode("latin-1"), "not UTF-8"),
    ("NUL bytes", b'{"format": "claim\x00mark"}', "not valid JSON"),
    ("truncated", b'{"format": "claimmark", "documents": [', "not valid JSON"),
    ("empty", b"", "not valid JSON"),
    ("a lone surrogate", b'{"format": "claimmark", "x": "\\udc00"}', "surrogate"),
]


@pytest.mark.parametrize(("how", "raw", "message"), RAW_CASES, ids=[c[0] for c in RAW_CASES])
def test_json_that_is_not_json_is_refused(
    target: SqliteStore, tmp_path: Path, how: str, raw: bytes, message: str
) -> None:
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    report = import_one(target, path)
    assert len(report.refused) == 1, how
    assert message in report.refused[0].reason


@pytest.mark.parametrize("where", ["text", "note", "tag", "quote"])
def test_lone_surrogates_anywhere_are_refused(
    source: SqliteStore, target: SqliteStore, tmp_path: Path, where: str
) -> None:
    """JSON can spell half a UTF-16 pair (\\ud800), which no text file or SQLite can hold."""
    data = native.export_native(source)
    if where == "text":
        data["documents"][0]["text"] += "\ud800"
    elif where == "note":
        _h(data)["note"] = "\udfff"
    elif where == "tag":
        _retag(data, "bad\ud83d")
    else:
        _h(data)["quote"] = "\ud83d"
    path = tmp_path / "surrogate.json"
    path.write_text(json.dumps(data), encoding="utf-8")  # ensure_ascii spells them \udXXX
    report = import_one(target, path)
    [refused] = report.refused
    assert "surrogate" in refused.reason


def test_a_file_over_the_limit_is_refused_by_its_size_unread(
    target: SqliteStore, tmp_path: Path
) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:  # sparse: nothing to parse, and parsing it would fail
        f.write(b"{")
        f.truncate(MAX_ANNOTATION_FILE_BYTES + 1024 * 1024)
    started = time.perf_counter()
    report = import_one(target, path)
    assert time.perf_counter() - started < 1
    [refused] = report.refused
    assert "too large (129.0 MB; the limit is 128 MB)" in refused.reason


def test_a_100_megabyte_file_of_nothing_is_refused(target: SqliteStore, tmp_path: Path) -> None:
    """Under the size limit (our own exports of 150,000 highlights are this big), so it is read,
    and refused at its first byte."""
    path = tmp_path / "empty-100mb.json"
    with path.open("wb") as f:
        f.truncate(100 * 1024 * 1024)
    started = time.perf_counter()
    report = import_one(target, path)
    assert time.perf_counter() - started < 5
    [refused] = report.refused
    assert "not valid JSON (line 1, column 1" in refused.reason


def test_cli_refuses_a_hostile_file_in_one_line(
    target: SqliteStore, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "deep.json"
    path.write_bytes(b'{"format": "claimmark", "version": ' + b"9" * 5000 + b"}")
    before = snapshot(target)
    target.close()
    assert main(["import", "--db", str(tmp_path / "target.claimmark"), str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith(f"claimmark: refused {path}: not valid JSON")
    reopened = SqliteStore.open(tmp_path / "target.claimmark")
    assert snapshot(reopened) == before
    reopened.close()


# W3C ------------------------------------------------------------------------------------------


def _item(data: dict[str, Any]) -> dict[str, Any]:
    return data["first"]["items"][0]  # type: ignore[no-any-return]


def _position(data: dict[str, Any]) -> dict[str, Any]:
    return _item(data)["target"]["selector"][1]  # type: ignore[no-any-return]


# (how, mutation, what the report says, highlights added). An annotation that cannot become a
# highlight is skipped by name and the file's other one still comes in; one that is still readable
# comes in at its exact place; a file whose structure is wrong is refused.
W3C_CASES: list[tuple[str, Callable[[dict[str, Any]], Any], str, int]] = [
    ("created in year 1", lambda d: _item(d).update(created="0001-01-01T00:00:00+01:00"), "", 2),
    ("modified in 9999", lambda d: _item(d).update(modified="9999-12-31T23:59:59-01:00"), "", 2),
    ("created is a number", lambda d: _item(d).update(created=1e308), "", 2),
    ("created is nonsense", lambda d: _item(d).update(created="2024-13-45T99:00:00Z"), "", 2),
    ("start 10**100", lambda d: _position(d).update(start=HUGE, end=HUGE + 5), "", 2),
    ("start is a float", lambda d: _position(d).update(start=0.5), "", 2),
    ("start is a string", lambda d: _position(d).update(start="0"), "", 2),
    ("start is true", lambda d: _position(d).update(start=True), "", 2),
    ("creator is a list of junk", lambda d: _item(d).update(creator=[1, {"name": 2}]), "", 2),
    ("id is a number", lambda d: _item(d).update(id=5), "", 2),
    ("target is a string", lambda d: _item(d).update(target="urn:x"), "targets a whole", 1),
    ("target is a number", lambda d: _item(d).update(target=5), "targets a whole", 1),
    ("two targets", lambda d: _item(d).update(target=[{}, {}]), "has 2 targets", 1),
    ("source is an object", lambda d: _item(d)["target"].update(source={"id": 4}), "no source", 1),
    ("selector is a string", lambda d: _item(d)["target"].update(selector="x"), "no TextQuo", 1),
    ("exact is a number", lambda d: _item(d)["target"]["selector"][0].update(exact=1), "no Te", 1),
    ("body is a number", lambda d: _item(d).update(body=7), "has no tag", 1),
    ("tag is white space", lambda d: _item(d)["body"][0].update(value=" \u2028"), "has no tag", 1),
    ("duplicate ids", lambda d: d["first"]["items"].append(_item(d)), "appears twice", 2),
    (
        "quote elsewhere",
        lambda d: _item(d)["target"]["selector"][0].update(exact="Zeta"),
        "its quote is not in the document",
        1,
    ),
    (
        "a huge quote",
        lambda d: _item(d)["target"]["selector"][0].update(exact="A" * 10**6),
        "its quote is not in the document",
        1,
    ),
    (
        "unknown document",
        lambda d: _item(d)["target"].update(source="urn:sha256:00"),
        "its document is not in this project",
        1,
    ),
    ("items is an object", lambda d: d["first"].update(items={}), "refused: items are not a", 0),
    ("first is a list", lambda d: d.update(first=[]), "refused: the collection's annotations", 0),
    ("an item is a string", lambda d: d["first"]["items"].append("x"), "refused: items are", 0),
    ("a list of numbers", lambda d: [_item(d), 1, 2], "refused: a list of non-objects", 0),
    (
        "unknown type",
        lambda d: _item(d).update(type="Thing") or d["first"]["items"],
        "refused: not a claimmark export or W3C",
        0,
    ),
]


@pytest.mark.parametrize(
    ("how", "mutate", "expect", "added"), W3C_CASES, ids=[c[0] for c in W3C_CASES]
)
def test_hostile_w3c(
    source: SqliteStore,
    target: SqliteStore,
    tmp_path: Path,
    how: str,
    mutate: Callable[[dict[str, Any]], Any],
    expect: str,
    added: int,
) -> None:
    data = w3c.export_w3c(ExportContext(source))
    changed = mutate(data)
    path = tmp_path / "hostile.jsonld"
    path.write_text(json.dumps(data if changed is None else changed), encoding="utf-8")
    before = snapshot(target)
    report = import_one(target, path)
    if expect.startswith("refused: "):
        [refused] = report.refused
        assert expect.removeprefix("refused: ") in refused.reason
        return
    assert report.refused == [], how
    [(_, merge)] = report.merges
    after = snapshot(target)
    assert [h for h in before["highlights"] if h not in after["highlights"]] == []
    new = [h for h in after["highlights"] if h not in before["highlights"]]
    assert len(new) == added, how
    for h in after["highlights"]:
        assert TEXT[h["start"] : h["end"]] == h["quote"]
        assert h["created_at"].endswith("Z")
    if expect:
        assert any(expect in s for s in merge.skipped), merge.skipped
    else:
        assert merge.skipped == []


# brat -----------------------------------------------------------------------------------------

BRAT_TEXT = "Alpha beta gamma.\nSecond line here.\n"

# (how, .ann text, what the report names as skipped)
BRAT_CASES: list[tuple[str, bytes, str]] = [
    ("offset 10**100", b"T1\tX 0 " + str(HUGE).encode() + b"\tAlpha\n", "outside the text"),
    ("a 5000-digit offset", b"T1\tX 0 " + b"9" * 5000 + b"\tAlpha\n", "not a brat text"),
    ("negative offset", b"T1\tX -3 5\tAlpha\n", "outside the text"),
    ("float offset", b"T1\tX 0.0 5\tAlpha\n", "not a brat text"),
    ("offsets reversed", b"T1\tX 5 0\tAlpha\n", "outside the text"),
    ("no offsets", b"T1\tX\tAlpha\n", "not a brat text"),
    ("type is white space", "T1\t\u2028 0 5\tAlpha\n".encode(), "not a brat text"),
    ("quote elsewhere", b"T1\tX 0 5\tOmega\n", "its quote is not in the document"),
    ("100000 fragments", b"T1\tX " + b";".join([b"0 1"] * 100_000) + b"\tA\n", "does not match"),
    ("duplicate T ids", b"T99\tX 0 5\tAlpha\n", "T99 appears twice"),
    ("an empty span", b"T1\tX 3 3\t\n", "an empty span"),
    ("not UTF-8", b"T1\tX 0 5\t\xffAlpha\n", "not UTF-8"),
    ("NUL in the quote", b"T1\tX 0 5\tAl\x00ha\n", "its quote is not in the document"),
    ("no tab", b"T1 X 0 5 Alpha\n", "not a brat annotation"),
    ("a note on nothing", b"#1\tAnnotatorNotes T9\tx\n", "a note on T9"),
]


def _brat_folder(folder: Path, ann: bytes, conf: str | None = None) -> Path:
    folder.mkdir()
    (folder / "doc.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (folder / "doc.ann").write_bytes(b"T99\tGood 6 10\tbeta\n" + ann)
    if conf is not None:
        (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    return folder


@pytest.mark.parametrize(("how", "ann", "expect"), BRAT_CASES, ids=[c[0] for c in BRAT_CASES])
def test_hostile_brat_lines_are_skipped_by_name(
    store: SqliteStore, tmp_path: Path, how: str, ann: bytes, expect: str
) -> None:
    folder = _brat_folder(tmp_path / "brat", ann)
    report = import_one(store, folder)
    assert report.refused == [], how
    [(_, merge)] = report.merges
    assert any(expect in s for s in merge.skipped), merge.skipped
    # The bad line is left out; the folder's document and its good line still come in.
    [doc] = store.documents()
    assert store.document(doc.id).text == BRAT_TEXT
    if expect == "not UTF-8":  # a whole .ann that cannot be read is left out
        assert store.highlights() == []
    else:
        assert [(h.quote, store.tag(h.tag_id).name) for h in store.highlights()] == [
            ("beta", "Good")
        ]


@pytest.mark.parametrize(
    ("how", "conf"),
    [
        ("a lone surrogate", '# claimmark-tag Good "\\ud800"\n'),
        ("not a string", "# claimmark-tag Good [1, 2]\n"),
        ("white space", '# claimmark-tag Good " "\n'),
        ("broken JSON", '# claimmark-tag Good "open\n'),
    ],
)
def test_hostile_tag_names_in_annotation_conf_are_ignored(
    store: SqliteStore, tmp_path: Path, how: str, conf: str
) -> None:
    folder = _brat_folder(tmp_path / "brat", b"", conf)
    report = import_one(store, folder)
    assert report.refused == [], how
    assert [store.tag(h.tag_id).name for h in store.highlights()] == ["Good"]


def test_hostile_brat_files(store: SqliteStore, tmp_path: Path) -> None:
    """Files of a brat folder that cannot be read are named and skipped; the rest imports."""
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "good.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (folder / "good.ann").write_text("T1\tX 0 5\tAlpha\n", encoding="utf-8")
    (folder / "utf16.txt").write_bytes("Hello there.\n".encode("utf-16"))
    (folder / "empty.txt").write_bytes(b"")
    with (folder / "huge.txt").open("wb") as f:  # sparse: 100 MB that is never read
        f.truncate(100 * 1024 * 1024)
    (folder / "other.txt").write_text("Another text.\n", encoding="utf-8")
    with (folder / "other.ann").open("wb") as f:
        f.truncate(MAX_DOCUMENT_BYTES + 1)
    (folder / "orphan.ann").write_text("T1\tX 0 1\tA\n", encoding="utf-8")
    (folder / "sub").mkdir()
    started = time.perf_counter()
    report = import_one(store, folder)
    assert time.perf_counter() - started < 2
    assert report.refused == []
    [(_, merge)] = report.merges
    reasons = "\n".join(merge.skipped)
    assert "utf16.txt: not UTF-8" in reasons
    assert "empty.txt: holds no text" in reasons
    assert "huge.txt: too large (100.0 MB" in reasons
    assert "other.ann: too large" in reasons
    assert "orphan.ann: there is no orphan.txt" in reasons
    assert "sub/: a subfolder" in reasons
    assert sorted(store.document(d.id).text for d in store.documents()) == [
        BRAT_TEXT,
        "Another text.\n",
    ]
    assert [h.quote for h in store.highlights()] == ["Alpha"]


def test_a_brat_folder_that_cannot_be_listed_is_refused(
    store: SqliteStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Simulated (root can list any folder): the folder is refused with the reason."""
    folder = _brat_folder(tmp_path / "brat", b"")
    real_iterdir = Path.iterdir

    def iterdir(self: Path) -> Any:
        if self == folder:
            raise PermissionError(13, "Permission denied")
        return real_iterdir(self)

    monkeypatch.setattr(Path, "iterdir", iterdir)
    report = import_one(store, folder)
    [refused] = report.refused
    assert refused.reason == "cannot be read (Permission denied)"
    assert store.documents() == []


def test_brat_configuration_files_that_are_pipes_or_huge_are_not_read(
    store: SqliteStore, tmp_path: Path
) -> None:
    """Opening a pipe waits for a writer forever; a sparse file of 1 GB would be read whole."""
    import os

    from tests.core.test_digest import must_finish_within

    folder = _brat_folder(tmp_path / "brat", b"")
    os.mkfifo(folder / "annotation.conf")
    with (folder / "visual.conf").open("wb") as f:
        f.truncate(1024 * 1024 * 1024)
    with must_finish_within(20):
        report = import_one(store, folder)
    assert report.refused == []
    assert [store.tag(h.tag_id).name for h in store.highlights()] == ["Good"]
