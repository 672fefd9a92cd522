"""Cutting a live stream into utterances with the voice activity detector: partials while
speech goes on, a final after a pause or when an utterance grows too long."""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from interp_service.engine.speech.vad import MAX_SPAN_S
from interp_service.media.audio import SAMPLE_RATE

CHUNK = 512
"""Samples per voice-activity decision (32 ms; what silero-vad takes at 16 kHz)."""


# --- where utterances begin and end -----------------------------------------------------


@dataclass(frozen=True)
class Utterance:
    """Audio of one utterance so far (a partial) or in full (final)."""

    number: int
    samples: np.ndarray
    start_s: float
    final: bool

    @property
    def end_s(self) -> float:
        return self.start_s + self.samples.size / SAMPLE_RATE


class Segmenter:
    """Cuts a stream into utterances with a streaming voice activity detector.

    Speech starts at a chunk with probability >= `threshold` (with `pre_roll_s` of audio
    before it) and goes on while chunks stay above `threshold - 0.15`; it ends after
    `end_silence_s` below that, keeping `tail_s` of the silence, or is cut at
    `max_utterance_s`. Utterances with less than `min_speech_s` of speech are dropped
    unless a partial was already offered for them. `feed` returns what became due: a
    partial every `partial_every_s` of utterance audio, and finals."""

    def __init__(
        self,
        probability: Callable[[np.ndarray], float],
        *,
        max_utterance_s: float = 20.0,
        threshold: float = 0.5,
        end_silence_s: float = 0.5,
        partial_every_s: float = 1.0,
        pre_roll_s: float = 0.3,
        min_speech_s: float = 0.25,
        tail_s: float = 0.2,
    ) -> None:
        self._probability = probability
        self._threshold = threshold
        self._continue = threshold - 0.15
        self._max = int(min(max_utterance_s, MAX_SPAN_S) * SAMPLE_RATE)
        self._end_silence = int(end_silence_s * SAMPLE_RATE)
        self._partial_every = int(partial_every_s * SAMPLE_RATE)
        self._min_speech = int(min_speech_s * SAMPLE_RATE)
        self._tail = int(tail_s * SAMPLE_RATE)
        self._before: deque[np.ndarray] = deque(maxlen=math.ceil(pre_roll_s * SAMPLE_RATE / CHUNK))
        self._rest = np.zeros(0, dtype=np.float32)
        self.position = 0
        """Samples classified so far."""
        self.finals = 0
        self._reset_utterance(speaking=False)

    def _reset_utterance(self, *, speaking: bool) -> None:
        self._speaking = speaking
        self._chunks: list[np.ndarray] = []
        self._start = self.position
        self._speech = 0
        self._trailing = 0
        self._partial_at = 0
        self._partial_offered = False

    def feed(self, samples: np.ndarray) -> list[Utterance]:
        data = np.concatenate([self._rest, np.asarray(samples, dtype=np.float32)])
        whole = data.size // CHUNK * CHUNK
        self._rest = data[whole:].copy()
        due: list[Utterance] = []
        for i in range(0, whole, CHUNK):
            due += self._step(data[i : i + CHUNK])
        # A partial is superseded by any later partial or final in the same batch.
        return [u for i, u in enumerate(due) if u.final or i == len(due) - 1]

    def flush(self) -> list[Utterance]:
        """End of audio: the utterance under way (with the last few samples) is final."""
        if self._speaking and self._rest.size:
            self._chunks.append(self._rest)
            self.position += self._rest.size
        self._rest = np.zeros(0, dtype=np.float32)
        due = self._end() if self._speaking else []
        self._reset_utterance(speaking=False)
        return due

    def _step(self, chunk: np.ndarray) -> list[Utterance]:
        p = self._probability(chunk)
        self.position += CHUNK
        if not self._speaking:
            if p < self._threshold:
                self._before.append(chunk)
                return []
            before = list(self._before)
            self._before.clear()
            self._reset_utterance(speaking=True)
            self._chunks = [*before, chunk]
            self._start = self.position - CHUNK * len(self._chunks)
            self._speech = CHUNK
            return []
        self._chunks.append(chunk)
        if p >= self._continue:
            self._speech += CHUNK
            self._trailing = 0
        else:
            self._trailing += CHUNK
        length = len(self._chunks) * CHUNK
        if self._trailing >= self._end_silence:
            due = self._end()
            silence = self._chunks[-(self._before.maxlen or 1) :]
            self._reset_utterance(speaking=False)
            self._before.extend(silence)
            return due
        if length >= self._max:
            due = self._final(np.concatenate(self._chunks))
            self._reset_utterance(speaking=True)
            return due
        if length - self._partial_at >= self._partial_every and self._speech >= self._min_speech:
            self._partial_at = length
            self._partial_offered = True
            return [Utterance(self.finals + 1, np.concatenate(self._chunks), self._start_s, False)]
        return []

    @property
    def _start_s(self) -> float:
        return self._start / SAMPLE_RATE

    def _end(self) -> list[Utterance]:
        if not self._chunks or (self._speech < self._min_speech and not self._partial_offered):
            return []
        audio = np.concatenate(self._chunks)
        keep = min(audio.size, audio.size - self._trailing + self._tail)
        return self._final(audio[:keep])

    def _final(self, audio: np.ndarray) -> list[Utterance]:
        self.finals += 1
        return [Utterance(self.finals, audio, self._start_s, True)]
