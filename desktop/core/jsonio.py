"""Reading and writing JSON files of any size, with messages that say what is wrong.

orjson parses and writes about ten times faster than the standard library, which matters for
exports of 100,000 highlights; it also refuses what is not JSON (NaN, Infinity, lone
surrogates, nesting deeper than 1024) instead of passing it on.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import orjson

from desktop.core.errors import InputRefused


def dumps_bytes(data: Any) -> bytes:
    """Indented JSON as UTF-8 (two spaces), ending with a newline; non-ASCII kept as it is."""
    return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE)


def loads(data: bytes, name: str | Path) -> Any:
    """Parse a JSON file's bytes, or raise InputRefused naming the file and the problem."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError as e:
        message = e.msg
        if "not valid UTF-8" in message:
            raise InputRefused(name, "not UTF-8 JSON") from None
        if "surrogate" in message:
            raise InputRefused(
                name, "holds text that is not valid Unicode (a lone surrogate, such as \\ud800)"
            ) from None
        if "depth limit" in message or "recursion" in message:
            raise InputRefused(name, "JSON nested too deeply") from None
        where = f"line {e.lineno}, column {e.colno}"
        raise InputRefused(name, f"not valid JSON ({where}: {message})") from None
