"""Character error rate (CER) of Mandarin text: the one scoring of recognised speech that
the benchmarks (bench/speech.py, bench/speech_live.py) and the tests use.

Both sides are normalised the way the service presents Mandarin: converted to simplified
characters (the recogniser's own conversion, ``pipeline.simplified``), then whitespace,
punctuation and symbols removed, so a missing comma or a traditional form the service
would have simplified is not an error. The distance is Levenshtein over characters.
"""

from __future__ import annotations

import re

from rapidfuzz.distance import Levenshtein

from interp_service.speech.pipeline import simplified

_NOT_COUNTED = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """``text`` as scored: simplified characters, no whitespace, punctuation or symbols."""
    return _NOT_COUNTED.sub("", simplified(text))


def character_errors(hypothesis: str, reference: str) -> tuple[int, int]:
    """(edits, reference characters) after normalising both sides; summing each over many
    utterances gives a corpus CER that weights them by length."""
    ref = normalise(reference)
    return Levenshtein.distance(normalise(hypothesis), ref), len(ref)


def character_error_rate(hypothesis: str, reference: str) -> float:
    """Edits / reference characters (0.0 = identical; above 1.0 when the hypothesis adds
    more than the reference holds). An empty reference counts as one character."""
    edits, count = character_errors(hypothesis, reference)
    return edits / max(count, 1)
