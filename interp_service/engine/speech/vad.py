"""Voice activity detection with silero-vad (the ONNX model the package ships, run by
onnxruntime on one thread).

silero-vad sets torch's thread count to 1 when imported; the count is put back so the
translation engine keeps its own setting."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from interp_service.engine.speech import SAMPLE_RATE
from interp_service.engine.speech.types import SpeechSpan

MAX_SPAN_S = 28.0
"""Longest span handed to the recogniser (Whisper reads at most 30 s at a time)."""


class VoiceActivityDetector:
    """Finds speech in 16 kHz mono float32 audio; one call at a time per instance."""

    def __init__(
        self,
        *,
        threshold: float = 0.5,
        min_speech_ms: int = 250,
        min_silence_ms: int = 400,
        speech_pad_ms: int = 200,
    ) -> None:
        import torch

        threads = torch.get_num_threads()
        from silero_vad import get_speech_timestamps, load_silero_vad

        torch.set_num_threads(threads)
        self._torch = torch
        # The ONNX model runs on one onnxruntime thread of its own: torch's process-wide
        # thread count stays untouched, and one thread is ~20× faster here than two
        # contended ones (bench/speech.py).
        self._model: Any = load_silero_vad(onnx=True)
        self._timestamps = get_speech_timestamps
        self._lock = threading.Lock()
        self.threshold = threshold
        self.min_speech_ms = min_speech_ms
        self.min_silence_ms = min_silence_ms
        self.speech_pad_ms = speech_pad_ms

    def spans(self, audio: np.ndarray) -> list[SpeechSpan]:
        """Speech spans in time order, none longer than MAX_SPAN_S (long ones are cut)."""
        if audio.size < SAMPLE_RATE // 10:
            return []
        with self._lock, self._torch.inference_mode():
            found = self._timestamps(
                self._torch.from_numpy(np.ascontiguousarray(audio, dtype=np.float32)),
                self._model,
                threshold=self.threshold,
                sampling_rate=SAMPLE_RATE,
                min_speech_duration_ms=self.min_speech_ms,
                min_silence_duration_ms=self.min_silence_ms,
                speech_pad_ms=self.speech_pad_ms,
                max_speech_duration_s=MAX_SPAN_S,
            )
            self._model.reset_states()
        spans = [
            SpeechSpan(item["start"] / SAMPLE_RATE, item["end"] / SAMPLE_RATE) for item in found
        ]
        return [piece for span in spans for piece in _cut(span)]

    def speech_probability(self, chunk: np.ndarray) -> float:
        """Probability of speech in one 512-sample chunk, keeping state between calls
        (for live audio); `reset` starts a new stream."""
        with self._lock, self._torch.inference_mode():
            tensor = self._torch.from_numpy(np.ascontiguousarray(chunk, dtype=np.float32))
            return float(self._model(tensor, SAMPLE_RATE).item())

    def reset(self) -> None:
        with self._lock:
            self._model.reset_states()


def _cut(span: SpeechSpan) -> list[SpeechSpan]:
    if span.duration_s <= MAX_SPAN_S + 1.0:
        return [span]
    pieces, start = [], span.start_s
    while start < span.end_s:
        end = min(span.end_s, start + MAX_SPAN_S)
        pieces.append(SpeechSpan(start, end))
        start = end
    return pieces
