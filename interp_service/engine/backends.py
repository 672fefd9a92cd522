"""The translator interface every backend implements, and its result type.

Backends (``hf_backend.TransformersTranslator`` for training and reference inference,
``ct2_backend.CTranslate2Translator`` for serving) are blocking and not thread-safe: the
micro-batcher calls each instance from one dedicated worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Hypothesis:
    """One translation of one input.

    ``score`` is the mean log-probability per output token (≤ 0, higher is better; only
    comparable between hypotheses of the same backend). ``tokens`` is the number of output
    tokens, end-of-sentence excluded.
    """

    text: str
    score: float
    tokens: int


@runtime_checkable
class Translator(Protocol):
    """A loaded translation model that translates batches synchronously."""

    def translate_batch(
        self,
        texts: list[str],
        *,
        beam_size: int = 1,
        num_hypotheses: int = 1,
        max_length: int = 128,
        min_length: int = 0,
    ) -> list[list[Hypothesis]]:
        """Translate ``texts``; returns, per input and in input order, its n-best list.

        ``beam_size`` 1 is greedy search; ``num_hypotheses`` (≤ beam_size) hypotheses are
        returned best first. ``max_length`` and ``min_length`` bound the output length in
        tokens (``min_length`` forces long outputs, for benchmarks).
        """
        ...


def check_options(beam_size: int, num_hypotheses: int, max_length: int, min_length: int) -> None:
    """Raise ValueError on search options no backend accepts."""
    if beam_size < 1:
        raise ValueError("beam_size must be at least 1")
    if not 1 <= num_hypotheses <= beam_size:
        raise ValueError("num_hypotheses must be between 1 and beam_size")
    if max_length < 1 or not 0 <= min_length <= max_length:
        raise ValueError("need 0 <= min_length <= max_length and max_length >= 1")
