"""The argument structure a project's links and verdicts describe: which highlights are claims
and evidence, which claims nothing supports, which evidence supports nothing.

Claims and evidence are the highlights of the tags named `claim` and `evidence`, and support is
a link of the type named `supports` from the evidence to the claim (names compared without
case), as in a new project. A project that renamed them has no such highlights or links.
"""

from __future__ import annotations

from collections.abc import Iterable

from desktop.core.model import Link, RelationType, Tag

CLAIM, EVIDENCE, SUPPORTS = "claim", "evidence", "supports"


def tag_ids_named(tags: Iterable[Tag], name: str) -> set[int]:
    return {t.id for t in tags if t.name.casefold() == name}


def support_type_ids(types: Iterable[RelationType]) -> set[int]:
    return {t.id for t in types if t.name.casefold() == SUPPORTS}


def supported(links: Iterable[Link], supports: set[int]) -> set[int]:
    """Ids of the highlights some link of a supporting type points to."""
    return {link.to_id for link in links if link.type_id in supports}


def supporting(links: Iterable[Link], supports: set[int]) -> set[int]:
    """Ids of the highlights some link of a supporting type starts from."""
    return {link.from_id for link in links if link.type_id in supports}
