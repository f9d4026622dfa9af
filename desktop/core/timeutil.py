"""Timestamps as ISO 8601 UTC text, the form stored in the project and written in exports."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

# RFC 3339 section 5.6 (a date-time with a time zone), with the space its note allows between
# the date and the time, and the lower-case t and z it allows too.
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"
)
# The form claimmark writes; the common case of an import, kept as it is.
_CANONICAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def utc_now() -> str:
    """Now, as `2026-11-24T03:12:51.123Z` (millisecond precision, always UTC)."""
    return utc_text(datetime.now(UTC))


def utc_text(moment: datetime) -> str:
    """A time zone-aware moment as `2026-11-24T03:12:51.123Z` (milliseconds, UTC)."""
    moment = moment.astimezone(UTC)
    # Not strftime("%Y"): it writes the year 999 as "999", which is not an RFC 3339 year.
    return (
        f"{moment.year:04d}-"
        + moment.strftime("%m-%dT%H:%M:%S.")
        + f"{moment.microsecond // 1000:03d}Z"
    )


def normalise_timestamp(text: str) -> str | None:
    """An RFC 3339 timestamp (`2026-11-29T04:36:37+00:00`, `…37.5Z`, `…37.123456-05:00`) as
    claimmark's UTC form `2026-11-29T04:36:37.000Z`, or None when it is not one.

    Fractions finer than a millisecond are cut off (never rounded up into the next second); a
    leap second (`:60`) becomes the last millisecond of its minute, as Python has no `:60`.
    """
    if _CANONICAL.fullmatch(text):
        return text
    match = _RFC3339.fullmatch(text)
    if match is None:
        return None
    day, hours_minutes, seconds, fraction, zone = match.groups()
    leap = seconds == "60"
    millis = (fraction or ".0")[1:4].ljust(3, "0")
    offset = "+00:00" if zone in ("Z", "z") else zone
    try:
        moment = datetime.fromisoformat(
            f"{day}T{hours_minutes}:{'59' if leap else seconds}.{millis}{offset}"
        )
        if leap:
            moment += timedelta(milliseconds=999 - int(millis))
        return utc_text(moment)
    except (ValueError, OverflowError):  # a 31st of February, or before the year 1 in UTC
        return None
