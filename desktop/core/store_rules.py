"""What every store checks before it names, colours or keys a tag, a link type or a rating:
plain functions of the new values and the others already there, so that each backend refuses the
same things with the same words."""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop.core.errors import ClaimmarkError
from desktop.core.model import Highlight, Rating, tag_name_problem

COLOUR_RE = re.compile(r"^#[0-9A-Fa-f]{6}$")

# (id, name, colour, key, position) of a tag or a link type, as the stores read them.
NamedRow = tuple[int, str, str, str, int]


def check_named_fields(
    others: Sequence[NamedRow],
    what: str,
    name: str | None,
    colour: str | None,
    key: str | None,
) -> None:
    """Refuse a name, colour or key (None: unchanged) that `others` of the same kind clash with."""
    if name is not None:
        refuse(tag_name_problem(name, what))
        if any(r[1].casefold() == name.casefold() for r in others):
            raise ClaimmarkError(f"There is already a {what} named “{name}”.")
    if colour is not None and not COLOUR_RE.match(colour):
        raise ClaimmarkError(f"“{colour}” is not a colour of the form #rrggbb.")
    if key:
        if len(key) != 1 or key.isspace():
            raise ClaimmarkError(f"A {what}'s key is a single character.")
        clash = next((r for r in others if r[3].casefold() == key.casefold()), None)
        if clash is not None:
            raise ClaimmarkError(f"The key {key} is already used by the {what} “{clash[1]}”.")


def check_rating(others: Sequence[Rating], rating: Rating) -> None:
    """Refuse a rating whose name, value or key another rating of the scale has."""
    if not rating.name.strip() or rating.name != rating.name.strip():
        raise ClaimmarkError("A rating needs a name, without spaces at its ends.")
    if any(r.name.casefold() == rating.name.casefold() for r in others):
        raise ClaimmarkError(f"There is already a rating named “{rating.name}”.")
    if any(r.value == rating.value for r in others):
        raise ClaimmarkError(f"Another rating already has the value {rating.value}.")
    if not COLOUR_RE.match(rating.colour):
        raise ClaimmarkError(f"“{rating.colour}” is not a colour of the form #rrggbb.")
    if rating.key:
        if len(rating.key) != 1 or rating.key.isspace():
            raise ClaimmarkError("A rating's key is a single character.")
        clash = next((r for r in others if r.key.casefold() == rating.key.casefold()), None)
        if clash is not None:
            raise ClaimmarkError(f"The key {rating.key} is already used by “{clash.name}”.")


def refuse(problem: str | None) -> None:
    """Raise the problem a model check found (model.py's `..._problem`), as a sentence."""
    if problem:
        raise ClaimmarkError(f"{problem[:1].upper()}{problem[1:]}.")


def place_state(h: Highlight) -> tuple[object, ...]:
    """Where a highlight is, as `set_highlight_places` checks it against `expected`: its
    offsets, its quote and its orphan mark (a change of context alone is no move)."""
    return (h.start, h.end, h.quote, h.orphaned_version)


def expected_for(highlights: Sequence[Highlight], expected: Sequence[Highlight]) -> list[Highlight]:
    """The record in `expected` of each of `highlights`, matched by id."""
    by_id = {h.id: h for h in expected}
    missing = [h.id for h in highlights if h.id not in by_id]
    if missing:
        raise ValueError(f"no expected record for highlights {missing[:5]}")
    return [by_id[h.id] for h in highlights]


def check_placement(text: str, h: Highlight) -> None:
    """Refuse to place a highlight (not an orphan) where its quote is not in `text`."""
    if h.orphaned:
        return
    if not 0 <= h.start < h.end <= len(text) or text[h.start : h.end] != h.quote:
        raise ClaimmarkError(
            f"a highlight cannot be placed at {h.start}-{h.end} of document "
            f"{h.document_id}: its text is not there."
        )
