"""brat standoff export and import: offsets as brat reads them, fragments, tags, round trips."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path
from desktop.core.fileformat import ExportContext
from desktop.core.formats import brat
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument
from desktop.core.sqlite_store import SqliteStore
from tests.core.conftest import documents, highlights

T_LINE = re.compile(r"^(T\d+)\t(\S+) ((?:\d+ \d+;)*\d+ \d+)\t(.*)$")


def _export(store: SqliteStore, folder: Path) -> Path:
    folder.mkdir()
    for name, text in brat.iter_files(ExportContext(store)):
        (folder / name).write_text(text, encoding="utf-8", newline="")
    return folder


def _brat_text(path: Path) -> str:
    """The text as brat reads it: UTF-8, universal newlines, a Python str."""
    with path.open(encoding="utf-8") as f:
        return f.read()


def _t_lines(ann: Path) -> list[tuple[str, str, list[tuple[int, int]], str]]:
    found = []
    for line in ann.read_text(encoding="utf-8").split("\n"):
        if line.startswith("T"):
            m = T_LINE.match(line)
            assert m, line
            spans = [tuple(map(int, s.split())) for s in m.group(3).split(";")]
            found.append((m.group(1), m.group(2), spans, m.group(4)))
    return found  # type: ignore[return-value]


def test_the_folder_holds_each_document_and_the_tag_types(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    folder = _export(annotated, tmp_path / "brat")
    names = sorted(p.name for p in folder.iterdir())
    assert names[:2] == [
        "0001-ukraines-survival-hangs-in-the-balance.ann",
        "0001-ukraines-survival-hangs-in-the-balance.txt",
    ]
    assert len([n for n in names if n.endswith(".txt")]) == 9
    assert len([n for n in names if n.endswith(".ann")]) == 9
    assert {"annotation.conf", "visual.conf"} <= set(names)
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    assert conf.startswith(brat.MARKER)
    assert '# claimmark-tag needs_source "needs source"' in conf
    assert '# claimmark-tag needs_source-2 "needs_source"' in conf
    entities = conf.split("[entities]\n")[1].split("\n\n")[0].split("\n")
    assert entities == ["claim", "evidence", "opinion", "needs_source", "needs_source-2"]
    for section in ("[relations]", "[events]", "[attributes]"):
        assert section in conf  # brat warns about a missing section
    visual = (folder / "visual.conf").read_text(encoding="utf-8")
    assert "needs_source | needs source\n" in visual
    assert "needs_source-2 | needs_source\n" in visual
    assert "claim\tbgColor:#E69F00\n" in visual


def test_offsets_are_exact_as_brat_reads_the_text(annotated: SqliteStore, tmp_path: Path) -> None:
    folder = _export(annotated, tmp_path / "brat")
    spans_by_text: dict[str, set[tuple[int, int, str]]] = {}
    for h in highlights(annotated):
        spans_by_text.setdefault(h["quote"], set()).add((h["start"], h["end"], h["tag"]))
    texts = {d["text"] for d in documents(annotated)}
    checked = 0
    for txt in sorted(folder.glob("*.txt")):
        text = _brat_text(txt)
        assert text in texts  # exactly the document, read back as brat reads it
        ann = txt.with_suffix(".ann")
        raw = ann.read_text(encoding="utf-8")
        assert raw.splitlines() == raw.split("\n")[:-1]  # no line break of any kind in a line
        for _tid, _type, spans, written in _t_lines(ann):
            assert written == " ".join(text[s:e] for s, e in spans)
            for s, e in spans:
                assert not re.search(f"[{brat.LINE_BREAKS}]", text[s:e])
            start, end = spans[0][0], spans[-1][1]
            assert any((start, end) == (s, e) for s, e, _ in spans_by_text[text[start:end]])
            checked += 1
    assert checked == 24


def test_a_span_across_a_line_break_becomes_fragments(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    folder = _export(annotated, tmp_path / "brat")
    [ann] = folder.glob("*-kyiv-and-the-flag*.ann")
    lines = ann.read_text(encoding="utf-8").split("\n")
    text = _brat_text(ann.with_suffix(".txt"))
    start = text.index("families waited.")
    cafe = text.index("Cafe\u0301")
    body = [line.split("\t", 1)[1] for line in lines if line.startswith("T")]
    assert f"claim {start} {start + 16};{cafe} {cafe + 5}\tfamilies waited. Cafe\u0301" in body
    assert "claim 18 20\t🇺🇦" in body
    assert f"needs_source-2 {len(text) - 2} {len(text) - 1}\t😀" in body
    # A multi-line note is one AnnotatorNotes line per line of it, blank lines included.
    [overlap] = [line.split("\t")[0] for line in lines if "\topinion 9 " in line]
    notes = [line.split("\t") for line in lines if line.startswith("#")]
    assert [n[2] for n in notes if n[1] == f"AnnotatorNotes {overlap}"] == [
        "overlaps the flag",
        "",
        "and has a blank line",
    ]


def test_fragments_keep_the_span_ends_and_drop_white_space_at_breaks() -> None:
    text = "one two  \n\n  three\u2028four"
    assert brat.fragments(text, 0, len(text)) == [(0, 7), (13, 18), (19, 23)]
    assert brat.fragments(text, 4, 9) == [(4, 9)]  # no line break: the span as it is
    assert brat.fragments(text, 0, 11) == [(0, 9)]  # ends in line breaks: brat cannot hold them
    assert brat.fragments("\n\n", 0, 2) == []


def test_brat_types_are_brat_storage_forms_and_distinct() -> None:
    assert brat.brat_types(["claim", "needs source", "needs_source", "über/Ä", "SPAN_DEFAULT"]) == {
        "claim": "claim",
        "needs source": "needs_source",
        "needs_source": "needs_source-2",
        "über/Ä": "_ber__",
        "SPAN_DEFAULT": "SPAN_DEFAULT-2",
    }


def test_round_trip_brat_import_json(
    annotated: SqliteStore, same_documents: SqliteStore, tmp_path: Path
) -> None:
    """brat carries spans, tags and notes; ids, annotators and times are the importer's."""
    folder = _export(annotated, tmp_path / "brat")
    [(_, merge)] = import_paths(same_documents, [folder]).merges
    assert merge.skipped == []
    assert (merge.documents_matched, merge.highlights_added) == (9, 24)
    carried = ("document_id", "start", "end", "quote", "prefix", "suffix", "tag", "note")
    assert highlights(same_documents, *carried) == highlights(annotated, *carried)
    assert {h["annotator"] for h in highlights(same_documents)} == {"carol"}
    # Importing again, or into the project it came from, adds nothing.
    assert import_paths(same_documents, [folder]).merges[0][1].highlights_added == 0
    [(_, merge)] = import_paths(annotated, [folder]).merges
    assert (merge.highlights_added, merge.highlights_present) == (0, 24)


