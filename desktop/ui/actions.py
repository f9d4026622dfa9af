"""Every fixed action of the window, with its text and shortcut, in one place.

Menus, the tag panel and the keyboard all use these QActions. The per-tag actions (keys 1, 2,
3...) follow the project's tags and are made by the main window from the same helper.

A standard key (New, Find Next…) stands for whatever keys the platform binds to it, and these
differ: on X11 desktops Delete is also Ctrl+D, Find Next also Ctrl+G on GNOME. Two actions with
one key fire neither ("Ambiguous shortcut overload"), so a standard key is used only where none
of its platforms' keys is one of ours; the delete actions are the Delete key itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

StandardKey = QKeySequence.StandardKey
DELETE_KEY = QKeySequence(Qt.Key.Key_Delete)


@dataclass(frozen=True)
class Spec:
    text: str
    shortcuts: tuple[QKeySequence | StandardKey | str, ...] = ()
    tip: str = ""
    checkable: bool = False


# A text's & marks its mnemonic: one item per letter in each menu, and Alt+letter once in the
# window (menu bar, tabs, buttons).
SPECS: dict[str, Spec] = {
    "new_project": Spec("&New Project…", (StandardKey.New,), "Start a new project file"),
    "open_project": Spec("&Open Project…", (StandardKey.Open,), "Open another project file"),
    "import": Spec(
        "&Import…",
        ("Ctrl+I",),
        "Import documents (text, web pages, PDF, Word), or a claimmark JSON or W3C export",
    ),
    "import_url": Spec(
        "Import from &URL…",
        ("Ctrl+Shift+I",),
        "Import a web page, or a PDF or Word document on the web, by its address",
    ),
    "import_brat": Spec("Import &brat Folder…", (), "Import a folder of brat standoff files"),
    "update_document": Spec(
        "Up&date Document from File…",
        (),
        "Replace the open document's text with a new version, keeping its highlights in place",
    ),
    "export": Spec(
        "&Export…", ("Ctrl+E",), "Export highlights as JSON, W3C, CSV, doccano JSONL or brat"
    ),
    "delete_document": Spec(
        "De&lete Document…",
        (DELETE_KEY,),
        "Remove the open document and its highlights from the project (Delete in the list)",
    ),
    "restore_backup": Spec(
        "&Restore Backup…", (), "Put back the project as it was at one of its backups"
    ),
    "quit": Spec("&Quit", (StandardKey.Quit,)),
    "find": Spec("&Find…", (StandardKey.Find,), "Find text in the open document"),
    "find_next": Spec("Find &Next", (StandardKey.FindNext,)),
    "find_all": Spec(
        "Find in &All Documents…", ("Ctrl+Shift+F",), "Find text in every document of the project"
    ),
    "edit_document": Spec(
        "&Edit Details…", ("F2",), "Title, author, outlet, date and web address of the document"
    ),
    "find_previous": Spec("Find Pre&vious", (StandardKey.FindPrevious,)),
    "annotator": Spec("Anno&tator…", (), "The name recorded on your new highlights"),
    "mark_done": Spec(
        "Mark Document &Done",
        ("Ctrl+D",),
        "Mark the open document done (or not done) for you; the document list shows it",
        checkable=True,
    ),
    "blind_mode": Spec(
        "&Blind Mode",
        ("Ctrl+Shift+B",),
        "Show only your own highlights, so others' work does not bias yours",
        checkable=True,
    ),
    "merge": Spec(
        "&Merge Annotations…",
        (),
        "Bring in another annotator's claimmark JSON export of the same documents",
    ),
    "agreement": Spec(
        "&Agreement…", ("Ctrl+Shift+A",), "How much the annotators agree, and where they differ"
    ),
    "curation": Spec(
        "&Curation…",
        ("Ctrl+Shift+U",),
        "Settle the annotators' disagreements one by one into a gold version",
    ),
    "delete_highlight": Spec(
        "&Delete Highlight", (DELETE_KEY,), "Delete the highlight under the cursor"
    ),
    "edit_note": Spec("Edit &Note…", ("N",), "Write a note on the highlight under the cursor"),
    "link": Spec(
        "&Link to…",
        ("L",),
        "Link the highlight under the cursor to another: move there and press Enter (L again: "
        "pick a claim)",
    ),
    "verdict": Spec("&Verdict…", ("V",), "Give the claim under the cursor a verdict"),
    "place_orphan": Spec(
        "&Place Orphan Here",
        ("P",),
        "Place the orphaned highlight chosen in the Orphans panel on the selected passage",
    ),
    "next_highlight": Spec(
        "Ne&xt Highlight", ("Alt+Down",), "Go to the next highlight in the list"
    ),
    "previous_highlight": Spec(
        "P&revious Highlight", ("Alt+Up",), "Go to the previous highlight in the list"
    ),
    "focus_text": Spec("Go to &Text", ("Ctrl+1",), "Move the keyboard focus to the text"),
    "focus_documents": Spec("Go to &Documents", ("Ctrl+2",)),
    "focus_highlights": Spec("Go to &Highlights", ("Ctrl+3",)),
    "focus_filter": Spec("Go to the &Filter", ("Ctrl+L",), "Filter the highlight list"),
    "side_panel": Spec(
        "Side &Panel", ("F9",), "Show or hide the tags and the highlight panel", checkable=True
    ),
    "filtered_tags_only": Spec(
        "Show Only Filtered Ta&gs in Text",
        (),
        "Draw only the tags toggled on in the highlight list",
        checkable=True,
    ),
    "zoom_in": Spec("Zoom &In", (StandardKey.ZoomIn, "Ctrl+=")),
    "zoom_out": Spec("Zoom &Out", (StandardKey.ZoomOut,)),
    "zoom_reset": Spec("&Actual Size", ("Ctrl+0",), "The text at its usual size"),
    "refresh": Spec("&Refresh", (StandardKey.Refresh,), "Show changes made by another window"),
    "guidelines": Spec("Annotation &Guidelines", (StandardKey.HelpContents,)),
    "shortcuts": Spec("&Keyboard Shortcuts", ()),
    "about": Spec("&About claimmark", ()),
}

# Actions whose keys are plain letters or Delete: they must only fire in the text, never while
# typing in a field.
TEXT_ONLY = ("delete_highlight", "edit_note", "link", "verdict", "place_orphan")
# Delete in the document list deletes the document: only there (in the text it deletes a
# highlight).
LIST_ONLY = ("delete_document", "edit_document")


def make_action(parent: QObject, spec: Spec) -> QAction:
    action = QAction(spec.text, parent)
    keys: list[QKeySequence] = []
    for shortcut in spec.shortcuts:
        if isinstance(shortcut, StandardKey):
            keys.extend(QKeySequence.keyBindings(shortcut))
        else:
            keys.append(QKeySequence(shortcut))
    unique: list[QKeySequence] = []
    for key in keys:
        if not key.isEmpty() and key not in unique:
            unique.append(key)
    action.setShortcuts(unique)
    if spec.tip:
        action.setStatusTip(spec.tip)
        action.setToolTip(spec.tip)
    action.setCheckable(spec.checkable)
    return action


def create_actions(parent: QObject) -> dict[str, QAction]:
    actions = {name: make_action(parent, spec) for name, spec in SPECS.items()}
    for name in (*TEXT_ONLY, *LIST_ONLY):
        actions[name].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    return actions
