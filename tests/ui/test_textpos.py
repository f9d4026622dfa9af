"""Stored code points <-> Qt positions, with emoji, combining marks, paragraph gaps, long lines."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.ui.textpos import DisplayMap


def check(text: str, mapping: DisplayMap) -> None:
    units = mapping.display.encode("utf-16-le")
    assert len(units) // 2 == mapping.length_qt
    previous = 0
    for cp in range(len(text) + 1):
        qt = mapping.to_qt(cp)
        assert mapping.to_code_point(qt) == cp
        if cp < len(text):
            width = 2 if ord(text[cp]) > 0xFFFF else 1
            shown = "\u240d" if text[cp] == "\r" else text[cp]
            assert units[2 * qt : 2 * (qt + width)].decode("utf-16-le") == shown
    for qt in range(mapping.length_qt + 1):
        cp = mapping.to_code_point(qt)
        assert previous <= cp <= len(text)
        previous = cp
    # Removing what the display added gives the stored text back.
    shown = mapping.display.replace("\u240d", "\r")
    assert shown.replace("\n", "") == text.replace("\n", "")


def test_emoji_and_marks() -> None:
    text = "Kyiv 🇺🇦 flag\n👨\u200d👩\u200d👧 families\nCafe\u0301 owners\n\nEnd 😀"
    mapping = DisplayMap(text)
    check(text, mapping)
    assert mapping.display == text.replace("flag\n", "flag\n\n").replace(
        "families\n", "families\n\n"
    )
    after = text.index("families")
    assert mapping.to_qt(after) == after + 5 + 1  # two flag halves, three emoji, one gap


def test_long_lines_are_broken_for_display_only() -> None:
    text = ("word " * 1000).strip() + "\nshort line\n" + "x" * 4500
    mapping = DisplayMap(text, split_at=2000)
    check(text, mapping)
    lines = mapping.display.split("\n")
    assert max(len(line) for line in lines) <= 2000
    # A selection to the end of a broken display line keeps its last character.
    end_of_first = len(lines[0])
    assert text[: mapping.to_code_point(end_of_first)] == lines[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", " ", "\n", "🇺🇦", "e\u0301", "字", "😀", "\u2028", "bb", "\r"]),
        max_size=120,
    ).map("".join),
    st.sampled_from([5, 8, 50]),
)
def test_conversions_are_exact_for_any_text(text: str, split_at: int) -> None:
    check(text, DisplayMap(text, split_at=split_at))


def test_qt_holds_exactly_the_display_positions(qtbot) -> None:  # type: ignore[no-untyped-def]
    """What the store holds can be odd (a JSON import keeps "\\r\\n"): Qt must count as we do."""
    from PySide6.QtWidgets import QPlainTextEdit

    widget = QPlainTextEdit()
    qtbot.addWidget(widget)
    for text in ["a\r\nb", "x\ry\n\nz", "🇺🇦\r\n\u2028\u2029end", "line\nline\n"]:
        mapping = DisplayMap(text)
        widget.setPlainText(mapping.display)
        assert widget.document().characterCount() - 1 == mapping.length_qt, repr(text)
