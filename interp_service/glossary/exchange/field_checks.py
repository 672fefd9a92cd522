"""Checks of single values of an import file that the readers make on every row or element,
so that each bad value is reported with its own line: the longest value each stored field
takes, and no direction controls in a term (see `interp_service.invisible`)."""

from __future__ import annotations

from interp_service.invisible import BIDI_MESSAGE, has_bidi_control

__all__ = [
    "CITATION_LIMIT",
    "CONCEPT_LIMITS",
    "TERM_LIMITS",
    "bidi_problem",
    "too_long",
]

# Longest value each stored field takes (characters), as in the tables.
CONCEPT_LIMITS = {"external_id": 64, "subject_field": 64}
TERM_LIMITS = {"variety": 64, "text": 300, "source": 300, "ipa": 300, "part_of_speech": 16}
CITATION_LIMIT = 200


def too_long(name: str, value: str, limit: int) -> str | None:
    """The problem with a value longer than its field takes, named as the file names it."""
    if len(value) <= limit:
        return None
    return f"{name} 超过 {limit} 个字符（共 {len(value)} 个）"


def bidi_problem(name: str, value: str) -> str | None:
    """The problem with a term that holds a direction control."""
    return f"{name}{BIDI_MESSAGE}" if has_bidi_control(value) else None
