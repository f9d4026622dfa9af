"""Reading JSON files: what is wrong is said."""

from __future__ import annotations

import re

import pytest

from desktop.core import jsonio
from desktop.core.errors import InputRefused


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
