"""The text a span is conditioned on: what was decoded just before it in the same
recording or live stream, as Whisper's previous-text prompt. It is bounded (the end is
kept) and starts afresh after a span that is not Mandarin or whose text looks like a
hallucination (repetition, or a decoding the model itself was unsure of)."""

from __future__ import annotations

from dataclasses import dataclass

from interp_service.engine.speech.types import REPETITION_COMPRESSION, Recognition

MAX_CONTEXT_CHARS = 120
"""Characters of earlier text kept (about 100 Whisper tokens of Chinese)."""
MIN_LOGPROB = -1.0
"""Average log-probability per token under which a text is not trusted as context."""


@dataclass
class Context:
    enabled: bool = True
    text: str = ""

    def update(self, recognition: Recognition) -> None:
        """Take in the span just decoded: its text is appended when it can be trusted,
        otherwise the context is emptied."""
        if not self.enabled:
            return
        if not trusted(recognition):
            self.text = ""
            return
        self.text = (self.text + (recognition.text or "").strip())[-MAX_CONTEXT_CHARS:]


def trusted(recognition: Recognition) -> bool:
    """Whether a span's text may condition the next one: Mandarin, not repetitive, and
    decoded with at least MIN_LOGPROB per token."""
    text = (recognition.text or "").strip()
    if not text:
        return False
    if recognition.compression_ratio > REPETITION_COMPRESSION or repeats(text):
        return False
    return recognition.avg_logprob is None or recognition.avg_logprob >= MIN_LOGPROB


def repeats(text: str, times: int = 4) -> bool:
    """True when some run of 1-6 characters occurs `times` times in a row (a decoder
    stuck in a loop), which short texts can show before zlib notices."""
    for size in range(1, 7):
        for start in range(0, max(0, len(text) - size * times + 1)):
            unit = text[start : start + size]
            if unit * times == text[start : start + size * times]:
                return True
    return False
