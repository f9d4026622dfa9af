"""W3C Web Annotation export and import: the W3C's own MUST assertions, offsets, round trips.

The assertions are the W3C test suite's JSON Schemas (draft 4), copied into
tests/w3c-annotation-tests with their licence. They refer to each other by file name, so every
definition file is registered under its `id` (which is its file name).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry
from referencing.jsonschema import DRAFT4

from desktop.core.fileformat import ExportContext
from desktop.core.formats import w3c
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.core.conftest import TRICKY, documents, highlights

SUITE = Path(__file__).resolve().parent.parent / "w3c-annotation-tests"
ANNOTATION_MUSTS = "annotations/annotationMusts.test"
COLLECTION_MUSTS = "collections/collectionMusts.test"
PAGE_MUSTS = "collections/pages/pageMusts.test"
FORMAT_CHECKER = jsonschema.Draft4Validator.FORMAT_CHECKER

Assertion = tuple[str, dict[str, Any]]


def _load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def registry() -> Registry:  # type: ignore[type-arg]
    definitions = [_load(p) for p in sorted((SUITE / "definitions").glob("*.json"))]
    return Registry().with_resources(
        (schema["id"], DRAFT4.create_resource(schema)) for schema in definitions
    )


@cache
def assertions(test_file: str) -> tuple[Assertion, ...]:
    listed = _load(SUITE / test_file)["assertions"]
    return tuple((Path(name).name, _load(SUITE / name)) for name in listed)


def validator(schema: dict[str, Any]) -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(schema, registry=registry(), format_checker=FORMAT_CHECKER)


def failures(instance: Any, test_file: str) -> list[str]:
    """The assertions of `test_file` that `instance` fails."""
    return [
        name for name, schema in assertions(test_file) if not validator(schema).is_valid(instance)
    ]


def assertion(test_file: str, name: str) -> dict[str, Any]:
    return next(schema for n, schema in assertions(test_file) if n == name)


# The validator itself ------------------------------------------------------------------------


def test_every_listed_assertion_is_a_must_and_loads() -> None:
    for test_file, count in ((ANNOTATION_MUSTS, 54), (COLLECTION_MUSTS, 10), (PAGE_MUSTS, 15)):
        loaded = assertions(test_file)
        assert len(loaded) == count
        for name, schema in loaded:
            assert schema["assertionType"] == "must", name
            assert schema["expectedResult"] == "valid", name
            jsonschema.Draft4Validator.check_schema(schema)


def test_the_uri_and_date_time_checks_are_really_on() -> None:
    assert {"uri", "date-time"} <= set(FORMAT_CHECKER.checkers)
    ids = assertion(ANNOTATION_MUSTS, "3.1-annotationIdValidated.json")
    created = assertion(ANNOTATION_MUSTS, "3.3.1-annotationCreatedValidated.json")
    assert validator(ids).is_valid({"id": "urn:uuid:5f0c2a4e-0f9e-4b8e-9a55-3d2f1c0b7a61"})
    assert not validator(ids).is_valid({"id": "file.txt"})
    assert validator(created).is_valid({"created": "2026-11-24T03:12:51.123Z"})
    assert not validator(created).is_valid({"created": "yesterday"})
    # Without a format checker the same mistakes pass: the checks above come from it.
    assert jsonschema.Draft4Validator(ids, registry=registry()).is_valid({"id": "file.txt"})
    unchecked = jsonschema.Draft4Validator(created, registry=registry())
    assert unchecked.is_valid({"created": "yesterday"})


def _samples(kind: str) -> list[Path]:
    return sorted((SUITE / "tools" / "samples" / kind).glob("*.json"))


# Three "correct" samples use Composite, List and Independents targets. Those were in drafts of the
# model and left out of the Recommendation; the suite's schemas (Choice is the only multiple-item
# type they know) reject them, and so does every validator built on the suite.
DRAFT_ONLY_TARGETS = {"anno11.json", "anno12.json", "anno13.json"}
COLLECTIONS = {"collection1.json", "example41.json"}
# The two pages (Examples 42 and 43 of the Recommendation) give `partOf` as the collection's IRI,
# which the model allows; seven page assertions check the collection's description there and
# accept only an object. With `partOf` as {"id": IRI} (or without it) the pages pass them all.
PAGES = {"example42.json", "example43.json"}
PART_OF_AS_OBJECT = [
    "5.2-pageTotalValidated.json",
    "5.2-pageLabelValidated.json",
    "5.2-pageFirstValidated.json",
    "5.2-pageLastValidated.json",
    "3.3.1-pageCreatedValidated.json",
    "3.3.1-pageModifiedValidated.json",
    "3.3.6-pageRightsValidated.json",
]


@pytest.mark.parametrize("path", _samples("correct"), ids=lambda p: p.name)
def test_correct_samples_pass(path: Path) -> None:
    sample = _load(path)
    if path.name in COLLECTIONS:
        assert failures(sample, COLLECTION_MUSTS) == []
    elif path.name in PAGES:
        assert failures(sample, PAGE_MUSTS) == PART_OF_AS_OBJECT
        assert failures({**sample, "partOf": {"id": sample["partOf"]}}, PAGE_MUSTS) == []
    elif path.name in DRAFT_ONLY_TARGETS:
        assert sample["target"]["type"] in ("Composite", "List", "Independents")
        assert failures(sample, ANNOTATION_MUSTS) == ["3.2-targetObjectsRecognized.json"]
    else:
        assert failures(sample, ANNOTATION_MUSTS) == []


@pytest.mark.parametrize("path", _samples("incorrect"), ids=lambda p: p.name)
def test_incorrect_samples_fail_as_they_are(path: Path) -> None:
    """Every sample is refused: 23 are not even JSON, the others fail some MUST assertion."""
    try:
        sample = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return
    assert failures(sample, ANNOTATION_MUSTS) != []


# Most incorrect samples also carry two mistakes they were not written to show: a comma after the
# last member (not JSON) and two ids. Repaired of those, each must still fail the assertion about
# its own mistake (its `label`)...
OWN_MISTAKE = {
    "anno2.json": "3.1-annotationContextValidated.json",  # {}
    "anno3.json": "3.1-annotationContextValidated.json",
    "anno4.json": "3.1-annotationContextValidated.json",
    "anno5.json": "3.1-annotationContextValidated.json",
    "anno6.json": "3.1-annotationIdValidated.json",
    "anno7.json": "3.1-annotationIdValidated.json",  # two ids: its mistake, left alone
    "anno8.json": "3.1-annotationTypeValidated.json",
    "anno9.json": "3.1-annotationTypeValidated.json",
    "anno10.json": "3.1-targetKeyFound.json",
    "anno11.json": "3.2-targetObjectsRecognized.json",
    "anno12.json": "3.2-bodyObjectsRecognized.json",
    "anno13.json": "3.2-bodyObjectsRecognized.json",
    "anno16.json": "3.2.1-bodyTextDirectionValidated.json",
    "anno17.json": "3.2-bodyObjectsRecognized.json",
    "anno18.json": "3.2-bodyObjectsRecognized.json",
    "anno19.json": "3.2.5-notBodyBodyValue.json",
    "anno20.json": "3.2.5-bodyValueValidated.json",
    "anno21.json": "3.2.5-bodyValueValidated.json",
    "anno22.json": "3.2-bodyObjectsRecognized.json",
    "anno24.json": "3.2.1-bodyTextDirectionValidated.json",
    "anno25.json": "3.2-bodyObjectsRecognized.json",
    "anno28.json": "3.3.1-annotationCreatedValidated.json",
    "anno29.json": "3.3.1-annotationModifiedValidated.json",
    "anno30.json": "3.3.1-annotationGeneratedValidated.json",
    "anno31.json": "3.3.1-annotationModifiedValidated.json",
    "anno32.json": "3.3.1-annotationCreatedValidated.json",
    "anno33.json": "3.3.1-annotationGeneratedValidated.json",
    "anno34.json": "3.3.6-annotationRightsValidated.json",
    "anno35.json": "3.3.7-annotationViaValidated.json",
    "anno36.json": "3.3.7-annotationCanonicalValidated.json",
    "anno37.json": "3.2-targetObjectsRecognized.json",
    "anno38.json": "4.2-fragmentCssXPathSelectorValid.json",
    "anno39.json": "4.2-fragmentCssXPathSelectorValid.json",
}
# ...except five whose mistake no MUST assertion covers. Their values are checked only by the
# optional ("may") assertions, which the suite reports without failing; the definitions those use
# do reject them. anno15's "bad language" is not even there: its key is misspelt "langauage".
OUTSIDE_THE_MUSTS = {
    "anno14.json": ("body", "bodyTarget.json#/definitions/formatValidIfPresent"),
    "anno15.json": None,
    "anno23.json": ("body", "bodyTarget.json#/definitions/processingLanguageValidIfPresent"),
    "anno26.json": (None, "otherProperties.json#/definitions/creatorValidIfPresent"),
    "anno27.json": (None, "otherProperties.json#/definitions/generatorValidIfPresent"),
}


def _repaired(path: Path) -> Any:
    sample = json.loads(re.sub(r",(\s*[}\]])", r"\1", path.read_text(encoding="utf-8")))
    if isinstance(sample.get("id"), list) and path.name != "anno7.json":
        sample["id"] = sample["id"][0]
    return sample


def test_the_incorrect_samples_are_all_accounted_for() -> None:
    names = {p.name for p in _samples("incorrect")}
    assert names == set(OWN_MISTAKE) | set(OUTSIDE_THE_MUSTS) | {"anno1.json"}
    with pytest.raises(json.JSONDecodeError):  # "this is not json": beyond repair
        _repaired(SUITE / "tools" / "samples" / "incorrect" / "anno1.json")


@pytest.mark.parametrize("name", sorted(OWN_MISTAKE))
def test_repaired_incorrect_samples_fail_for_their_own_mistake(name: str) -> None:
    sample = _repaired(SUITE / "tools" / "samples" / "incorrect" / name)
    assert OWN_MISTAKE[name] in failures(sample, ANNOTATION_MUSTS)


@pytest.mark.parametrize("name", sorted(OUTSIDE_THE_MUSTS))
def test_mistakes_outside_the_musts(name: str) -> None:
    sample = _repaired(SUITE / "tools" / "samples" / "incorrect" / name)
    assert failures(sample, ANNOTATION_MUSTS) == []
    check = OUTSIDE_THE_MUSTS[name]
    if check is None:
        assert "langauage" in sample["body"]
        return
    key, ref = check
    assert not validator({"$ref": ref}).is_valid(sample[key] if key else sample)


# Our export ---------------------------------------------------------------------------------


def test_every_exported_annotation_passes_every_must(annotated: SqliteStore) -> None:
    data = w3c.export_w3c(ExportContext(annotated))
    items = data["first"]["items"]
    assert len(items) == len(annotated.highlights()) == len(TRICKY) + 2 * 8
    checked = 0
    for item in items:
        assert failures(item, ANNOTATION_MUSTS) == [], item["id"]
        checked += len(assertions(ANNOTATION_MUSTS))
    assert checked == 24 * 54
    assert failures(data, COLLECTION_MUSTS) == []
    # The page is embedded in the collection and so in its JSON-LD context; standing alone, a
    # page names the context itself.
    page = {"@context": data["@context"], **data["first"]}
    assert failures(page, PAGE_MUSTS) == []


def test_annotations_carry_exact_code_point_offsets(annotated: SqliteStore) -> None:
    data = w3c.export_w3c(ExportContext(annotated))
    texts = {f"urn:sha256:{d['sha256']}": d["text"] for d in documents(annotated)}
    by_uuid = {h["id"]: h for h in highlights(annotated)}
    for item in data["first"]["items"]:
        h = by_uuid[item["id"].removeprefix("urn:uuid:")]
        text = texts[item["target"]["source"]]
        quote, position = item["target"]["selector"]
        assert (position["start"], position["end"]) == (h["start"], h["end"])
        assert text[position["start"] : position["end"]] == quote["exact"] == h["quote"]
        assert text[: position["start"]].endswith(quote.get("prefix", ""))
        assert text[position["end"] :].startswith(quote.get("suffix", ""))
        assert item["created"] == h["created_at"]
        assert item["created"].endswith("Z")
        assert item["modified"] == h["updated_at"]
        assert item["creator"] == {"type": "Person", "name": h["annotator"]}
        tag, *note = item["body"]
        assert tag == {
            "type": "TextualBody",
            "purpose": "tagging",
            "value": h["tag"],
            "format": "text/plain",
        }
        assert [b["value"] for b in note] == ([h["note"]] if h["note"] else [])
        assert all(b["purpose"] == "commenting" for b in note)
    flag = next(i for i in data["first"]["items"] if i["target"]["selector"][0]["exact"] == "🇺🇦")
    assert flag["target"]["selector"][1] == {"type": "TextPositionSelector", "start": 18, "end": 20}
    titles = {d["dc:title"] for d in data["dcterms:references"]}
    assert "Ukraine’s survival hangs in the balance" in titles


def test_an_empty_export_is_a_valid_empty_collection(store: SqliteStore) -> None:
    data = w3c.export_w3c(ExportContext(store))
    assert data["total"] == 0
    assert "first" not in data
    assert failures(data, COLLECTION_MUSTS) == []


# Import -------------------------------------------------------------------------------------


def _write(tmp_path: Path, data: Any, name: str = "export.jsonld") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_round_trip_w3c_import_json_is_lossless(
    annotated: SqliteStore, same_documents: SqliteStore, tmp_path: Path
) -> None:
    path = _write(tmp_path, w3c.export_w3c(ExportContext(annotated)))
    report = import_paths(same_documents, [path])
    [(_, merge)] = report.merges
    assert merge.skipped == []
    assert merge.highlights_added == 24
    # Everything a highlight has travels: id, span, quote, context, tag, note, who and when.
    assert highlights(same_documents) == highlights(annotated)
    again = import_paths(same_documents, [path])
    assert again.merges[0][1].highlights_added == 0
    assert again.merges[0][1].highlights_present == 24


def test_documents_not_in_the_project_are_named_and_skipped(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    path = _write(tmp_path, w3c.export_w3c(ExportContext(annotated)))
    other = SqliteStore.open(tmp_path / "other.claimmark")
    other.add_documents(
        [d for d in _seed_documents() if d.title == "Ukraine’s survival hangs in the balance"]
    )
    [(_, merge)] = import_paths(other, [path]).merges
    assert (merge.documents_matched, merge.highlights_added) == (1, 2)
    skipped_documents = [s for s in merge.skipped if s.startswith("document ")]
    assert len(skipped_documents) == 8
    assert any(s.startswith("document “Kyiv and the flag 🇺🇦") for s in skipped_documents)
    assert (
        "document “Moscow massacre: Who created Daesh and whose agenda does it serve” "
        "(urn:sha256:" in "\n".join(skipped_documents)
    )
    assert len(other.documents()) == 1
    other.close()


def test_a_file_of_which_nothing_can_be_imported_is_refused_in_one_line(
    annotated: SqliteStore, tmp_path: Path
) -> None:
    """Quotes without offsets, on documents the project does not have: one refusal, exit 1,
    and nothing written (not even the file's tags)."""
    from desktop.cli import main

    data = w3c.export_w3c(ExportContext(annotated))
    for item in data["first"]["items"]:
        item["target"]["selector"] = item["target"]["selector"][:1]  # the quote only
        item["body"][0]["value"] = "a tag of theirs"
    path = _write(tmp_path, data)
    project = tmp_path / "without-those-documents.claimmark"
    SqliteStore.open(project).close()
    code, out, err = _cli(main, ["import", "--db", str(project), str(path)])
    assert code == 1
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith(f"claimmark: refused {path}: nothing imported")
    assert "24 annotations" in line
    assert "9 documents that are not in this project" in line
    store = SqliteStore.open(project)
    assert [t.name for t in store.tags()] == ["claim", "evidence", "opinion"]
    store.close()


def _cli(main: Any, args: list[str]) -> tuple[int, str, str]:
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def _seed_documents() -> list[Any]:
    from desktop.core.formats.plaintext import documents_from_text
    from tests.conftest import SEED_DIGEST

    return documents_from_text(SEED_DIGEST.read_text(encoding="utf-8"), SEED_DIGEST.name)


def test_quotes_are_found_again_when_offsets_do_not_fit(
    annotated: SqliteStore, same_documents: SqliteStore, tmp_path: Path
) -> None:
    data = w3c.export_w3c(ExportContext(annotated))
    for item in data["first"]["items"]:
        position = item["target"]["selector"][1]
        position["start"] += 3  # as a UTF-16 count would after a flag
        position["end"] += 3
    import_paths(same_documents, [_write(tmp_path, data)])
    assert highlights(same_documents) == highlights(annotated)


def test_foreign_annotations(same_documents: SqliteStore, tmp_path: Path) -> None:
    emoji = next(d for d in documents(same_documents) if d["text"].startswith("Kyiv"))
    source = f"urn:sha256:{emoji['sha256']}"

    def anno(ident: str, **fields: Any) -> dict[str, Any]:
        base = {
            "@context": w3c.CONTEXT,
            "id": ident,
            "type": "Annotation",
            "body": {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
            "target": {
                "source": source,
                "selector": {"type": "TextQuoteSelector", "exact": "families waited."},
            },
        }
        base.update(fields)
        return base

    quote = {"selector": {"type": "TextQuoteSelector", "exact": "families waited."}}
    missing = {"selector": {"type": "TextQuoteSelector", "exact": "not in it"}}
    page = {
        "@context": w3c.CONTEXT,
        "id": "http://example.org/page1",
        "type": "AnnotationPage",
        "items": [
            anno(
                "http://example.org/anno1",
                creator="http://example.org/user1",
                created="2015-01-28T13:00:00+01:00",
                bodyValue="a plain comment",
                body=[
                    {"type": "TextualBody", "purpose": ["tagging"], "value": " fact "},
                    {"type": "TextualBody", "purpose": "tagging", "value": "claim"},
                ],
            ),
            anno("http://example.org/no-quote", target={"source": source}),
            anno("http://example.org/no-tag", body={"type": "TextualBody", "value": "hmm"}),
            anno("http://example.org/two", target=[source, source]),
            anno(
                "http://example.org/elsewhere", target={"source": "http://example.com/a", **quote}
            ),
            anno("http://example.org/missing", target={"source": source, **missing}),
            anno("http://example.org/anno1"),
        ],
    }
    path = _write(tmp_path, page, "foreign.json")
    [(_, merge)] = import_paths(same_documents, [path]).merges
    added = highlights(same_documents, "id", "quote", "tag", "note", "annotator", "created_at")
    assert [(h["tag"], h["quote"]) for h in added] == [
        ("claim", "families waited."),
        ("fact", "families waited."),
    ]
    assert {h["created_at"] for h in added} == {"2015-01-28T12:00:00.000Z"}
    assert {h["note"] for h in added} == {"a plain comment"}
    assert {h["annotator"] for h in added} == {"http://example.org/user1"}
    assert len({h["id"] for h in added}) == 2
    reasons = "\n".join(merge.skipped)
    assert "http://example.org/no-quote: has no TextQuoteSelector" in reasons
    assert "http://example.org/no-tag: has no tag" in reasons
    assert "http://example.org/two: has 2 targets" in reasons
    assert "http://example.org/anno1: appears twice" in reasons
    assert "document http://example.com/a: not in this project" in reasons
    assert "its quote is not in the document" in reasons
    assert [t.name for t in same_documents.tags()][-1] == "fact"
    # A second import finds the same ids and adds nothing.
    [(_, merge)] = import_paths(same_documents, [path]).merges
    assert merge.highlights_added == 0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"type": "AnnotationCollection", "total": 3, "first": "http://example.org/p1"},
            "only linked",
        ),
        ({"type": "AnnotationPage", "items": "nothing"}, "items are not a list"),
        ([{"type": "Annotation"}, 3], "non-objects"),
        ({"type": "Thing", "@context": "http://example.org"}, "not a claimmark export or W3C"),
    ],
)
def test_malformed_w3c_is_refused_with_a_reason(
    same_documents: SqliteStore, tmp_path: Path, data: Any, message: str
) -> None:
    before = highlights(same_documents)
    report = import_paths(same_documents, [_write(tmp_path, data, "bad.json")])
    [refused] = report.refused
    assert "bad.json" in str(refused)
    assert message in refused.reason
    assert highlights(same_documents) == before


