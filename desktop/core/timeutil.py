"""Timestamps as ISO 8601 UTC text, the form stored in the project and written in exports."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """Now, as `2026-11-24T03:12:51.123Z` (millisecond precision, always UTC)."""
    now = datetime.now(UTC)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