def test_brat_into_an_empty_project_brings_the_documents(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    folder = _export(annotated, tmp_path / "brat")
    empty = SqliteStore.open(tmp_path / "empty.claimmark")
    import_paths(empty, [folder])
    fields = ("id", "text", "sha256", "title", "author", "outlet", "published")
    assert [{k: d[k] for k in fields} for d in documents(empty)] == [
        {k: d[k] for k in fields} for d in documents(annotated)
    ]
    carried = ("document_id", "start", "end", "quote", "tag", "note")
    assert highlights(empty, *carried) == highlights(annotated, *carried)
    colours = {t.name: t.colour for t in empty.tags()}
    assert colours["needs source"] == "#0072B2"
    empty.close()


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_bytes(data)


def test_a_brat_folder_from_elsewhere(store: SqliteStore, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    # A BOM (character 0 for brat) and CRLF line ends (one character each for brat).
    text = "\ufeffAcme rose 5%.\r\nThe CEO 👩\u200d💼 said so.\r\nBlue sky.\r\n"
    _write(folder, "doc1.txt", text.encode("utf-8"))
    brat_text = text.replace("\r\n", "\n")
    i = brat_text.index("CEO")
    j = brat_text.index("said")
    k = brat_text.index("5%")
    _write(
        folder,
        "doc1.ann",
        (
            "T1\tOrganization 1 5\tAcme\n"
            f"T2\tPerson {i} {i + 3}\tCEO\n"
            # UTF-16 offsets from a narrow Python 2: one too many after the astral emoji
            f"T3\tEvent {j + 1} {j + 5}\tsaid\n"
            # across a line break, brat style
            f"T4\tClaim {k} {k + 3};{i - 4} {i + 3}\t5%. The CEO\n"
            # two parts with text between them: not one passage
            "T5\tOrganization 1 5;10 14\tAcme 5%.\n"
            "T6\tPerson 999 1003\tnope\n"
            "T7 Person 1 5 Acme\n"
            "R1\tWorksFor Arg1:T2 Arg2:T1\n"
            "E1\tEvent:T3\n"
            "A1\tNegated E1\n"
            "#1\tAnnotatorNotes T2\tthe boss\n"
            "#2\tAnnotatorNotes T9\tnobody\n"
        ).encode(),
    )
    _write(folder, "lonely.ann", b"T1\tX 0 1\tA\n")
    _write(folder, "latin.txt", "Caf\xe9".encode("latin-1"))
    _write(
        folder,
        "visual.conf",
        b"[labels]\nOrganization | Organisation | Org\n\n"
        b"[drawing]\nPerson\tfgColor:black, bgColor:#aabbcc\n",
    )
    (folder / "nested").mkdir()
    report = import_paths(store, [folder])
    assert report.refused == []
    [(_, merge)] = report.merges
    got = highlights(store, "start", "end", "quote", "tag", "note")
    doc = store.documents()[0]
    plain = store.document(doc.id).text
    assert plain == brat_text[1:]  # no BOM, \n line ends
    assert [(h["quote"], h["tag"], h["note"]) for h in got] == [
        ("Acme", "Organisation", ""),
        ("5%.\nThe CEO", "claim", ""),  # the project's own tag, whatever its case
        ("CEO", "Person", "the boss"),
        ("said", "Event", ""),
    ]
    for h in got:
        assert plain[h["start"] : h["end"]] == h["quote"]
    assert next(t for t in store.tags() if t.name == "Person").colour == "#AABBCC"
    reasons = "\n".join(merge.skipped)
    assert "doc1.ann, line 5 (T5): a discontinuous annotation with text between" in reasons
    assert "doc1.ann, line 6 (T6): its offsets are outside the text" in reasons
    assert "doc1.ann, line 7: not a brat annotation" in reasons
    assert "doc1.ann: 2 events, attributes" in reasons  # the relation R1 is a link
    assert "doc1.ann: a note on T9" in reasons
    assert "lonely.ann: there is no lonely.txt beside it" in reasons
    assert "latin.txt: not UTF-8" in reasons
    assert "nested/: a subfolder" in reasons
    assert len(merge.skipped) == 8
    [link] = store.links()
    kind = next(t for t in store.relation_types() if t.id == link.type_id)
    ends = store.highlight(link.from_id).quote, store.highlight(link.to_id).quote
    assert (kind.name, ends) == ("WorksFor", ("CEO", "Acme"))
    [(_, again)] = import_paths(store, [folder]).merges
    assert (again.highlights_added, again.highlights_present) == (0, 4)
    assert (again.links_added, again.links_present) == (0, 1)


def test_folders_that_are_not_brat_are_refused(store: SqliteStore, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = import_paths(store, [tmp_path / "empty"])
    assert "without brat documents" in report.refused[0].reason


def test_text_with_carriage_returns_is_not_exported_inexactly(store: SqliteStore) -> None:
    store.add_documents([NewDocument(text="one\r\ntwo\n", title="crlf", source="x.json")])
    with pytest.raises(ClaimmarkError, match="carriage returns"):
        list(brat.iter_files(ExportContext(store)))


def test_text_starting_with_a_byte_order_mark_is_not_exported_inexactly(
    store: SqliteStore, tmp_path: Path
) -> None:
    """brat's reader (and ours) takes a leading U+FEFF for a byte order mark, not text."""
    store.add_documents([NewDocument(text="\ufeffBOM, then text\n", title="bom", source="x")])
    with pytest.raises(ClaimmarkError, match="starts with U\\+FEFF"):
        list(brat.iter_files(ExportContext(store)))
    with pytest.raises(ClaimmarkError, match="starts with U\\+FEFF"):
        export_to_path(store, "brat", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


# What brat's validator says, and what brat cannot hold -------------------------------------


def _overlap_rules(conf: str) -> list[tuple[set[str], set[str], set[str]]]:
    """The <OVERLAP> rules of an annotation.conf: (Arg1 types, Arg2 types, overlap kinds), read
    the way brat's configuration reader reads a [relations] line."""
    rules = []
    section = ""
    for line in conf.split("\n"):
        stripped = line.strip()
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
        elif section == "relations" and stripped.startswith("<OVERLAP>"):
            args = dict(a.strip().split(":", 1) for a in stripped.split(None, 1)[1].split(","))
            rules.append(
                (
                    set(args["Arg1"].split("|")),
                    set(args["Arg2"].split("|")),
                    set(args["<OVL-TYPE>"].split("|")),
                )
            )
    return rules


def _allowed(rules: list[tuple[set[str], set[str], set[str]]], kind: str, a: str, b: str) -> bool:
    def fits(types: set[str], t: str) -> bool:
        return bool(types & {t, "<ANY>", "<ENTITY>"})

    return any(
        (fits(r1, x) and fits(r2, y)) and (kind in kinds or "<ANY>" in kinds)
        for r1, r2, kinds in rules
        for x, y in ((a, b), (b, a))
    )


def test_overlapping_highlights_pass_brats_validator(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    """brat's validator (verify_annotations.py) reports every pair of overlapping text-bound
    annotations that annotation.conf does not allow by an <OVERLAP> rule."""
    folder = _export(annotated, tmp_path / "brat")
    rules = _overlap_rules((folder / "annotation.conf").read_text(encoding="utf-8"))
    pairs = 0
    for ann in folder.glob("*.ann"):
        spans = [(t, frags[0][0], frags[-1][1]) for _, t, frags, _ in _t_lines(ann)]
        for i, (t1, s1, e1) in enumerate(spans):
            for t2, s2, e2 in spans[i + 1 :]:
                if s2 < e1 and e2 > s1:
                    pairs += 1
                    kind = (
                        "equal"
                        if (s1, e1) == (s2, e2)
                        else "contain"
                        if (s1 <= s2 and e2 <= e1) or (s2 <= s1 and e1 <= e2)
                        else "cross"
                    )
                    assert _allowed(rules, kind, t1, t2), (ann.name, t1, t2, kind)
    assert pairs > 0


def test_what_brat_cannot_hold_is_said(store: SqliteStore, tmp_path: Path) -> None:
    """A highlight ending on a line break loses only the break; one of nothing but line breaks
    cannot be written at all. Neither goes without a word."""
    from desktop.core.model import Highlight

    text = "First line.\n\nSecond line, with a claim.\n"
    [doc] = store.add_documents([NewDocument(text=text, title="First line.", source="f.txt")])
    ends_on_break = text.index("Second")
    made = [
        (ends_on_break, len(text), "ends on a break"),
        (11, 13, "only breaks"),
        (0, 11, "plain"),
    ]
    store.insert_highlights(
        [
            Highlight(
                0,
                f"uuid-{n}",
                doc.id,
                s,
                e,
                1,
                text[s:e],
                "",
                "",
                note,
                "ana",
                *["2024-01-01T00:00:00.000Z"] * 2,
            )
            for n, (s, e, note) in enumerate(made)
        ],
        keep_ids=False,
    )
    result = export_to_path(store, "brat", tmp_path / "brat")
    said = "\n".join(result.notes)
    assert "1 highlight ends or starts with line breaks" in said
    assert "1 highlight holds nothing but line breaks" in said
    assert "0001-first-line.ann, at 11-13" in said
    assert "0001-first-line.ann" in said
    [ann] = (tmp_path / "brat").glob("*.ann")
    assert [(spans, quote) for _, _, spans, quote in _t_lines(ann)] == [
        ([(0, 11)], "First line."),
        ([(ends_on_break, len(text) - 1)], "Second line, with a claim."),
    ]


def test_the_command_line_says_what_brat_cannot_hold(store: SqliteStore, tmp_path: Path) -> None:
    from desktop.cli import main

    text = "Only a line.\n\nAnd another.\n"
    [doc] = store.add_documents([NewDocument(text=text, title="Only a line.", source="o.txt")])
    store.add_highlight(doc.id, 12, 14, 1)  # the blank line between them
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(
            ["export", "--db", store.location, "--format", "brat", "-o", str(tmp_path / "b")]
        )
    assert code == 0
    assert "nothing but line breaks" in err.getvalue()


def test_a_folder_without_annotations_on_known_documents_is_no_refusal(
    store: SqliteStore, tmp_path: Path
) -> None:
    """Nothing to place is not the same as nothing placed: its documents are all there."""
    folder = tmp_path / "brat"
    folder.mkdir()
    (folder / "a.txt").write_text("A text.\n", encoding="utf-8")
    (folder / "a.ann").write_text("R1\tSupports Arg1:T1 Arg2:T2\n", encoding="utf-8")
    assert import_paths(store, [folder]).refused == []
    again = import_paths(store, [folder])
    assert again.refused == []
    [(_, merge)] = again.merges
    assert (merge.documents_matched, merge.highlights_added) == (1, 0)
    assert "a.ann (R1): a relation to T1, which is not a text annotation here" in merge.skipped
