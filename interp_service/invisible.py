"""Invisible characters: zero-width characters and bidirectional (direction) controls.

They change nothing a reader sees, yet split a term for a program: `取​保​候​审` (with U+200B
between the characters) is not 取保候审 to a plain string comparison. Lookup, term
recognition and translation normalisation strip them (`strip_invisible`,
`strip_invisible_mapped`); names and titles refuse direction controls (`refuse_bidi_controls`),
which can make text display in an order other than the one stored.
"""

from __future__ import annotations

import re

__all__ = [
    "BIDI_CONTROLS",
    "BIDI_MESSAGE",
    "INVISIBLE",
    "ZERO_WIDTH",
    "has_bidi_control",
    "has_invisible",
    "refuse_bidi_controls",
    "strip_invisible",
    "strip_invisible_mapped",
]

# Zero-width space, non-joiner, joiner, word joiner, and the BOM used as a zero-width no-break
# space inside text.
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# The Unicode Bidi_Control characters: ALM, LRM, RLM, the embeddings and overrides
# (LRE RLE PDF LRO RLO) and the isolates (LRI RLI FSI PDI).
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
INVISIBLE = ZERO_WIDTH + BIDI_CONTROLS
BIDI_MESSAGE = "不能包含不可见的文字方向控制字符"

_INVISIBLE = re.compile(f"[{INVISIBLE}]")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_DELETE = dict.fromkeys(map(ord, INVISIBLE))


def strip_invisible(text: str) -> str:
    """The text without zero-width characters and direction controls."""
    return text.translate(_DELETE)


def strip_invisible_mapped(text: str) -> tuple[str, list[int] | None]:
    """The text without invisible characters and, for each character kept, its index in
    `text`; None for the map when nothing was removed (every index is its own)."""
    if not has_invisible(text):
        return text, None
    kept: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch not in INVISIBLE:
            kept.append(ch)
            origin.append(i)
    return "".join(kept), origin


def has_invisible(text: str) -> bool:
    return _INVISIBLE.search(text) is not None


def has_bidi_control(text: str) -> bool:
    return _BIDI.search(text) is not None


def refuse_bidi_controls(value: str) -> str:
    """Pydantic validator: a name or title with a direction control is refused."""
    if has_bidi_control(value):
        raise ValueError(BIDI_MESSAGE)
    return value
