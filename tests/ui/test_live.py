"""Team mode in the window: two windows on one server project see each other's changes as they
are made, without the reader's scroll position or selection moving; a lost server is shown,
refuses changes and is caught up with once back. A file project has none of it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings, Qt

from desktop.core import operations
from desktop.core.errors import ClaimmarkError
from desktop.core.importing import import_paths
from desktop.core.model import NewDocument
from desktop.core.project import open_project
from desktop.ui.main_window import MainWindow
from tests.conftest import SEED_DIGEST, new_database, set_up_team
from tests.ui.conftest import select, tag_with_key, tooltip_as_shown

Opener = Callable[[str, str], MainWindow]


@pytest.fixture
def server_project(pg_location: str) -> str:
    store = open_project(pg_location)
    import_paths(store, [SEED_DIGEST])
    store.close()
    return pg_location


@pytest.fixture
def open_window(qtbot, tmp_path) -> Iterator[Opener]:  # type: ignore[no-untyped-def]
    opened: list[MainWindow] = []

    def make(location: str, annotator: str) -> MainWindow:
        store = open_project(location)
        store.annotator = annotator
        settings = QSettings(str(tmp_path / f"{annotator}.ini"), QSettings.Format.IniFormat)
        window = MainWindow(store, settings)
        qtbot.addWidget(window)
        window.resize(900, 500)
        with qtbot.waitExposed(window):
            window.show()
        opened.append(window)
        return window

    yield make
    for window in opened:
        window.close()
        window.store.close()


def add_by_keys(qtbot, window: MainWindow, phrase: str, key: Qt.Key = Qt.Key.Key_1) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    start = window.view.text.index(phrase)
    select(window, start, start + len(phrase))
    qtbot.keyClick(window.view, key)


def test_two_windows_see_each_others_highlights_within_a_second(  # type: ignore[no-untyped-def]
    qtbot, server_project: str, open_window: Opener
) -> None:
    ana = open_window(server_project, "ana")
    bob = open_window(server_project, "bob")
    for window in (ana, bob):
        window.open_document(1)
    # Bob reads further down, with a passage selected: neither may move.
    ana.activateWindow()
    qtbot.waitUntil(ana.isActiveWindow, timeout=2000)
    select(bob, 200, 230)
    selection = (bob.view.textCursor().anchor(), bob.view.textCursor().position())
    bob.view.verticalScrollBar().setValue(bob.view.verticalScrollBar().maximum() // 2)
    qtbot.wait(100)  # the text laid out
    scroll = bob.view.verticalScrollBar().value()
    assert scroll > 0
    before = bob.hl_panel.model.total()

    started = time.monotonic()
    add_by_keys(qtbot, ana, "A controversy")
    qtbot.waitUntil(lambda: bob.hl_panel.model.total() == before + 1, timeout=1000)
    assert time.monotonic() - started < 1.0
    [made] = ana.store.highlights()
    assert made.annotator == "ana"
    assert [s[2] for s in bob.store.spans(1)] == [made.id]
    assert bob.view.index is not None
    assert len(bob.view.index) == 1
    assert bob.session.summary.highlights_in(1) == 1
    assert bob.view.verticalScrollBar().value() == scroll
    assert (bob.view.textCursor().anchor(), bob.view.textCursor().position()) == selection
    assert "1 highlight here" in bob.status_line.document_label.text()

    # And back: Bob's retag of his own highlight reaches Ana, counted once.
    add_by_keys(qtbot, bob, "American embassy", Qt.Key.Key_2)
    qtbot.waitUntil(lambda: ana.session.summary.highlights_in(1) == 2, timeout=1000)
    evidence = tag_with_key(ana, "2")
    assert ana.session.summary.counts(1).get(evidence.id) == 1
    assert "● Live" in ana.live.indicator.text()  # type: ignore[union-attr]


def test_the_second_of_two_changes_to_one_highlight_gets_a_message(  # type: ignore[no-untyped-def]
    qtbot, server_project: str, open_window: Opener, monkeypatch
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    ana = open_window(server_project, "ana")
    other = open_window(server_project, "ana")  # the same annotator in a second window
    for window in (ana, other):
        window.open_document(1)
    add_by_keys(qtbot, ana, "A controversy")
    [made] = ana.store.highlights()
    qtbot.waitUntil(lambda: other.hl_panel.model.total() == 1, timeout=1000)
    # The other window retags it; Ana's window undoes her highlight, which has changed since.
    start = other.view.text.index("A controversy")
    cursor = other.view.textCursor()
    cursor.setPosition(other.view.positions.to_qt(start + 2))
    other.view.setTextCursor(cursor)
    other.activateWindow()
    qtbot.waitUntil(other.isActiveWindow, timeout=2000)
    qtbot.keyClick(other.view, Qt.Key.Key_3)
    assert other.store.highlight(made.id).tag_id == tag_with_key(other, "3").id
    ana.undo_action.trigger()
    assert messages
    assert "Cannot undo" in messages[-1]
    assert "changed by ana meanwhile" in messages[-1]
    assert ana.store.highlight(made.id).tag_id == tag_with_key(ana, "3").id  # nothing undone
    qtbot.waitUntil(
        lambda: ana.session.summary.counts(1) == {tag_with_key(ana, "3").id: 1}, timeout=1000
    )


def test_a_lost_server_is_shown_refuses_changes_and_is_caught_up_with(  # type: ignore[no-untyped-def]
    qtbot, open_window: Opener, monkeypatch
) -> None:
    from desktop.pgcluster import Cluster

    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    cluster = Cluster(fsync=False)
    try:
        cluster.start()
        location = new_database(cluster)
        seeded = open_project(location, seed=True)
        seeded.close()
        ana = open_window(location, "ana")
        ana.open_document(1)
        cluster.kill()
        qtbot.waitUntil(lambda: "Connection lost" in ana.live.indicator.text(), timeout=3000)  # type: ignore[union-attr]
        add_by_keys(qtbot, ana, "A controversy")
        assert "not saved" in messages[-1] or "lost" in messages[-1]
        assert ana.hl_panel.model.total() == 0  # nothing shown as saved
        cluster.start()
        teammate = open_project(location)
        teammate.annotator = "bob"
        made = teammate.add_highlight(1, 0, 9, 1)  # made while Ana was away
        teammate.close()
        qtbot.waitUntil(lambda: "● Live" in ana.live.indicator.text(), timeout=10000)  # type: ignore[union-attr]
        qtbot.waitUntil(lambda: ana.hl_panel.model.total() == 1, timeout=2000)
        assert [s[2] for s in ana.store.spans(1)] == [made.id]
        add_by_keys(qtbot, ana, "A controversy")
        assert ana.hl_panel.model.total() == 2
    finally:
        cluster.remove()


@pytest.fixture
def own_server() -> Iterator[tuple[object, str]]:
    """A cluster of this test's own, to kill, and a project with the seed articles on it."""
    from desktop.pgcluster import Cluster

    cluster = Cluster(fsync=False)
    try:
        cluster.start()
        location = new_database(cluster)
        open_project(location, seed=True).close()
        yield cluster, location
    finally:
        cluster.remove()


