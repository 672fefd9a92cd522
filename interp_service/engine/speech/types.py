"""Plain results of the speech models; times are seconds from the start of the audio."""

from __future__ import annotations

from dataclasses import dataclass, field

REPETITION_COMPRESSION = 2.4
"""zlib ratio above which a text is taken for repetition (Whisper's own threshold)."""


@dataclass(frozen=True)
class SpeechSpan:
    """A stretch of audio the voice activity detector heard speech in."""

    start_s: float
    end_s: float

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Word:
    text: str
    start_s: float
    end_s: float
    probability: float


@dataclass(frozen=True)
class Recognition:
    """What the recogniser made of one span of audio.

    `text` is None whenever the language gate did not let Chinese text through: the
    span was not confidently Mandarin, or held no speech. `language` and the two
    probabilities are the model's own signals the gate decided on."""

    language: str
    language_probability: float
    mandarin_probability: float
    no_speech_probability: float | None
    text: str | None
    words: list[Word] = field(default_factory=list)
    avg_logprob: float | None = None
    model: str = ""
    compression_ratio: float = 0.0
    """UTF-8 bytes / zlib bytes of `text` (above REPETITION_COMPRESSION: repetition)."""
    passes: int = 0
    """Decodings run for the text (1 = the first was kept without a fallback)."""
