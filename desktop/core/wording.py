"""Counts in words, for messages and reports: "1 document", "2 documents"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str = "") -> str:
    """`number` with `noun`, singular for one and plural otherwise (`noun` + "s" unless
    `plural` is given): "1 highlight", "0 highlights", "3 passages"."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
