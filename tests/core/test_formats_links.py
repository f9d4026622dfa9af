"""Links and verdicts in every format that can carry them, each read back: W3C (linking
annotations, assessing bodies), brat (R lines, [relations] as brat's reader and validator take
them), doccano (the relation extraction layout) and CSV (columns a spreadsheet user follows)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest

from desktop.core.exporting import export_to_path, render_bytes
from desktop.core.fileformat import ExportContext
from desktop.core.formats import w3c
from desktop.core.formats.doccano import export_jsonl
from desktop.core.formats.table import export_csv
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import SEED_DIGEST
from tests.core.conftest import EMOJI
from tests.core.test_formats_w3c import ANNOTATION_MUSTS, failures


def _links(store: SqliteStore) -> set[tuple[str, str, str, str]]:
    """Each link as (from quote, to quote, type, note)."""
    types = {t.id: t.name for t in store.relation_types()}
    quotes = {h.id: h.quote for h in store.highlights()}
    return {(quotes[k.from_id], quotes[k.to_id], types[k.type_id], k.note) for k in store.links()}


def _verdicts(store: SqliteStore) -> set[tuple[str, str]]:
    names = {r.id: r.name for r in store.ratings()}
    return {(h.quote, names[h.rating_id]) for h in store.highlights() if h.rating_id is not None}


def _fresh(tmp_path: Path, name: str = "fresh") -> SqliteStore:
    """A project with the same documents as `linked`, but no highlights."""
    store = SqliteStore.open(tmp_path / f"{name}.claimmark")
    import_paths(store, [SEED_DIGEST, EMOJI])
    return store


# W3C -------------------------------------------------------------------------------------


def test_w3c_links_and_verdicts_pass_the_musts_and_come_back(
    linked: SqliteStore, tmp_path: Path
) -> None:
    data = w3c.export_w3c(ExportContext(linked))
    items = data["first"]["items"]
    linking = [a for a in items if a["motivation"] == "linking"]
    assert len(linking) == 3
    for anno in items:
        assert failures(anno, ANNOTATION_MUSTS) == [], anno["id"]
    uuids = {h.id: h.uuid for h in linked.highlights()}
    link = next(k for k in linked.links() if k.note)
    anno = next(a for a in linking if a["id"] == f"urn:uuid:{link.uuid}")
    assert anno["target"] == [f"urn:uuid:{uuids[link.from_id]}", f"urn:uuid:{uuids[link.to_id]}"]
    assert anno["body"][0] == {
        "type": "TextualBody",
        "purpose": "classifying",
        "value": "supports",
        "format": "text/plain",
    }
    flag = next(a for a in items if a.get("target", {}) and _exact(a) == "🇺🇦")
    assert {"type": "TextualBody", "purpose": "assessing", "value": "Mostly false",
            "format": "text/plain"} in flag["body"]  # fmt: skip
    web = next(a for a in items if _exact(a) == "The harbour will reopen in May, the mayor said.")
    assert web["target"]["source"]["id"] == "https://news.example/harbour"
    assert web["target"]["source"]["dcterms:identifier"].startswith("urn:sha256:")

    path = tmp_path / "w3c.jsonld"
    path.write_text(json.dumps(data), encoding="utf-8")
    other = _fresh(tmp_path)
    # The web document is not in the other project: its annotation is skipped by name.
    report = import_paths(other, [path])
    [(_, merge)] = report.merges
    assert merge.links_added == 3
    assert _links(other) == _links(linked)
    assert _verdicts(other) == _verdicts(linked) - {
        ("The harbour will reopen in May, the mayor said.", "Mostly false")
    }
    assert any("not in this project" in s for s in merge.skipped)
    again = import_paths(other, [path]).merges[0][1]
    assert (again.links_added, again.links_present) == (0, 3)
    other.close()


def _exact(anno: dict[str, object]) -> str:
    target = anno.get("target")
    if not isinstance(target, dict):
        return ""
    return str(target["selector"][0]["exact"])


# brat ------------------------------------------------------------------------------------

_STORAGE_FORM = re.compile(r"^[a-zA-Z0-9_-]*$")


def _brat_conf(conf: str) -> tuple[set[str], dict[str, list[tuple[str, list[str]]]]]:
    """The entity types and relation types of an annotation.conf, read as brat's
    projectconfig reads them: sections in brackets, a type and its comma-separated arguments
    `KEY:TYPE|TYPE` separated by a tab, every argument matching `^(\\S*?):(\\S*)$`, and a
    primary term that is its own storage form."""
    section = ""
    entities: set[str] = set()
    relations: dict[str, list[tuple[str, list[str]]]] = {}
    for line in conf.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[") and stripped.endswith("]"):
            section = stripped[1:-1]
            continue
        terms, _, args = stripped.partition("\t")
        primary = terms.split("|")[0].strip()
        assert primary.startswith("<") or _STORAGE_FORM.match(primary), primary
        if section == "entities":
            entities.add(primary)
        elif section == "relations":
            parsed = []
            for arg in args.split(","):
                match = re.match(r"^(\S*?):(\S*)$", arg.strip())
                assert match, arg
                parsed.append((match.group(1), match.group(2).split("|")))
            relations[primary] = parsed
    return entities, relations


def _brat_relations(ann: str) -> list[tuple[str, str, str, str, str, str]]:
    """(id, type, label 1, id 1, label 2, id 2) of each relation, parsed as brat's annotation.py
    parses an R line: id, tab, the type and exactly two LABEL:ID arguments separated by
    white space, then a tab."""
    found = []
    for line in ann.split("\n"):
        if line.startswith("R"):
            ann_id, data, tail = line.split("\t")
            assert tail == ""
            kind, *args = data.split()
            assert len(args) == 2
            (l1, i1), (l2, i2) = (tuple(a.split(":")) for a in args)
            assert i1 != i2
            found.append((ann_id, kind, l1, i1, l2, i2))
    return found


def test_brat_writes_links_as_relations_brat_reads_and_validates(
    linked: SqliteStore, tmp_path: Path
) -> None:
    folder = tmp_path / "brat"
    result = export_to_path(linked, "brat", folder)
    conf = (folder / "annotation.conf").read_text(encoding="utf-8")
    entities, relations = _brat_conf(conf)
    assert set(relations) == {"supports", "attacks", "<OVERLAP>"}
    assert relations["supports"] == [("Arg1", ["<ENTITY>"]), ("Arg2", ["<ENTITY>"])]
    assert '# claimmark-relation supports "supports"' in conf
    visual = (folder / "visual.conf").read_text(encoding="utf-8")
    assert "supports\tcolor:#009E73\n" in visual
    [ann] = [p for p in folder.glob("*.ann") if "🇺🇦" in p.with_suffix(".txt").read_text()]
    text = ann.read_text(encoding="utf-8")
    t_types = dict(re.findall(r"^(T\d+)\t(\S+) ", text, re.M))
    found = _brat_relations(text)
    assert len(found) == 2  # the third link goes to another document
    for _, kind, l1, i1, l2, i2 in found:
        # brat's validator: a known relation type, between types its arguments allow.
        assert kind in relations
        assert (l1, l2) == ("Arg1", "Arg2")
        assert t_types[i1] in entities
        assert t_types[i2] in entities
    assert re.search(r"^#\d+\tAnnotatorNotes R\d+\tthe family photo", text, re.M)
    said = "\n".join(result.notes)
    assert "brat: 1 link joins highlights of two documents" in said
    assert "brat: 3 verdicts (on highlights tagged “claim”) are not written" in said

    other = _fresh(tmp_path)
    [(_, merge)] = import_paths(other, [folder]).merges
    assert merge.links_added == 2
    same_document = {k for k in _links(linked) if k[1] != next(
        h.quote for h in linked.highlights() if h.document_id == 1 and h.tag_id == 1)}  # fmt: skip
    assert _links(other) == same_document
    again = import_paths(other, [folder]).merges[0][1]
    assert (again.links_added, again.links_present) == (0, 2)
    other.close()


def test_brat_relation_types_from_elsewhere(store: SqliteStore, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    text = "Acme rose. The CEO said so.\n"
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "a.ann").write_text(
        "T1\tOrganization 0 4\tAcme\nT2\tPerson 15 18\tCEO\n"
        "R1\tWorks_for Arg1:T2 Arg2:T1\t\nR2\tOdd Arg1:T2\nR3\tSelf Arg1:T1 Arg2:T1\n",
        encoding="utf-8",
    )
    (folder / "visual.conf").write_text(
        "[labels]\nWorks_for | works for\n\n[drawing]\nWorks_for\tcolor:#112233\n",
        encoding="utf-8",
    )
    [(_, merge)] = import_paths(store, [folder]).merges
    assert merge.links_added == 1
    assert _links(store) == {("CEO", "Acme", "works for", "")}
    assert next(t for t in store.relation_types() if t.name == "works for").colour == "#112233"
    skipped = "\n".join(merge.skipped)
    assert "(R2): not a brat relation" in skipped
    assert "(R3): a relation of an annotation with itself" in skipped


# doccano ---------------------------------------------------------------------------------


def test_doccano_relations_layout_as_doccano_imports_it(
    linked: SqliteStore, tmp_path: Path
) -> None:
    context = ExportContext(linked)
    lines = [json.loads(x) for x in export_jsonl(context, relations=True).splitlines()]
    assert "doccano: 1 link joins highlights of two documents" in "\n".join(context.progress.notes)
    for line in lines:
        assert set(line) == {"id", "text", "entities", "relations"}
        ids = set()
        for e in line["entities"]:
            assert list(e) == ["id", "label", "start_offset", "end_offset"]
            assert 0 <= e["start_offset"] < e["end_offset"] <= len(line["text"])
            ids.add(e["id"])
        for r in line["relations"]:
            assert list(r) == ["id", "from_id", "to_id", "type"]
            # doccano maps from_id and to_id to entities of the same line (id_to_span)
            assert {r["from_id"], r["to_id"]} <= ids
    emoji = next(x for x in lines if x["text"].startswith("Kyiv"))
    assert {r["type"] for r in emoji["relations"]} == {"supports", "attacks"}

    path = tmp_path / "relations.jsonl"
    export_to_path(linked, "jsonl-relations", path)
    other = _fresh(tmp_path)
    [(_, merge)] = import_paths(other, [path]).merges
    assert merge.links_added == 2
    assert {(a, b, t) for a, b, t, _ in _links(other)} == {
        (a, b, t) for a, b, t, _ in _links(linked) if a != "🇺🇦"
    }
    assert {h.annotator for h in other.highlights()} == {"doccano"}
    other.close()


def test_doccano_files_from_doccano(store: SqliteStore, tmp_path: Path) -> None:
    """Both layouts, as doccano exports them: code points, a label per [start, end, label] or
    entity object, relations between a line's entities; CRLF line ends become \\n with the
    offsets moved along."""
    records = [
        {"id": 1, "text": "EU rejects German call to boycott British lamb.",
         "label": [[0, 2, "ORG"], [11, 17, "MISC"]], "Comments": []},
        {"id": 2, "text": "Google 👍 was founded by Larry Page.\r\nIn 1998.",
         "entities": [{"id": 10, "label": "ORG", "start_offset": 0, "end_offset": 6},
                      {"id": 11, "label": "PERSON", "start_offset": 24, "end_offset": 34},
                      {"id": 12, "label": "DATE", "start_offset": 40, "end_offset": 44},
                      {"id": 13, "label": "DATE", "start_offset": 40, "end_offset": 99}],
         "relations": [{"id": 0, "from_id": 10, "to_id": 11, "type": "foundedBy"},
                       {"id": 1, "from_id": 10, "to_id": 13, "type": "foundedIn"}],
         "user": "alice"},
    ]  # fmt: skip
    path = tmp_path / "admin.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    report = import_paths(store, [path])
    assert report.refused == []
    [(_, merge)] = report.merges
    got = {(h.quote, store.tag(h.tag_id).name, h.annotator) for h in store.highlights()}
    assert got == {
        ("EU", "ORG", "doccano"),
        ("German", "MISC", "doccano"),
        ("Google", "ORG", "alice"),
        ("Larry Page", "PERSON", "alice"),
        ("1998", "DATE", "alice"),
    }
    assert _links(store) == {("Google", "Larry Page", "foundedBy", "")}
    skipped = "\n".join(merge.skipped)
    assert "line 2, label 4: its offsets are outside the text" in skipped
    assert "line 2, relation 2: its from_id or to_id is not an entity of its line" in skipped
    assert any("beyond U+FFFF" in n for n in merge.notes)
    texts = {store.document(d.id).text for d in store.documents()}
    assert "Google 👍 was founded by Larry Page.\nIn 1998." in texts
    assert import_paths(store, [path]).merges[0][1].highlights_present == 5


# CSV -------------------------------------------------------------------------------------


def test_csv_columns_for_verdicts_and_links(linked: SqliteStore) -> None:
    text = export_csv(ExportContext(linked))
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    by_id = {r["id"]: r for r in rows}
    for link in linked.links():
        source, target = linked.highlight(link.from_id), linked.highlight(link.to_id)
        kind = linked.relation_type(link.type_id).name
        assert f"{kind} {target.uuid}" in by_id[source.uuid]["links_out"].split("\n")
        assert f"{kind} {source.uuid}" in by_id[target.uuid]["links_in"].split("\n")
    flag = next(r for r in rows if r["quote"] == "🇺🇦")
    assert flag["verdict"] == "Mostly false"
    assert len(flag["links_in"].split("\n")) == 2
    assert sum(1 for r in rows if r["verdict"]) == 3


def test_every_format_that_carries_links_says_so_or_writes_them(linked: SqliteStore) -> None:
    """The JSON export holds all three links; what cannot (brat, doccano) says how many it left
    out; the plain doccano layout has no place for links, and writes none."""
    assert len(json.loads(render_bytes(linked, "json"))["relations"]) == 3
    notes: list[str] = []
    render_bytes(linked, "jsonl", notes=notes)
    assert not any("link" in n for n in notes)


@pytest.mark.parametrize("fmt", ["json", "w3c", "jsonl-relations", "brat"])
def test_a_filter_keeps_links_between_what_it_keeps(
    linked: SqliteStore, tmp_path: Path, fmt: str
) -> None:
    """Exporting one tag writes no link to a highlight of another."""
    from desktop.core.model import HighlightFilter

    target = tmp_path / "out"
    export_to_path(linked, fmt, target, HighlightFilter(tag_names=("opinion",)))
    if fmt == "brat":
        written = "".join(p.read_text(encoding="utf-8") for p in target.glob("*.ann"))
        assert "\nR" not in written
        assert not written.startswith("R")
    elif fmt == "json":
        assert json.loads(target.read_bytes())["relations"] == []
    elif fmt == "w3c":
        items = json.loads(target.read_bytes())["first"]["items"]
        assert {a["motivation"] for a in items} == {"tagging"}
    else:
        lines = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
        assert all(x["relations"] == [] for x in lines)


def test_a_w3c_annotation_on_a_web_document_finds_it_by_its_hash(
    linked: SqliteStore, tmp_path: Path
) -> None:
    """The source is the document's web address; the hash beside it finds the exact text in a
    project that has it, whatever address it came from."""
    from desktop.core.model import HighlightFilter, NewDocument
    from tests.core.conftest import WEB_TEXT

    web = next(d for d in linked.documents() if d.url)
    path = tmp_path / "web.jsonld"
    export_to_path(linked, "w3c", path, HighlightFilter(document_ids=(web.id,)))
    data = json.loads(path.read_text(encoding="utf-8"))
    assert [d["id"] for d in data["dcterms:references"]] == ["https://news.example/harbour"]
    other = SqliteStore.open(tmp_path / "other.claimmark")
    other.add_documents([NewDocument(text=WEB_TEXT, title="Saved copy", source="copy.txt")])
    [(_, merge)] = import_paths(other, [path]).merges
    assert (merge.documents_matched, merge.highlights_added) == (1, 1)
    assert _verdicts(other) == {("The harbour will reopen in May, the mayor said.", "Mostly false")}
    other.close()
