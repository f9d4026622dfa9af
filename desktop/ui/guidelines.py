"""A short annotation guideline for claim, evidence and opinion, with examples from the seeds."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

GUIDELINES: tuple[tuple[str, str, str, str], ...] = (
    (
        "Claim",
        "A statement presented as fact, which could be checked and found true or false. Mark the "
        "smallest passage that states it; the claim does not need to be true.",
        "Daesh has historically been at the service of Western powers.",
        "“Moscow massacre: Who created Daesh and whose agenda does it serve” (Press TV)",
    ),
    (
        "Evidence",
        "What is offered in support of a claim: figures, documents, events with a date and place, "
        "statements attributed to a named source. Mark it even when the source may be doubtful; "
        "say why in a note.",
        "The Organization for the Prohibition of Chemical Weapons (OPCW) stated on 22 February "
        "that there are “reasonable grounds” to believe that ISIS perpetrated chemical weapons "
        "attacks on the town of Marea, close to Aleppo, in 2015.",
        "“OPCW attributes 2015 Syria chemical attack to ISIS: Report” (The Cradle)",
    ),
    (
        "Opinion",
        "A judgement, value, prediction or speculation that no fact could settle: what the writer "
        "thinks, fears or wants. Loaded wording around a claim is often opinion.",
        "One thing is undeniable: wherever you find Daesh, you will always find the shadow of "
        "the US with it.",
        "“Moscow massacre: Who created Daesh and whose agenda does it serve” (Press TV)",
    ),
)

TIPS = (
    "A passage can hold several things: highlights may overlap (a claim inside an opinion).",
    "Leave out quotation marks and spaces at the edges; claimmark trims spaces for you.",
    "When unsure, choose the tag and write why in a note (N).",
)


def guidelines_html() -> str:
    parts = ["<h2>Annotation guidelines</h2>"]
    for name, meaning, example, source in GUIDELINES:
        parts.append(
            f"<h3>{html.escape(name)}</h3><p>{html.escape(meaning)}</p>"
            f"<blockquote><i>{html.escape(example)}</i><br><small>{html.escape(source)}</small>"
            "</blockquote>"
        )
    parts.append("<h3>Tips</h3><ul>")
    parts.extend(f"<li>{html.escape(tip)}</li>" for tip in TIPS)
    parts.append("</ul>")
    return "".join(parts)


class GuidelinesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Annotation Guidelines")
        self.resize(560, 620)
        browser = QTextBrowser()
        browser.setHtml(guidelines_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(browser)
        layout.addWidget(buttons)
