"""When Whisper's output is kept, decoded again or taken for a decoder loop: the language
gate, the fallback and the loop check the recogniser (whisper.py) applies to each window."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from interp_service.engine.speech.types import REPETITION_COMPRESSION

MAX_CHARS_PER_S = 12
"""More characters per second of audio than anyone speaks: a decoder loop (plus a margin
of LOOP_MARGIN_CHARS for very short spans)."""
LOOP_MARGIN_CHARS = 10


@dataclass(frozen=True)
class Gate:
    """When a span's text is kept: Whisper must think it Mandarin with at least
    `min_mandarin_probability`, and not think it silence (`no_speech_threshold` with a
    low average log-probability, Whisper's own rule)."""

    min_mandarin_probability: float = 0.5
    no_speech_threshold: float = 0.6
    low_logprob: float = -1.0


@dataclass(frozen=True)
class Fallback:
    """When a span is decoded again on the same encoding. A greedy result whose average
    log-probability (per token) is below `retry_logprob`, or whose text compresses more
    than `max_compression` (repetition), is decoded with `beam_size`; a result still
    failing (`failed_logprob`, `max_compression`) is sampled at each of `temperatures` in
    turn. The result with the best average log-probability is kept."""

    beam_size: int = 5
    retry_logprob: float = -0.5
    failed_logprob: float = -1.0
    max_compression: float = REPETITION_COMPRESSION
    temperatures: tuple[float, ...] = (0.4, 0.8)

    def retry(self, decoded: Decoded) -> bool:
        return (
            decoded.avg_logprob < self.retry_logprob
            or compression_ratio(decoded.text) > self.max_compression
        )

    def failed(self, decoded: Decoded) -> bool:
        return (
            decoded.avg_logprob < self.failed_logprob
            or compression_ratio(decoded.text) > self.max_compression
        )


NO_FALLBACK = Fallback(beam_size=1, temperatures=())


@dataclass(frozen=True, order=True)
class Decoded:
    avg_logprob: float
    tokens: list[int] = field(compare=False)
    text: str = field(compare=False)
    no_speech: float = field(compare=False)


def looping(text: str, seconds: float) -> bool:
    """Whether a decoded text is a decoder loop: it repeats itself (zlib ratio above
    REPETITION_COMPRESSION) or is longer than `seconds` of speech can hold."""
    too_long = len(text) > MAX_CHARS_PER_S * seconds + LOOP_MARGIN_CHARS
    return too_long or compression_ratio(text) > REPETITION_COMPRESSION


def compression_ratio(text: str) -> float:
    """UTF-8 bytes / zlib-compressed bytes (Whisper's repetition signal; 0.0 for no text)."""
    if not text:
        return 0.0
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data))
