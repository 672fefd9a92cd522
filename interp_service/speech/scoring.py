"""Character error rate (CER) of Mandarin text: the one scoring of recognised speech that
the benchmarks (bench/speech.py, bench/speech_live.py) and the tests use.

Both sides are normalised the way the service presents Mandarin: converted to simplified
characters (the recogniser's own conversion, ``pipeline.simplified``), numbers written
alike (Chinese numerals and digits both become digits, with ``cn2an``: 「六月」 and 「6月」
score the same), then whitespace, punctuation and symbols removed, so a missing comma, a
traditional form the service would have simplified or a number written in digits is not
an error. The distance is Levenshtein over characters.
"""

from __future__ import annotations

import logging
import re

import cn2an  # type: ignore[import-untyped]
from rapidfuzz.distance import Levenshtein

from interp_service.speech.pipeline import simplified

_NOT_COUNTED = re.compile(r"[\W_]+")
logging.getLogger("cn2an").setLevel(logging.ERROR)


def numbers_as_digits(text: str) -> str:
    """Chinese numerals in `text` written as digits (「二零一五年」 → 「2015年」); the text
    unchanged where cn2an cannot read it."""
    try:
        return str(cn2an.transform(text, "cn2an"))
    except (ValueError, KeyError, IndexError):
        return text


def normalise(text: str) -> str:
    """``text`` as scored: simplified characters, numbers as digits, no whitespace,
    punctuation or symbols."""
    return _NOT_COUNTED.sub("", numbers_as_digits(simplified(text)))


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
