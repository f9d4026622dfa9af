"""Reading a text file into exact text: encoding, line endings, and refusals with reasons.

UTF-8 (with or without BOM) and UTF-16/32 with a BOM are read directly; other encodings are
detected with charset-normalizer and the file is refused when it cannot tell. Line endings
(CRLF and lone CR) become `\\n`; nothing else in the text is changed.

A file that is mostly UTF-8 (more of its non-ASCII characters are valid UTF-8 than not) is
UTF-8 with a few bad bytes, typically a Windows-1252 character pasted into it. Read in a legacy
encoding, every other non-ASCII character of it would become mojibake (“ as ‚Äú in Mac Roman).
claimmark does not guess what the bad bytes meant: it refuses the file and names them, with
their line and column, so they can be fixed.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import stat
from pathlib import Path

from charset_normalizer import from_bytes

from desktop.core.errors import InputRefused

MAX_DOCUMENT_BYTES = 32 * 1024 * 1024  # 32 MiB: a long book is about 2 MB

# Boms longest first: the UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# When the detector finds several equally good legacy encodings (common for short Western
# text), prefer the ones such files are really written in.
_PREFERRED_LEGACY = ("cp1252", "iso8859_15", "latin_1", "cp1250", "cp1251", "mac_roman")
_CP1252_MARGIN = 0.1
_CONTROL_OK = {"\n", "\r", "\t", "\f", "\v"}
_BAD_BYTE = re.compile("[\udc80-\udcff]")  # what surrogateescape makes of a byte it cannot read
_C1_CONTROLS = re.compile("[\x80-\x9f]")  # never meant in text: a wrong legacy guess made them
_BAD_BYTES_NAMED = 3


def read_bytes(path: Path, limit: int) -> bytes:
    """The file's bytes, or InputRefused naming why they cannot be read."""
    if not path.exists():
        raise InputRefused(path, "no such file")
    if path.is_dir():
        raise InputRefused(path, "is a folder, not a file")
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # reading a pipe waits forever, /dev/zero never ends
            raise InputRefused(path, "not a regular file (a device, a pipe or a socket)")
        size = info.st_size
        if size > limit:
            raise InputRefused(
                path, f"too large ({size / 1048576:.1f} MB; the limit is {limit // 1048576} MB)"
            )
        return path.read_bytes()
    except PermissionError:
        raise InputRefused(path, "cannot be read (permission denied)") from None
    except OSError as e:
        raise InputRefused(path, f"cannot be read ({e.strerror})") from None


def name_as_text(name: str) -> str:
    """A file name as text that can be stored: the bytes of a name that is not UTF-8 (which
    Python keeps as lone surrogates) written as escapes, `caf\\xe9.txt`."""
    if name.isascii():
        return name
    return os.fsencode(name).decode("utf-8", "backslashreplace")


def normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, name: str | Path) -> tuple[str, str]:
    """Decode a document's bytes; return (text, encoding name) or raise InputRefused."""
    if not data:
        raise InputRefused(name, "the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), encoding
            except UnicodeDecodeError as e:
                if encoding == "utf-8":
                    problem = bad_utf8(data[len(bom) :])
                    reason = f"starts with a UTF-8 byte order mark but has {problem}{_FIX_UTF8}"
                    raise InputRefused(name, reason) from None
                reason = f"starts with a {encoding} byte order mark but is not {encoding}"
                raise InputRefused(name, f"{reason} ({e.reason})") from None
    if b"\x00" in data:
        raise InputRefused(name, "contains NUL bytes: a binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    readable = data.decode("utf-8", "ignore")  # the valid UTF-8 of it
    bad = len(data.decode("utf-8", "surrogateescape")) - len(readable)  # one per bad byte
    valid_non_ascii = len(readable) - len(readable.encode("ascii", "ignore"))
    if valid_non_ascii >= bad:
        raise InputRefused(name, f"UTF-8 text with {bad_utf8(data)}{_FIX_UTF8}")
    for text, encoding in _legacy_guesses(data):
        if not _C1_CONTROLS.search(text):  # plausible for the whole text, not just a sample
            return text, encoding
    raise InputRefused(name, "not text, or in an encoding that cannot be told")


def bad_utf8(data: bytes) -> str:
    """Where UTF-8 `data` holds bytes that are not UTF-8, in words (`2 bytes that are not UTF-8:
    0x92 at line 3, column 28; …`): the first few, by line and column (in characters, from 1)."""
    escaped = data.decode("utf-8", "surrogateescape")
    count = len(escaped) - len(data.decode("utf-8", "ignore"))  # one surrogate per bad byte
    named = []
    for match in itertools.islice(_BAD_BYTE.finditer(escaped), _BAD_BYTES_NAMED):
        before = escaped[: match.start()]
        line = normalise_newlines(before).count("\n") + 1
        column = match.start() - max(before.rfind("\n"), before.rfind("\r"))
        named.append(f"0x{ord(match.group()) - 0xDC00:02X} at line {line}, column {column}")
    more = f", and {count - len(named)} more" if count > len(named) else ""
    bytes_are = "1 byte that is" if count == 1 else f"{count} bytes that are"
    return f"{bytes_are} not UTF-8: {'; '.join(named)}{more}"


_FIX_UTF8 = (
    ". claimmark does not guess what they meant: replace them (or save the file as UTF-8 "
    "again) and import it again"
)


def _legacy_guesses(data: bytes) -> list[tuple[str, str]]:
    """The detector's readings of `data`, most likely first."""
    results = from_bytes(data)
    best = results.best()
    if best is None:
        return []
    guesses: list[tuple[str, str]] = []
    # Windows-1252 keeps its typographic punctuation (“ ” ‘ ’ – — … €) in bytes 0x80-0x9F,
    # where DOS and Mac code pages have accented letters: the detector finds the letters
    # slightly less chaotic, and short English text in cp1252 came out as mojibake. A file that
    # reads nearly as well as cp1252 is far more likely to be cp1252.
    for match in results:
        if match.chaos <= best.chaos + _CP1252_MARGIN and (
            match.encoding == "cp1252" or "cp1252" in match.could_be_from_charset
        ):
            guesses.append((data.decode("cp1252"), "cp1252"))
            break
    good = [m for m in results if m.chaos <= best.chaos + 0.01]
    for preferred in _PREFERRED_LEGACY:
        for match in good:
            if match.encoding == preferred or preferred in match.could_be_from_charset:
                guesses.append((data.decode(preferred), preferred))
    guesses.append((str(best), best.encoding))
    return guesses


def check_text(text: str, name: str | Path) -> None:
    """Refuse text that is empty or mostly control characters (binary data in disguise)."""
    if not text.strip():
        raise InputRefused(name, "holds no text (only white space)")
    sample = text[:65536]
    controls = sum(1 for c in sample if c < " " and c not in _CONTROL_OK)
    if controls > len(sample) // 100 + 2:
        raise InputRefused(name, "holds control characters: a binary file, not text")


def read_text_file(path: Path, limit: int = MAX_DOCUMENT_BYTES) -> tuple[str, str]:
    """Read a document file as (text with `\\n` newlines, encoding), or raise InputRefused."""
    text, encoding = decode(read_bytes(path, limit), path)
    text = normalise_newlines(text)
    check_text(text, path)
    return text, encoding
