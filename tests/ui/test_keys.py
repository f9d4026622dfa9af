"""The window's keys on every platform: no shortcut claimed twice (Qt fires neither of two), the
Delete key alone for deleting, and menu mnemonics (Alt+letter, a letter in an open menu) that
each lead to one item."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QLabel, QMenu, QTabBar, QWidget

from desktop.ui.main_window import MainWindow
from tests.ui import platform_keys
from tests.ui.conftest import WindowFactory, select
from tests.ui.test_annotators import subtitle

TABLES = {"xcb": platform_keys.XCB, "xcb-gnome": platform_keys.XCB_GNOME}


@pytest.fixture(params=["this platform", *TABLES])
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The standard keys (Delete, Find Next…) as this platform binds them, or as X11 desktops
    do (recorded there): the window must get its keys right on each."""
    table = TABLES.get(request.param)
    if table is not None:

        def key_bindings(key: QKeySequence.StandardKey) -> list[QKeySequence]:
            return [QKeySequence(k) for k in table.get(key.name, [])]

        monkeypatch.setattr(QKeySequence, "keyBindings", staticmethod(key_bindings))
    return request.param


def where_it_fires(action: QAction) -> object:
    """The widget whose focus a widget shortcut needs; "window" for the others (they fire
    wherever the focus is in the window)."""
    if action.shortcutContext() != Qt.ShortcutContext.WidgetShortcut:
        return "window"
    [widget] = [
        w for w in action.associatedObjects() if isinstance(w, QWidget) and not isinstance(w, QMenu)
    ]
    return widget


def fire_together(places: list[object]) -> bool:
    """Whether actions that fire in these places (see where_it_fires) can be pressed at once."""
    return len(places) > 1 and ("window" in places or len(set(places)) < len(places))


def test_delete_actions_are_the_delete_key_alone(platform: str, make_window: WindowFactory) -> None:
    window = make_window()
    for name in ("delete_highlight", "delete_document"):
        keys = [k.toString() for k in window.actions[name].shortcuts()]
        assert keys == ["Del"], (platform, name, keys)


def test_no_two_actions_share_a_shortcut(platform: str, make_window: WindowFactory) -> None:
    window = make_window()
    claims: dict[str, list[tuple[str, object]]] = defaultdict(list)
    for action in window.findChildren(QAction):
        if not action.isEnabled():
            continue
        for key in action.shortcuts():
            claims[key.toString()].append((action.text(), where_it_fires(action)))
    assert claims["Ctrl+D"]  # the actions are all there
    clashes = {
        key: [text for text, _where in found]
        for key, found in claims.items()
        if fire_together([where for _text, where in found])
    }
    assert clashes == {}, platform


def test_ctrl_d_marks_the_document_done_in_the_text_and_in_the_list(  # type: ignore[no-untyped-def]
    qtbot, platform: str, make_window: WindowFactory
) -> None:
    window = make_window()
    window.open_document(1)
    select(window, 0, 9)
    qtbot.keyClick(window.view, Qt.Key.Key_1)
    select(window, 3, 3)  # the cursor in the highlight, where Delete would delete it
    qtbot.keyClick(window.view, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert subtitle(window, 1).startswith("✓ done"), platform
    assert window.statusBar().currentMessage() == "Document marked done for you."
    window.doc_list.setFocus()
    qtbot.keyClick(window.doc_list, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier)
    assert subtitle(window, 1).startswith("◐ in progress")
    assert window.statusBar().currentMessage() == "Document marked not done for you."
    assert len(window.store.highlights()) == 1  # nothing deleted on the way
    assert window.store.document(1) is not None


def mnemonic(text: str) -> str:
    """The Alt+letter a text's & gives ("" without one; && is a plain &)."""
    return QKeySequence.mnemonic(text).toString()


def repeated(texts: list[str]) -> dict[str, list[str]]:
    keys = Counter(mnemonic(t) for t in texts)
    return {
        key: [t for t in texts if mnemonic(t) == key] for key, n in keys.items() if key and n > 1
    }


def test_each_menu_mnemonic_leads_to_one_item(window: MainWindow) -> None:
    menus = window.findChildren(QMenu)
    assert {m.title() for m in menus} >= {"&File", "&Edit", "&View", "Interface &Size"}
    in_menus = {m.title(): repeated([a.text() for a in m.actions()]) for m in menus}
    assert {title: found for title, found in in_menus.items() if found} == {}
    assert all(mnemonic(a.text()) for a in window.menuBar().actions())
    # Alt+letter in the window: the menu bar's, the tabs', the buttons' and the labels'.
    texts = [a.text() for a in window.menuBar().actions()]
    for tabs in window.findChildren(QTabBar):
        texts += [tabs.tabText(i) for i in range(tabs.count())]
    texts += [b.text() for b in window.findChildren(QAbstractButton)]
    texts += [label.text() for label in window.findChildren(QLabel) if label.buddy()]
    assert repeated(texts) == {}
