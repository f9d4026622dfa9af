"""Progress and cancelling for long exports, so a worker thread can drive them from the window.

The core never waits on the window: it calls `on_progress(done, total)` now and then and asks
`is_cancelled()` between steps; when that answers true it raises `Cancelled`, and the writer
removes whatever it had started, so a cancelled export leaves no file behind. What the user
should be told when the work is done (what a format could not carry) is collected in `notes`.
"""

from __future__ import annotations

from collections.abc import Callable

from desktop.core.errors import ClaimmarkError

ProgressCallback = Callable[[int, int], None]  # (steps done, steps in all)
CancelCheck = Callable[[], bool]

# Reporting every step of 100,000 would flood a GUI event queue: report about 200 times.
_REPORTS = 200


class Cancelled(ClaimmarkError):
    """The user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Cancelled; nothing was written.")


class Progress:
    """Passes progress on (at most about 200 times per run) and stops the work when cancelled."""

    def __init__(
        self,
        on_progress: ProgressCallback | None = None,
        is_cancelled: CancelCheck | None = None,
    ) -> None:
        self._on_progress = on_progress
        self._is_cancelled = is_cancelled
        self._last = -1
        self.notes: list[str] = []

    def note(self, text: str) -> None:
        """Something the user should read once the work is done."""
        self.notes.append(text)

    def check(self) -> None:
        """Raise Cancelled if the user asked to stop."""
        if self._is_cancelled is not None and self._is_cancelled():
            raise Cancelled()

    def step(self, done: int, total: int) -> None:
        """Report `done` of `total`; raise Cancelled if the user asked to stop."""
        self.check()
        if self._on_progress is None:
            return
        if done in (0, total) or done - self._last >= max(1, total // _REPORTS):
            self._last = done
            self._on_progress(done, total)