def lose_the_server(qtbot, cluster: object, *windows: MainWindow) -> None:  # type: ignore[no-untyped-def]
    cluster.kill()  # type: ignore[attr-defined]
    for window in windows:
        qtbot.waitUntil(lambda w=window: "Connection lost" in w.live.indicator.text(), timeout=3000)


def test_a_lost_server_is_logged_in_one_line_without_a_traceback(  # type: ignore[no-untyped-def]
    qtbot, own_server: tuple[object, str], open_window: Opener, caplog
) -> None:
    """Focusing a window looks for changes made elsewhere: without a server that is expected,
    shown in the status bar, and logged as a warning of one line, not as an error."""
    cluster, location = own_server
    ana = open_window(location, "ana")
    bob = open_window(location, "bob")
    lose_the_server(qtbot, cluster, ana, bob)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for window in (bob, ana, bob):
            window.activateWindow()
            qtbot.waitUntil(window.isActiveWindow, timeout=2000)
    # Nothing more is logged: the loss was, once, when it happened.
    assert [r.getMessage() for r in caplog.records] == []
    assert "Connection lost" in ana.live.indicator.text()  # type: ignore[union-attr]


def where_the_reader_is(window: MainWindow) -> tuple[int, int, int, int]:
    """The first character on screen, where on screen the selection starts, and the selection."""
    view = window.view
    cursor = view.textCursor()
    at_anchor = view.textCursor()
    at_anchor.setPosition(cursor.anchor())
    on_screen = view.cursorRect(at_anchor).top()
    return view.first_visible(), on_screen, cursor.anchor(), cursor.position()


