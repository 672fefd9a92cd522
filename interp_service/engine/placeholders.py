"""Placeholder tokens used to carry glossary terms through a translation model unchanged.

Before translation, each enforced glossary term in the source is replaced by ``<t0>``,
``<t1>``, …; the model copies the placeholders into its output, where the approved target
terms are put back. Every SentencePiece vocabulary trained by the engine declares these
as user-defined symbols, so each stays one token that the model can learn to copy.
"""

from __future__ import annotations

import re

PLACEHOLDER_COUNT = 10
"""How many distinct placeholders a sentence may use (``<t0>`` to ``<t9>``)."""

PLACEHOLDER_PATTERN = re.compile(r"<t([0-9])>")
"""Matches one placeholder; group 1 is its number."""


def placeholder(n: int) -> str:
    """The placeholder token number ``n`` (0 ≤ n < PLACEHOLDER_COUNT), e.g. ``<t0>``."""
    if not 0 <= n < PLACEHOLDER_COUNT:
        raise ValueError(f"placeholder number must be in 0..{PLACEHOLDER_COUNT - 1}, got {n}")
    return f"<t{n}>"


def all_placeholders() -> list[str]:
    """Every placeholder token, in number order."""
    return [placeholder(n) for n in range(PLACEHOLDER_COUNT)]
