"""Mandarin recognition with Whisper (CTranslate2, through faster-whisper) behind a
language gate.

Each span is encoded once: the encoder output serves Whisper's language detection, the
decoding and the word alignment. The features are padded only to the span plus
PAD_FRAMES instead of Whisper's fixed 30 s, which is what makes short spans cheap
(bench/speech.py measures both). No text is decoded for a span that is not confidently
Mandarin, so no Chinese text can exist for it."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from interp_service.engine.speech.types import Recognition, Word

PAD_FRAMES = 300
"""Silence added after a span before encoding, in 10 ms feature frames (3 s)."""
MAX_FRAMES = 3000
MAX_PROMPT_TOKENS = 200


@dataclass(frozen=True)
class Gate:
    """When a span's text is kept: Whisper must think it Mandarin with at least
    `min_mandarin_probability`, and not think it silence (`no_speech_threshold` with a
    low average log-probability, Whisper's own rule)."""

    min_mandarin_probability: float = 0.5
    no_speech_threshold: float = 0.6
    low_logprob: float = -1.0


class WhisperRecognizer:
    """Whisper on the CPU; one span at a time (CTranslate2 uses all `threads` for it)."""

    def __init__(
        self,
        folder: Path,
        *,
        compute_type: str = "int8",
        threads: int = 2,
        pad_frames: int = PAD_FRAMES,
    ) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        self._model: Any = WhisperModel(
            str(folder),
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            local_files_only=True,
        )
        self._tokenizer: Any = Tokenizer(
            self._model.hf_tokenizer, True, task="transcribe", language="zh"
        )
        self._zh_token = "<|zh|>"  # noqa: S105 (a language token, not a secret)
        self._lock = threading.Lock()
        self.pad_frames = pad_frames
        self.name = f"whisper-base ({compute_type})"

    def recognise(
        self,
        audio: np.ndarray,
        *,
        prompt: str = "",
        gate: Gate | None = None,
        beam_size: int = 1,
        word_timestamps: bool = True,
    ) -> Recognition:
        """Recognise one span (16 kHz float32, at most 30 s)."""
        gate = gate or Gate()
        with self._lock:
            return self._recognise(audio, prompt, gate, beam_size, word_timestamps)

    def _recognise(
        self, audio: np.ndarray, prompt: str, gate: Gate, beam_size: int, word_timestamps: bool
    ) -> Recognition:
        from faster_whisper.audio import pad_or_trim

        features = self._model.feature_extractor(audio)
        frames = min(features.shape[-1], MAX_FRAMES)
        padded = pad_or_trim(features, min(MAX_FRAMES, frames + self.pad_frames))
        encoded = self._model.encode(padded)
        ranked = self._model.model.detect_language(encoded)[0]
        top_token, top_probability = ranked[0]
        mandarin = next((p for token, p in ranked if token == self._zh_token), 0.0)
        language = top_token[2:-2]
        if top_token != self._zh_token or mandarin < gate.min_mandarin_probability:
            return Recognition(language, top_probability, mandarin, None, None, model=self.name)
        result = self._model.model.generate(
            encoded,
            [self._prompt_tokens(prompt)],
            beam_size=beam_size,
            max_length=224,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
        )[0]
        tokens = [t for t in result.sequences_ids[0] if t < self._tokenizer.eot]
        avg_logprob = float(result.scores[0]) if result.scores else None
        no_speech = float(result.no_speech_prob)
        silent = no_speech > gate.no_speech_threshold and (
            avg_logprob is None or avg_logprob < gate.low_logprob
        )
        text = self._tokenizer.decode(tokens).strip()
        if silent or not text:
            return Recognition(
                language, top_probability, mandarin, no_speech, None, model=self.name
            )
        words = self._words(tokens, encoded, frames) if word_timestamps else []
        return Recognition(
            language, top_probability, mandarin, no_speech, text, words, avg_logprob, self.name
        )

    def _prompt_tokens(self, prompt: str) -> list[int]:
        tok = self._tokenizer
        head: list[int] = []
        if prompt.strip():
            head = [tok.sot_prev, *tok.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]]
        return [*head, *tok.sot_sequence, tok.no_timestamps]

    def _words(self, tokens: list[int], encoded: Any, frames: int) -> list[Word]:
        aligned = self._model.find_alignment(self._tokenizer, [tokens], encoded, frames)
        words = aligned[0] if aligned else []
        return [
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w["probability"]))
            for w in words
            if str(w["word"]).strip()
        ]