def test_catching_up_after_a_reconnection_keeps_the_scroll_position_and_selection(  # type: ignore[no-untyped-def]
    qtbot, own_server: tuple[object, str], open_window: Opener
) -> None:
    cluster, location = own_server
    ana = open_window(location, "ana")
    ana.open_document(1)
    select(ana, 2000, 2030)
    bar = ana.view.verticalScrollBar()
    bar.setValue(bar.maximum() // 2)
    qtbot.wait(100)  # the text laid out
    reading = where_the_reader_is(ana)
    assert reading[0] > 0
    lose_the_server(qtbot, cluster, ana)
    cluster.start()  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: "● Live" in ana.live.indicator.text(), timeout=10000)  # type: ignore[union-attr]
    assert where_the_reader_is(ana) == reading
    qtbot.wait(100)
    assert where_the_reader_is(ana) == reading


def test_reading_again_without_a_server_says_so(  # type: ignore[no-untyped-def]
    qtbot, own_server: tuple[object, str], open_window: Opener, caplog, monkeypatch
) -> None:
    """View > Refresh (F5) without a server: a message, one line in the log, no traceback."""
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    cluster, location = own_server
    ana = open_window(location, "ana")
    ana.open_document(1)
    lose_the_server(qtbot, cluster, ana)
    caplog.clear()
    ana.actions["refresh"].trigger()
    assert "connection to the server is lost" in messages[-1]
    assert [
        r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR
    ] == []
    assert ana.view.document_id == 1  # still shown as it was


def test_a_refusal_of_the_server_shows_as_a_sentence(  # type: ignore[no-untyped-def]
    qtbot, server_project: str, open_window: Opener, monkeypatch
) -> None:
    """The core's messages start lowercase (they follow "claimmark: " on the command line);
    the message box a person reads starts with a capital."""
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()))
    set_up_team(server_project, ["ana", "bob"])
    bob = open_project(server_project.replace("postgres@", "bob@"))
    bob.add_highlight(1, 0, 9, 1)
    bob.close()
    ana = open_window(server_project.replace("postgres@", "ana@"), "ana")
    ana.open_document(1)
    ana.activateWindow()
    qtbot.waitUntil(ana.isActiveWindow, timeout=2000)
    cursor = ana.view.textCursor()
    cursor.setPosition(3)  # in Bob's highlight
    ana.view.setTextCursor(cursor)
    qtbot.keyClick(ana.view, Qt.Key.Key_2)  # retag it: refused by the server
    assert shown == ["This highlight is bob's: you (ana) may change only your own."]


def test_a_file_project_has_no_live_part(window: MainWindow) -> None:
    assert window.live is None
    assert window.store.change_feed() is None


def test_a_server_project_is_backed_up_on_the_server(  # type: ignore[no-untyped-def]
    server_project: str, open_window: Opener, monkeypatch
) -> None:
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    window = open_window(server_project, "ana")
    window.backups.changed = True
    assert window.backups.back_up_if_changed() is None  # no backup thread for a server
    window.backups.choose_backup()
    assert "pg_dump" in messages[-1]


@pytest.mark.parametrize("backend", ["file", "server"])
def test_a_change_not_drawn_yet_is_not_changed_over(  # type: ignore[no-untyped-def]
    qtbot, backend: str, request, tmp_path, open_window: Opener, monkeypatch
) -> None:
    """Bob's window still shows a highlight as it was (a file's other window is not live; on a
    server, the notification is not read yet); his key on it is refused, and he sees it now."""
    messages: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _p, text, **_k: messages.append(text)
    )
    if backend == "server":
        location = request.getfixturevalue("server_project")
    else:
        location = str(tmp_path / "shared.claimmark")
        import_paths(open_project(location), [SEED_DIGEST])
    ana = open_window(location, "ana")
    bob = open_window(location, "ana")  # the same annotator in a second window
    bob.open_document(1)
    made = ana.store.add_highlight(1, 0, 9, tag_with_key(ana, "1").id)
    bob.session.reload()  # both show it as a claim
    if bob.live is not None:
        bob.live._unwatch()  # Bob's window has not read the next change yet
    bob.activateWindow()  # before the change: activating a file's window re-reads it
    qtbot.waitUntil(bob.isActiveWindow, timeout=2000)
    ana.store.update_highlight(made.id, tag_id=tag_with_key(ana, "2").id)
    cursor = bob.view.textCursor()
    cursor.setPosition(3)
    bob.view.setTextCursor(cursor)
    qtbot.keyClick(bob.view, Qt.Key.Key_3)
    assert "meanwhile" in messages[-1]
    assert bob.store.highlight(made.id).tag_id == tag_with_key(bob, "2").id
    evidence = tag_with_key(bob, "2").id
    assert [s.tag_id for s in bob.view.spans_at_cursor()] == [evidence]  # shown as it is now


