"""A new version of a document in the window: update it from a file, see what happened to its
highlights, find the orphans in their panel, place one on a selection or delete it, undo; and
the question an import asks when it finds a new version."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from desktop.core import operations
from desktop.core.importing import import_paths
from desktop.core.sqlite_store import SqliteStore
from desktop.ui.main_window import MainWindow
from desktop.ui.updating import OldTextWindow
from tests.core.test_versions import DELETED, FUZZY, KEPT, MOVED, NEW, OLD
from tests.ui.conftest import WindowFactory, select


@pytest.fixture
def messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(
        "desktop.ui.dialogs.show_message", lambda _parent, text, **_kw: shown.append(text)
    )
    return shown


@pytest.fixture
def bridge(tmp_path: Path) -> Path:
    """A project holding bridge.txt (the old version), a highlight on each passage, the one
    whose sentence the new version deletes linked to the first."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "bridge.txt").write_text(OLD, encoding="utf-8")
    path = tmp_path / "bridge.claimmark"
    store = SqliteStore.open(path)
    [doc] = import_paths(store, [tmp_path / "old" / "bridge.txt"]).documents_added
    made = []
    for quote, tag in ((KEPT, 1), (FUZZY, 2), (DELETED, 2), (MOVED, 3)):
        start = OLD.index(quote)
        made.append(store.add_highlight(doc.id, start, start + len(quote), tag, note=quote[:9]))
    operations.AddLink(store, made[2].id, made[0].id, 1).do(store)
    store.close()
    return path


@pytest.fixture
def new_file(tmp_path: Path) -> Path:
    (tmp_path / "new").mkdir()
    path = tmp_path / "new" / "bridge.txt"
    path.write_text(NEW, encoding="utf-8")
    return path


def shown_spans(window: MainWindow) -> int:
    assert window.view.index is not None
    return len(window.view.index)


def orphan_rows(window: MainWindow) -> list[str]:
    panel = window.orphans_panel
    return [panel.list.item(i).text() for i in range(panel.list.count())]


def test_update_from_a_file_place_an_orphan_and_undo(  # type: ignore[no-untyped-def]
    qtbot, make_window: WindowFactory, bridge: Path, new_file: Path, messages: list[str]
) -> None:
    window = make_window(bridge)
    assert not window.orphans_dock.isVisible()
    assert (shown_spans(window), window.hl_panel.model.rowCount()) == (4, 4)

    update = window.updating.update_from(new_file, 1)
    assert update is not None
    # The window says what happened, shows the new text, and the orphan on its own.
    [message] = messages
    assert message.startswith(
        "Updated “The mayor said the bridge would open in May. Critics doubt it.”: "
        "kept 1, moved 1, fuzzy 1, orphaned 1."
    )
    assert window.view.text == NEW
    assert (shown_spans(window), window.hl_panel.model.rowCount()) == (3, 3)
    assert window.doc_list.doc_model.rowCount() == 1
    assert window.orphans_dock.isVisible()
    assert orphan_rows(window) == [f"evidence: “{DELETED}” · note: A spokesp · 1 link"]
    assert "1 highlight of this document could not be placed" in window.orphans_panel.heading.text()

    # Place it on a new passage: select, then P in the text.
    start = NEW.index("Construction")
    select(window, start, start + len("Construction began in 2019."))
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert orphan_rows(window) == []
    assert (shown_spans(window), window.hl_panel.model.rowCount()) == (4, 4)
    placed = next(h for h in window.store.highlights() if h.note == "A spokesp")
    assert (placed.start, placed.quote) == (start, "Construction began in 2019.")

    # Undo the placing, then the update itself.
    window.session.undo_stack.undo()
    assert len(orphan_rows(window)) == 1
    assert (shown_spans(window), window.hl_panel.model.rowCount()) == (3, 3)
    window.session.undo_stack.undo()
    assert window.view.text == OLD
    assert orphan_rows(window) == []
    assert (shown_spans(window), window.hl_panel.model.rowCount()) == (4, 4)
    assert [h.quote for h in window.store.highlights()] == [KEPT, FUZZY, DELETED, MOVED]
    window.session.undo_stack.redo()
    assert window.view.text == NEW
    assert len(orphan_rows(window)) == 1


