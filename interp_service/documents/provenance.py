"""One provenance mark per translated paragraph, from the receipts of its sentences.

A paragraph is only as reliable as its weakest sentence: one sentence from approved
memory and one glossed word by word make a paragraph that needs an interpreter, so the
mark is the weakest path among its sentences. `none` means nothing usable came back: every
sentence fell through to the gloss and the glossary knew none of its words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from interp_service.translation.receipts import PATH_LABELS, SentenceResult, TranslationResult

Provenance = Literal["memory-exact", "memory-fuzzy", "model", "gloss", "none"]

NONE_LABEL = "无可用译文·需译员"
LABELS: dict[str, str] = {**PATH_LABELS, "none": NONE_LABEL}
"""Chinese label of each mark: the translation receipts' own labels, plus `none`."""

# Strongest first: approved human translation, then the near match, the model, the gloss.
_RANK: dict[str, int] = {"memory-exact": 0, "memory-fuzzy": 1, "model": 2, "gloss": 3}


def _glossed_nothing(sentence: SentenceResult) -> bool:
    receipt = sentence.receipt
    return receipt.path == "gloss" and not any(token.gloss for token in receipt.gloss)


def provenance_of(results: Sequence[TranslationResult]) -> Provenance:
    """The mark of a paragraph translated as `results` (one per piece, in order)."""
    sentences = [s for result in results for s in result.sentences]
    if not sentences or all(_glossed_nothing(s) for s in sentences):
        return "none"
    weakest = max((s.receipt.path for s in sentences), key=_RANK.__getitem__)
    mark: Provenance = weakest
    return mark
