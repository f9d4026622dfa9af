"""Fuzzing the store: random documents and random sequences of what a user does.

A hypothesis state machine drives a real SqliteStore in a temporary folder. Documents hold any
Unicode (astral characters, joiner sequences, combining marks, right-to-left text, U+2028, every
kind of line end, normalised as import normalises them). The rules run the core's operations as
the window's undo commands do (create, retag, annotate and delete highlights, add and delete
tags, delete documents; undo and redo), and export and import the project in claimmark JSON, W3C
and brat. A plain Python model of what should be in the project is kept from the change records
the operations return, as the window's views are: after every step the store must equal it, and
every highlight must quote its document exactly.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from desktop.core import anchoring, operations
from desktop.core.changes import Changes
from desktop.core.errors import ClaimmarkError
from desktop.core.exporting import export_to_path
from desktop.core.fileformat import ExportContext
from desktop.core.formats import native, w3c
from desktop.core.importing import import_paths
from desktop.core.model import Highlight, Link, NewDocument, Tag, sha256_text
from desktop.core.sqlite_store import SqliteStore
from desktop.core.textfile import normalise_newlines

# Text as documents hold it: anything, with the awkward cases made likely.
PIECES = st.sampled_from(
    [
        "🇺🇦",  # a flag: two astral code points
        "👨\u200d👩\u200d👧",  # a family joined by ZWJ: five
        "e\u0301",  # e and a combining acute
        "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
        "\u0642\u0627\u0644",  # Arabic
        "\u202e",  # right-to-left override
        "\r\n",
        "\r",
        "\n",
        "\u2028",
        "\u2029",
        "\x85",  # and the other characters at which Python (and brat) break lines
        "\x0b",
        "\x1e",
        "\ufeff",  # a byte order mark, in the text
        "\u00a0",
        "\t",
        " ",
        "字",
        "<b>&amp;</b>",
        '"',
        "\\",
    ]
)
CHARS = st.characters(exclude_categories=("Cs",))
RAW_TEXT = st.lists(st.one_of(CHARS, PIECES), min_size=1, max_size=60).map("".join)
NOTES = st.lists(st.one_of(CHARS, PIECES), max_size=12).map("".join)
TAG_NAMES = st.text(st.one_of(CHARS, st.sampled_from(["a", "B", " ", "é"])), min_size=1, max_size=8)
COLOURS = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06X}")


class StoreMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="claimmark-fuzz-"))
        self.store = SqliteStore.open(self.folder / "project.claimmark")
        self.store.annotator = "fuzz"
        # Someone else on the same project: another window, or another program.
        self.other = SqliteStore.open(self.folder / "project.claimmark")
        self.other.annotator = "other"
        self.texts: dict[int, str] = {}
        self.tags: dict[int, Tag] = {t.id: t for t in self.store.tags()}
        self.highlights: dict[int, Highlight] = {}
        self.links: dict[int, Link] = {}
        self.undo_stack: list[operations.Operation] = []
        self.redo_stack: list[operations.Operation] = []
        self.projects = 0

    def teardown(self) -> None:
        self.store.close()
        self.other.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # Documents ---------------------------------------------------------------------------

    @initialize(raw=RAW_TEXT)
    def first_document(self, raw: str) -> None:
        self.add_document(raw)

    @precondition(lambda self: len(self.texts) < 4)  # leave the steps to the highlights
    @rule(raw=RAW_TEXT)
    def add_document(self, raw: str) -> None:
        text = normalise_newlines(raw)
        if not text.strip():
            text = f"x{text}"  # a text import refuses white space only
        known = text in self.texts.values()
        added = self.store.add_documents([NewDocument(text=text, title=text[:20], source="f")])
        if known:
            assert added == []
        else:
            [info] = added
            assert info.length == len(text)
            assert info.sha256 == sha256_text(text)
            self.texts[info.id] = text

    # Highlights and tags: the core's operations, as the window's undo stack runs them -----

    def _run(self, op: operations.Operation) -> Changes:
        changes = op.do(self.store)
        self._follow(changes)
        self.undo_stack.append(op)
        self.redo_stack.clear()
        return changes

    def _follow(self, changes: Changes) -> None:
        """Update the model from a change record only, as a view does."""
        for h in changes.removed:
            del self.highlights[h.id]
        for h in changes.added:
            assert h.id not in self.highlights
            self.highlights[h.id] = h
        for old, new in changes.changed:
            assert self.highlights[old.id] == old
            self.highlights[new.id] = new
        for link in changes.links_removed:
            del self.links[link.id]
        for link in changes.links_added:
            assert link.id not in self.links
            self.links[link.id] = link
        for old_link, new_link in changes.links_changed:
            assert self.links[old_link.id] == old_link
            self.links[new_link.id] = new_link
        if changes.tags:
            self.tags = {t.id: t for t in self.store.tags()}
        if changes.documents:
            self.texts = {i: t for i, t in self.texts.items() if i in self._document_ids()}

    def _document_ids(self) -> set[int]:
        return {d.id for d in self.store.documents()}

    def _pick(self, n: int) -> Highlight:
        ids = sorted(self.highlights)
        return self.highlights[ids[n % len(ids)]]

    def _tag(self, n: int) -> Tag:
        ids = sorted(self.tags)
        return self.tags[ids[n % len(ids)]]

    @precondition(lambda self: self.texts)
    @rule(doc=st.integers(0, 99), start=st.integers(0, 999), length=st.integers(1, 40),
          tag=st.integers(0, 99))  # fmt: skip
    def create(self, doc: int, start: int, length: int, tag: int) -> None:
        document_id = sorted(self.texts)[doc % len(self.texts)]
        text = self.texts[document_id]
        start %= len(text)
        # As the window does with a selection: without white space at its ends.
        start, end = anchoring.trim_span(text, start, start + length)
        if start == end:
            return
        tag_id = self._tag(tag).id
        changes = self._run(operations.AddHighlight(self.store, document_id, start, end, tag_id))
        [h] = changes.added
        assert (h.document_id, h.start, h.end, h.quote, h.tag_id) == (
            document_id,
            start,
            end,
            text[start:end],
            tag_id,
        )

    @precondition(lambda self: self.texts)
    @rule(doc=st.integers(0, 99), start=st.integers(0, 999), tag=st.sampled_from([1, 2, 3]))
    def someone_else_highlights(self, doc: int, start: int, tag: int) -> None:
        """A highlight made elsewhere: not on this window's undo stack, and its undo and redo
        must never touch it."""
        document_id = sorted(self.texts)[doc % len(self.texts)]
        text = self.texts[document_id]
        start, end = anchoring.trim_span(text, start % len(text), start % len(text) + 6)
        if start == end or tag not in self.tags:
            return
        h = self.other.add_highlight(document_id, start, end, tag, note="someone else's")
        assert h.id not in self.highlights
        self.highlights[h.id] = h

    @precondition(lambda self: self.highlights)
    @rule(n=st.integers(0, 999), tag=st.integers(0, 99))
    def retag(self, n: int, tag: int) -> None:
        old = self._pick(n)
        changes = self._run(operations.ChangeHighlight(old, tag_id=self._tag(tag).id))
        [(_, new)] = changes.changed
        assert new.tag_id == self._tag(tag).id
        self._check_change(old, new)

    @precondition(lambda self: self.highlights)
    @rule(n=st.integers(0, 999), note=NOTES)
    def annotate(self, n: int, note: str) -> None:
        old = self._pick(n)
        changes = self._run(operations.ChangeHighlight(old, note=note))
        [(_, new)] = changes.changed
        assert new.note == note
        self._check_change(old, new)

    def _check_change(self, old: Highlight, new: Highlight) -> None:
        unchanged = ("uuid", "document_id", "start", "end", "quote", "prefix", "suffix")
        assert all(getattr(old, f) == getattr(new, f) for f in unchanged)
        assert new.updated_at >= old.updated_at

    @precondition(lambda self: self.highlights)
    @rule(n=st.integers(0, 999))
    def delete(self, n: int) -> None:
        h = self._pick(n)
        changes = self._run(operations.DeleteHighlight(h))
        assert changes.removed == (h,)

    @precondition(lambda self: len(self.highlights) > 1)
    @rule(a=st.integers(0, 999), b=st.integers(0, 999), kind=st.integers(0, 9))
    def link(self, a: int, b: int, kind: int) -> None:
        """Across documents too. The same link twice is refused and changes nothing."""
        source, target = self._pick(a), self._pick(b)
        types = self.store.relation_types()
        if source.id == target.id or not types:
            return
        type_id = types[kind % len(types)].id
        exists = any(
            (x.from_id, x.to_id, x.type_id) == (source.id, target.id, type_id)
            for x in self.links.values()
        )
        try:
            changes = self._run(operations.AddLink(self.store, source.id, target.id, type_id))
        except ClaimmarkError:
            assert exists
            return
        assert not exists
        [made] = changes.links_added
        assert (made.from_id, made.to_id, made.type_id) == (source.id, target.id, type_id)

    @precondition(lambda self: self.links)
    @rule(n=st.integers(0, 999), note=NOTES)
    def link_note_or_unlink(self, n: int, note: str) -> None:
        link = self.links[sorted(self.links)[n % len(self.links)]]
        if n % 2:
            self._run(operations.ChangeLink(link, note=note))
        else:
            assert self._run(operations.DeleteLink(link)).links_removed == (link,)

    @precondition(lambda self: len(self.tags) < 8)
    @rule(name=TAG_NAMES, colour=COLOURS)
    def add_tag(self, name: str, colour: str) -> None:
        valid = bool(name.strip()) and name == name.strip()
        clash = any(t.name.casefold() == name.casefold() for t in self.tags.values())
        try:
            self._run(operations.AddTag(name, colour, ""))
        except ClaimmarkError:
            assert not valid or clash
            return
        assert valid
        assert not clash
        assert any((t.name, t.colour, t.key) == (name, colour, "") for t in self.tags.values())

    @precondition(lambda self: len(self.tags) > 1)
    @rule(n=st.integers(0, 99))
    def delete_tag(self, n: int) -> None:
        """A compound change: the tag goes with every highlight it holds (anyone's)."""
        tag = self._tag(n)
        holding = {i for i, h in self.highlights.items() if h.tag_id == tag.id}
        changes = self._run(operations.DeleteTag(tag))
        assert {h.id for h in changes.removed} == holding
        assert tag.id not in self.tags

    @precondition(lambda self: len(self.texts) > 1)
    @rule(n=st.integers(0, 99))
    def delete_document(self, n: int) -> None:
        document_id = sorted(self.texts)[n % len(self.texts)]
        holding = {i for i, h in self.highlights.items() if h.document_id == document_id}
        changes = self._run(operations.DeleteDocument(document_id, "d"))
        assert {h.id for h in changes.removed} == holding
        assert document_id not in self.texts

    def _step(self, op: operations.Operation, step: str) -> bool:
        """Undo or redo; one that cannot be done must leave the project as it was."""
        before = {h.id: h for h in self.store.highlights()}
        try:
            changes = op.undo(self.store) if step == "undo" else op.do(self.store)
        except ClaimmarkError:
            assert {h.id: h for h in self.store.highlights()} == before
            return False
        if changes.documents:  # the model keeps texts: an undone deletion brings one back
            for d in self.store.documents():
                self.texts.setdefault(d.id, self.store.document(d.id).text)
        self._follow(changes)
        return True

    @precondition(lambda self: self.undo_stack)
    @rule()
    def undo(self) -> None:
        op = self.undo_stack.pop()
        if self._step(op, "undo"):
            self.redo_stack.append(op)
        else:  # dropped from the stack, as the window drops it
            self.redo_stack.clear()

    @precondition(lambda self: self.redo_stack)
    @rule()
    def redo(self) -> None:
        op = self.redo_stack.pop()
        if self._step(op, "redo"):
            self.undo_stack.append(op)
        else:
            self.redo_stack.clear()

    # Export and import -----------------------------------------------------------------------

    def _fresh(self) -> SqliteStore:
        self.projects += 1
        store = SqliteStore.open(self.folder / f"fresh-{self.projects}.claimmark")
        store.annotator = "importer"
        return store

    @rule(fmt=st.sampled_from(["json", "w3c", "brat"]))
    def export_and_import(self, fmt: str) -> None:
        {"json": self.json_round_trip, "w3c": self.w3c_round_trip, "brat": self.brat_round_trip}[
            fmt
        ]()

    def json_round_trip(self) -> None:
        data = native.export_native(self.store)
        first = _by_content(data)
        path = self.folder / "export.json"
        path.write_bytes(orjson.dumps(data))
        other = self._fresh()
        try:
            report = import_paths(other, [path])
            assert report.refused == []
            assert report.merges[0][1].skipped == []
            again = _by_content(native.export_native(other))
            # A new project starts with the default tags, which this one may have deleted.
            again["tags"] = [t for t in again["tags"] if t in first["tags"]]
            assert again == first
        finally:
            other.close()

    def w3c_round_trip(self) -> None:
        """W3C does not carry the texts: import into a project that has the documents."""
        first = w3c.export_w3c(ExportContext(self.store))
        path = self.folder / "export.jsonld"
        path.write_bytes(w3c.to_json(first))
        other = self._fresh()
        try:
            other.add_documents(
                [NewDocument(text=self.texts[i], title=f"d{i}", source="f") for i in self.texts]
            )
            report = import_paths(other, [path])
            assert report.refused == []
            assert report.merges[0][1].skipped == []
            assert _highlight_rows(other) == _highlight_rows(self.store)
            again = w3c.export_w3c(ExportContext(other))
            assert _annotations(again) == _annotations(first)
        finally:
            other.close()

    def brat_round_trip(self) -> None:
        """brat carries texts, spans, tag names and notes (one line per line of a note)."""
        folder = self.folder / "brat"
        if any(t.startswith("\ufeff") for t in self.texts.values()):
            # It would be read back as a byte order mark: refused, and nothing is written.
            with pytest.raises(ClaimmarkError, match="U\\+FEFF"):
                export_to_path(self.store, "brat", folder)
            assert not folder.exists()
            assert [p.name for p in self.folder.iterdir() if p.name.startswith(".")] == []
            return
        export_to_path(self.store, "brat", folder)
        other = self._fresh()
        try:
            report = import_paths(other, [folder])
            assert report.refused == []
            assert report.merges[0][1].skipped == []
            texts = sorted(other.document(d.id).text for d in other.documents())
            assert texts == sorted(self.texts.values())
            assert _brat_rows(other) == _brat_rows(self.store)
            # And once more, from the imported project: what brat carries is stable.
            again = self.folder / "brat-again"
            export_to_path(other, "brat", again)
            third = self._fresh()
            try:
                import_paths(third, [again])
                assert _brat_rows(third) == _brat_rows(self.store)
            finally:
                third.close()
        finally:
            other.close()
            shutil.rmtree(folder, ignore_errors=True)
            shutil.rmtree(self.folder / "brat-again", ignore_errors=True)

    # Invariants ---------------------------------------------------------------------------

    @invariant()
    def store_equals_the_model(self) -> None:
        assert {h.id: h for h in self.store.highlights()} == self.highlights
        assert {x.id: x for x in self.store.links()} == self.links
        assert all(
            x.from_id in self.highlights and x.to_id in self.highlights for x in self.links.values()
        )
        assert {t.id: t for t in self.store.tags()} == self.tags
        assert {d.id: self.store.document(d.id).text for d in self.store.documents()} == self.texts

    @invariant()
    def every_highlight_quotes_its_document(self) -> None:
        for h in self.store.highlights():
            text = self.texts[h.document_id]
            assert 0 <= h.start < h.end <= len(text)
            assert text[h.start : h.end] == h.quote
            assert (h.prefix, h.suffix) == anchoring.context(text, h.start, h.end)


def _by_content(data: dict[str, Any]) -> dict[str, Any]:
    """An export without its time, documents named by their text's hash instead of their id
    (which a project that deleted documents does not share with a new one)."""
    sha = {d["id"]: d["sha256"] for d in data["documents"]}
    return {
        **{k: v for k, v in data.items() if k != "exported_at"},
        "documents": [{**d, "id": d["sha256"]} for d in data["documents"]],
        "highlights": [{**h, "document_id": sha[h["document_id"]]} for h in data["highlights"]],
    }


def _highlight_rows(store: SqliteStore) -> list[tuple[Any, ...]]:
    tags = {t.id: t.name for t in store.tags()}
    shas = {d.id: d.sha256 for d in store.documents()}
    return sorted(
        (h.uuid, shas[h.document_id], h.start, h.end, h.quote, h.prefix, h.suffix,
         tags[h.tag_id], h.note, h.annotator, h.created_at, h.updated_at)
        for h in store.highlights()
    )  # fmt: skip


def _annotations(collection: dict[str, Any]) -> list[str]:
    items = collection.get("first", {}).get("items", [])
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def _brat_rows(store: SqliteStore) -> list[tuple[Any, ...]]:
    tags = {t.id: t.name for t in store.tags()}
    texts = {d.id: store.document(d.id).text for d in store.documents()}
    return sorted(
        (texts[h.document_id], h.start, h.end, h.quote, tags[h.tag_id],
         "\n".join(_note_lines(h.note)))
        for h in store.highlights()
    )  # fmt: skip


def _note_lines(note: str) -> list[str]:
    """A note as brat keeps it: its lines, whatever line breaks separated them."""
    from desktop.core.formats.brat import _NOTE_LINES

    return _NOTE_LINES.split(note) if note else []


StoreMachine.TestCase.settings = settings(
    max_examples=75,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestStoreMachine = StoreMachine.TestCase