def test_delete_an_orphan_from_the_panel_and_undo(  # type: ignore[no-untyped-def]
    qtbot, make_window: WindowFactory, bridge: Path, new_file: Path, messages: list[str]
) -> None:
    window = make_window(bridge)
    window.updating.update_from(new_file, 1)
    window.orphans_panel.list.setFocus()
    qtbot.keyClick(window.orphans_panel.list, Qt.Key.Key_Delete)
    assert orphan_rows(window) == []
    assert window.store.links() == []
    assert window.session.undo_stack.undoText() == "Delete orphaned highlight"
    window.session.undo_stack.undo()
    assert len(orphan_rows(window)) == 1
    assert len(window.store.links()) == 1


def test_p_without_a_selection_explains(  # type: ignore[no-untyped-def]
    qtbot, make_window: WindowFactory, bridge: Path, new_file: Path, messages: list[str]
) -> None:
    window = make_window(bridge)
    window.updating.update_from(new_file, 1)
    window.view.collapse_selection()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_P)
    assert "Select the passage" in window.statusBar().currentMessage()
    assert len(orphan_rows(window)) == 1


def test_the_old_text_is_shown_with_the_orphans_passage(
    make_window: WindowFactory, bridge: Path, new_file: Path, messages: list[str]
) -> None:
    window = make_window(bridge)
    window.updating.update_from(new_file, 1)
    window.orphans_panel.old_button.click()
    old = window.findChild(OldTextWindow, "oldTextWindow")
    assert old.isVisible()
    assert old.windowTitle().startswith("Old text of “The mayor said")
    assert old.text.textCursor().selectedText() == DELETED
    old.close()


@pytest.mark.parametrize(
    ("answer", "texts"),
    [("update", [NEW]), ("add", [OLD, NEW]), ("cancel", [OLD])],
)
def test_importing_a_new_version_asks_first(
    make_window: WindowFactory,
    bridge: Path,
    new_file: Path,
    messages: list[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    texts: list[str],
) -> None:
    asked: list[tuple[str, int]] = []

    def ask(_parent, version, highlights):  # type: ignore[no-untyped-def]
        asked.append((version.why, highlights))
        return answer

    monkeypatch.setattr("desktop.ui.updating.ask_about_new_version", ask)
    window = make_window(bridge)
    window.files.import_files([new_file])
    assert asked == [("the same file name", 4)]
    assert [window.store.text(d.id) for d in window.store.documents()] == texts
    assert window.view.text == texts[-1]
    assert window.doc_list.doc_model.rowCount() == len(texts)


def test_an_orphans_row_follows_its_links_and_its_tag(
    make_window: WindowFactory, bridge: Path, new_file: Path, messages: list[str]
) -> None:
    """The panel re-reads its orphans only for changes that touch them; these do."""
    window = make_window(bridge)
    window.updating.update_from(new_file, 1)
    assert orphan_rows(window) == [f"evidence: “{DELETED}” · note: A spokesp · 1 link"]
    [link] = window.store.links()
    window.session.run(operations.DeleteLink(link))
    assert orphan_rows(window) == [f"evidence: “{DELETED}” · note: A spokesp"]
    evidence = next(t for t in window.store.tags() if t.name == "evidence")
    window.session.run(operations.EditTag(evidence, "source", evidence.colour, evidence.key))
    assert orphan_rows(window) == [f"source: “{DELETED}” · note: A spokesp"]
    # A highlight added elsewhere leaves the list as it was.
    start = NEW.index("Construction")
    select(window, start, start + len("Construction"))
    window.editing.apply_tag(1)
    assert len(window.store.highlights()) == 4  # the three placed, and this one
    assert orphan_rows(window) == [f"source: “{DELETED}” · note: A spokesp"]
