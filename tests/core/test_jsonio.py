"""JSON reading and writing: one record per line without touching any text."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.core import jsonio
from desktop.core.errors import InputRefused

TRICKY = ['},{"id":2', '"documents":[', "\\", '"', "\n", "}]", "\u2028", "🇺🇦"]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([*TRICKY, "a", " "]), max_size=12).map("".join))
def test_records_on_their_own_lines_and_text_unchanged(text: str) -> None:
    data = {
        "format": "claimmark",
        "tags": [{"name": text, "colour": "#000000", "key": ""}],
        "documents": [{"id": 1, "text": text}, {"id": 2, "text": text[::-1]}],
        "highlights": [{"id": "a", "quote": text, "note": text}, {"id": "b", "quote": ""}],
    }
    out = jsonio.dumps_records(data, ("documents", "highlights"))
    assert json.loads(out) == data
    lines = out.decode().split("\n")[:-1]  # not splitlines: U+2028 in a text is no break
    assert lines[1] == '"documents":['
    assert lines[4] == '"highlights":['
    assert len(lines) == 7


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"\xef\xbb\xbf{}", None),  # a byte order mark is fine
        (b"{", "not valid JSON (line 1"),
        (b'["\\ud800"]', "lone surrogate"),
        (b"[" * 2000 + b"]" * 2000, "nested too deeply"),
        (b'["caf\xe9"]', "not UTF-8"),
    ],
)
def test_loads_refuses_with_reasons(raw: bytes, reason: str | None) -> None:
    if reason is None:
        assert jsonio.loads(raw, "x.json") == {}
    else:
        with pytest.raises(InputRefused, match=re.escape(reason)):
            jsonio.loads(raw, "x.json")