def test_a_teammates_new_version_of_the_open_document_shows_at_once(  # type: ignore[no-untyped-def]
    qtbot, server_project: str, open_window: Opener
) -> None:
    """A teammate updates the document Ana reads: her window shows the new text, her highlight
    where it now is, and the one whose passage went in the Orphans panel."""
    ana = open_window(server_project, "ana")
    ana.open_document(1)
    deleted = "the American claim that they shared the ‘information’ with the Russians"
    kept = "Clearly, Washington was in possession of some information"
    add_by_keys(qtbot, ana, deleted)
    add_by_keys(qtbot, ana, kept)
    assert ana.hl_panel.model.total() == 2
    text = ana.store.text(1)
    start = text.index("It took the form")
    new_text = text[:start] + text[text.index("\n", start) :]
    teammate = open_project(server_project)
    teammate.annotator = "judy"
    previous = teammate.document(1).info
    new = NewDocument(text=new_text, title=previous.title, source=previous.source)
    operations.UpdateDocument(teammate, 1, new).do(teammate)
    teammate.close()
    qtbot.waitUntil(lambda: ana.view.text == new_text, timeout=1000)
    qtbot.waitUntil(lambda: ana.orphans_panel.list.count() == 1, timeout=1000)
    assert ana.orphans_panel.current_orphan().quote == deleted  # type: ignore[union-attr]
    assert ana.orphans_dock.isVisible()
    assert ana.hl_panel.model.total() == 1
    [span] = ana.view.index.overlapping(0, len(new_text))  # type: ignore[union-attr]
    assert ana.view.positions.to_code_point(span.start) == new_text.index(kept)
    assert ana.session.summary.highlights_in(1) == 1


def test_a_teammates_commit_during_a_re_read_is_shown_once(  # type: ignore[no-untyped-def]
    qtbot, server_project: str, open_window: Opener, monkeypatch
) -> None:
    """Everything is re-read (as after an import or a refused change) while a teammate commits: the
    summary and the views read one snapshot, the feed brings the new highlight once."""
    ana = open_window(server_project, "ana")
    ana.open_document(1)
    teammate = open_project(server_project)
    teammate.annotator = "bob"
    text = ana.view.text
    start = text.index("A controversy")
    apply = ana.session.summary.apply

    def apply_then_commit(changes, store) -> None:  # type: ignore[no-untyped-def]
        apply(changes, store)
        if changes.everything:  # between the summary's re-read and the views'
            teammate.add_highlight(1, start, start + len("A controversy"), 1)

    monkeypatch.setattr(ana.session.summary, "apply", apply_then_commit)
    ana.session.reload()
    monkeypatch.undo()
    qtbot.waitUntil(lambda: ana.session.summary.highlights_in(1) == 1, timeout=1000)
    qtbot.wait(200)  # anything further from the feed has arrived
    assert ana.hl_panel.model.total() == 1
    assert ana.view.index is not None
    assert len(ana.view.index) == 1
    assert ana.session.summary.highlights_in(1) == 1
    teammate.close()


def test_the_servers_words_show_as_written_in_the_indicators_tooltip(  # type: ignore[no-untyped-def]
    qtbot, open_window: Opener, server_project: str, monkeypatch
) -> None:
    ana = open_window(server_project, "ana")
    live = ana.live
    assert live is not None
    said = "<b>gateway</b> says: <i>try later</i>"  # a proxy's answer, say

    def refuse() -> None:
        raise ClaimmarkError(said)

    feed = live.feed
    monkeypatch.setattr(type(feed), "connected", property(lambda _feed: False))  # server gone
    monkeypatch.setattr(feed, "reconnect", refuse)
    live._timer.setInterval(20)  # look at the connection often: the test need not wait
    qtbot.waitUntil(lambda: tooltip_as_shown(live.indicator.toolTip()) == said, timeout=5000)
    assert "Connection lost" in live.indicator.text()
