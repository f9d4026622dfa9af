"""Importing from web addresses, from a server on 127.0.0.1: pages and documents come in with
the address as their source; a server that refuses, fails or keeps silent, or no network at
all, gives a refusal naming the address and saying what happened; Cancel stops a download at
once."""

from __future__ import annotations

import random
import socket
from pathlib import Path
from typing import Any

import pytest

from desktop.bench import news_page
from desktop.cli import main
from desktop.core import fetching
from desktop.core.formats.native import export_native
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from tests.conftest import LocalWeb
from tests.core.test_import_sources import BARE_ARTICLE, PAGES, make_docx, make_pdf


def _snapshot(store: SqliteStore) -> dict[str, Any]:
    data = export_native(store)
    del data["exported_at"]
    return data


def test_a_news_page_by_its_address(store: SqliteStore, local_web: LocalWeb) -> None:
    page, paragraphs = news_page(3, random.Random(3))
    local_web.pages["/world/story-3?utm_source=feed"] = (
        200,
        "text/html; charset=utf-8",
        page.encode(),
    )
    address = local_web.url("/world/story-3?utm_source=feed")
    seen: list[tuple[int, int, str]] = []
    report = import_paths(store, [address], on_progress=lambda *a: seen.append(a))
    assert report.refused == []
    [info] = report.documents_added
    assert info.source == address  # as typed
    assert info.url == "https://news.example/story-3"  # the page's own, canonical address
    assert store.text(info.id).split("\n")[1:-1] == paragraphs
    assert info.outlet in page
    assert seen[0] == (0, 1, address)
    assert seen[-1] == (1, 1, "")


def test_without_a_canonical_address_the_one_it_was_found_at(
    store: SqliteStore, local_web: LocalWeb
) -> None:
    local_web.redirects["/old"] = "/news/council-budget"
    local_web.pages["/news/council-budget"] = (
        200,
        "text/html",
        BARE_ARTICLE.format(meta="").encode(),
    )
    [info] = import_paths(store, [local_web.url("/old")]).documents_added
    assert (info.source, info.url) == (local_web.url("/old"), local_web.url("/news/council-budget"))
    assert info.outlet == "127.0.0.1"  # no site name in the page: the server's name
    assert info.title == "Council votes on the budget"


def test_a_pdf_and_a_word_document_by_their_addresses(
    store: SqliteStore, local_web: LocalWeb, tmp_path: Path
) -> None:
    make_pdf(tmp_path / "r.pdf", PAGES, title="Library budget")
    make_docx(tmp_path / "m.docx")
    local_web.pages["/download?id=7"] = (200, "application/pdf", (tmp_path / "r.pdf").read_bytes())
    local_web.pages["/files/minutes.docx"] = (
        200,
        "application/octet-stream",  # as many servers send any file: known by its name
        (tmp_path / "m.docx").read_bytes(),
    )
    pdf, word = [local_web.url("/download?id=7"), local_web.url("/files/minutes.docx")]
    report = import_paths(store, [pdf, word])
    assert report.refused == []
    by_source = {d.source: d for d in report.documents_added}
    assert by_source[pdf].title == "Library budget"
    assert len(by_source[pdf].page_starts) == 4
    assert by_source[pdf].url == pdf
    assert by_source[word].title == "Minutes of the council"


REFUSALS = [
    (
        (404, "text/html", b"<h1>Not found</h1>"),
        "the server answered 404 Not Found: there is no such page",
    ),
    (
        (403, "text/html", b"no"),
        "the server answered 403 Forbidden: the site refuses to give the page",
    ),
    (
        (503, "text/plain", b"down"),
        "answered 503 Service Unavailable: a problem on the server's side",
    ),
    (
        (200, "image/png", b"\x89PNG\r\n\x1a\n" + bytes(64)),
        "the address gives image/png, not a page",
    ),
    (
        (200, "text/html", b"<html><body><nav>Home</nav></body></html>"),
        "no article found in the page",
    ),
]


@pytest.mark.parametrize(("answer", "reason"), REFUSALS, ids=[str(a[0]) for a, _ in REFUSALS])
def test_what_the_server_says_is_told(
    annotated: SqliteStore, local_web: LocalWeb, answer: tuple[int, str, bytes], reason: str
) -> None:
    local_web.pages["/page"] = answer
    before = _snapshot(annotated)
    report = import_paths(annotated, [local_web.url("/page")])
    [refused] = report.refused
    assert refused.path == local_web.url("/page")
    assert reason in refused.reason
    assert _snapshot(annotated) == before


def test_a_server_that_is_not_there(store: SqliteStore) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    [refused] = import_paths(store, [f"http://127.0.0.1:{port}/x"]).refused
    assert refused.reason == "127.0.0.1 refused the connection (no web server there?)"


def test_offline(store: SqliteStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """No network: the server's name cannot be looked up (made so here, without asking any)."""

    def no_network(*_args: object, **_kw: object) -> None:
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    [refused] = import_paths(store, ["https://news.example/story"]).refused
    assert str(refused) == (
        "https://news.example/story: cannot find the server news.example: are you offline, "
        "or is the address mistyped?"
    )
    assert store.documents() == []


def test_a_server_that_keeps_silent_is_given_up_on(
    store: SqliteStore, local_web: LocalWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fetching, "TIMEOUT_S", 0.5)
    local_web.hanging.add("/slow")
    [refused] = import_paths(store, [local_web.url("/slow")]).refused
    assert refused.reason == "127.0.0.1 sent nothing for 0.5 s (timed out)"


def test_cancel_stops_a_download_at_once(store: SqliteStore, local_web: LocalWeb) -> None:
    """The server keeps silent far longer than the test waits: only Cancel can end it."""
    local_web.hanging.add("/slow")
    asked: list[int] = []

    def cancelled() -> bool:
        asked.append(1)
        return len(asked) > 3  # after a few looks: while the download waits

    report = import_paths(
        store, [local_web.url("/slow"), local_web.url("/never")], is_cancelled=cancelled
    )
    assert report.cancelled
    assert report.refused == []
    assert store.documents() == []


def test_the_command_line_imports_an_address(
    tmp_path: Path, local_web: LocalWeb, capsys: pytest.CaptureFixture[str]
) -> None:
    local_web.pages["/story"] = (200, "text/html", BARE_ARTICLE.format(meta="").encode())
    db = tmp_path / "p.claimmark"
    assert main(["import", "--db", str(db), local_web.url("/story"), local_web.url("/gone")]) == 1
    out, err = capsys.readouterr()
    assert out == "added document 1: Council votes on the budget (127.0.0.1)\n"
    assert err == (
        f"claimmark: refused {local_web.url('/gone')}: the server answered 404 Not Found: "
        "there is no such page (is the address right?)\n"
    )
