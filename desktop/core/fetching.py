"""Fetching a document from the web (http and https), for `claimmark import URL` and the
window's File > Import from URL.

The standard library's urllib does the work, on a thread of its own: the caller waits for it
in short steps, reports progress and can cancel at once, even while a server keeps it waiting.
A server that sends nothing for `TIMEOUT_S` seconds is given up on. Every failure becomes an
InputRefused naming the address and saying what happened in words (offline, refused, no
answer, the server's status), never a traceback.

The network modules (urllib.request, http.client, ssl) are imported when something is fetched:
the command line and the window load this module at start, and they cost 20 ms there.
"""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from desktop import __version__
from desktop.core.errors import InputRefused
from desktop.core.progress import Cancelled

TIMEOUT_S = 20.0  # no answer, or nothing more sent, for this long: give up
MAX_FETCH_BYTES = 128 * 1024 * 1024
_CHUNK = 64 * 1024
_POLL_S = 0.1
# Some sites refuse a client that does not say what it is.
USER_AGENT = f"Mozilla/5.0 (compatible; claimmark/{__version__})"
_STATUS_HINTS = {
    401: "the page needs a login: open it in your browser, save it, and import the file",
    403: "the site refuses to give the page to claimmark: open it in your browser, save it, "
    "and import the file",
    404: "there is no such page (is the address right?)",
    410: "the page has been removed",
    429: "the site asks for fewer requests: try again later",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # where the document was found, after any redirects
    content_type: str  # the media type the server gave, lower case ("" if none)
    data: bytes


def is_url(text: str) -> bool:
    """Whether a command-line argument or a typed address is a web address to fetch."""
    return text.strip().lower().startswith(("http://", "https://"))


def fetch(
    url: str,
    *,
    on_progress: Callable[[int, int], None] | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Fetched:
    """Fetch `url`; report (bytes so far, bytes in all or 0 when unknown) as they come.

    Raises InputRefused naming `url`, or Cancelled as soon as `is_cancelled()` says so.
    """
    url = url.strip()
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InputRefused(url, "not a web address (http:// or https://) that can be fetched")
    progress = _Transfer()
    finished = threading.Event()
    outcome: list[Fetched | BaseException] = []

    def download() -> None:
        try:
            outcome.append(_download(url, parts.hostname or "", progress))
        except BaseException as e:  # handed to the waiting caller, which raises it
            outcome.append(e)
        finally:
            finished.set()

    threading.Thread(target=download, name="claimmark-fetch", daemon=True).start()
    while not finished.wait(_POLL_S):
        if is_cancelled is not None and is_cancelled():
            progress.stop = True  # the download thread ends at its next chunk or time-out
            raise Cancelled()
        if on_progress is not None:
            on_progress(progress.done, progress.total)
    [result] = outcome
    if isinstance(result, BaseException):
        raise result
    if on_progress is not None:
        on_progress(len(result.data), len(result.data))
    return result


class _Transfer:
    """What the download thread tells the waiting caller (plain attributes: one writer)."""

    def __init__(self) -> None:
        self.done = 0
        self.total = 0
        self.stop = False


def _download(url: str, host: str, progress: _Transfer) -> Fetched:
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            size = int(response.headers.get("Content-Length") or 0)
            if size > MAX_FETCH_BYTES:
                raise InputRefused(url, _too_large(size))
            progress.total = size
            chunks: list[bytes] = []
            while chunk := response.read(_CHUNK):
                if progress.stop:
                    raise Cancelled()
                chunks.append(chunk)
                progress.done += len(chunk)
                if progress.done > MAX_FETCH_BYTES:
                    raise InputRefused(url, _too_large(progress.done))
            return Fetched(
                url=response.geturl(),
                content_type=response.headers.get_content_type().lower()
                if response.headers.get("Content-Type")
                else "",
                data=b"".join(chunks),
            )
    except urllib.error.HTTPError as e:
        hint = _STATUS_HINTS.get(e.code) or (
            "a problem on the server's side: try again later" if e.code >= 500 else ""
        )
        raise InputRefused(
            url, f"the server answered {e.code} {e.reason}" + (f": {hint}" if hint else "")
        ) from None
    except urllib.error.URLError as e:
        raise InputRefused(url, _connection_problem(e.reason, host)) from None
    except TimeoutError:
        raise InputRefused(url, f"{host} sent nothing for {TIMEOUT_S:g} s (timed out)") from None
    except http.client.IncompleteRead:
        raise InputRefused(url, f"{host} closed the connection before all was sent") from None
    except (http.client.HTTPException, ConnectionError) as e:
        raise InputRefused(
            url, f"the connection to {host} failed ({e or type(e).__name__})"
        ) from None
    except ValueError as e:  # urllib's word for an address it cannot use
        raise InputRefused(url, f"not an address that can be fetched ({e})") from None


def _connection_problem(reason: object, host: str) -> str:
    """In words: why no connection to `host` could be made."""
    import socket
    import ssl

    if isinstance(reason, socket.gaierror):
        return f"cannot find the server {host}: are you offline, or is the address mistyped?"
    if isinstance(reason, ConnectionRefusedError):
        return f"{host} refused the connection (no web server there?)"
    if isinstance(reason, TimeoutError):
        return f"no answer from {host} within {TIMEOUT_S:g} s (timed out): are you offline?"
    if isinstance(reason, ssl.SSLCertVerificationError):
        return f"{host}'s certificate cannot be trusted ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return f"no secure connection to {host} ({reason.reason or reason})"
    if isinstance(reason, OSError) and reason.strerror:
        return f"cannot connect to {host} ({reason.strerror}): are you offline?"
    return f"cannot connect to {host} ({reason})"


def _too_large(size: int) -> str:
    return f"too large ({size / 1048576:.1f} MB; the limit is {MAX_FETCH_BYTES // 1048576} MB)"