def test_looks_w3c() -> None:
    assert w3c.looks_w3c({"type": "Annotation"})
    assert w3c.looks_w3c([{"type": ["Annotation"]}])
    assert w3c.looks_w3c({"@type": "AnnotationCollection"})
    assert not w3c.looks_w3c({"format": "claimmark"})
    assert not w3c.looks_w3c([])


def test_ids_that_are_not_uuids_survive_a_round_trip(
    seeded: SqliteStore, same_documents: SqliteStore, tmp_path: Path
) -> None:
    """Ids given in the short form ("flag") are exported as IRIs the import maps back."""
    text = seeded.text(1)
    odd = "claim 2/é: x?#"
    short = {
        "format": "claimmark",
        "version": 2,
        "documents": [{"id": 1, "text": text}],
        "highlights": [
            {"id": "flag", "document_id": 1, "start": 0, "end": 9, "tag": "claim"},
            {"id": odd, "document_id": 1, "start": 40, "end": 60, "tag": "evidence"},
        ],
        "relations": [{"id": "l-1", "from_id": odd, "to_id": "flag", "type": "supports"}],
    }
    import_paths(seeded, [_write(tmp_path, short, "short.json")])
    data = w3c.export_w3c(ExportContext(seeded))
    items = data["first"]["items"]
    assert [a["id"] for a in items] == [
        "urn:claimmark:highlight:flag",
        "urn:claimmark:highlight:claim%202%2F%C3%A9%3A%20x%3F%23",
        "urn:claimmark:link:l-1",
    ]
    for anno in items:
        assert failures(anno, ANNOTATION_MUSTS) == []
    report = import_paths(same_documents, [_write(tmp_path, data)])
    [(_, merge)] = report.merges
    assert (merge.highlights_added, merge.links_added, merge.skipped) == (2, 1, [])
    by_id = {h.id: h.uuid for h in same_documents.highlights()}
    assert sorted(by_id.values()) == sorted(["flag", odd])
    [link] = same_documents.links()
    assert (link.uuid, by_id[link.from_id], by_id[link.to_id]) == ("l-1", odd, "flag")
    # An annotation with two tags gives two highlights, each with an id of its own.
    two_tags = dict(items[0], id="urn:claimmark:highlight:twice")
    two_tags["body"] = [
        {"type": "TextualBody", "purpose": "tagging", "value": "opinion"},
        {"type": "TextualBody", "purpose": "tagging", "value": "evidence"},
    ]
    report = import_paths(same_documents, [_write(tmp_path, two_tags, "two.jsonld")])
    assert report.merges[0][1].highlights_added == 2
    assert len({h.uuid for h in same_documents.highlights()}) == 4
