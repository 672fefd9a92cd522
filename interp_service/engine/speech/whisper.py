"""Mandarin recognition with Whisper (CTranslate2, through faster-whisper) behind a
language gate.

A span is read in windows of at most 30 s: the first window's encoder output serves
Whisper's language detection, the decoding and the word alignment. Each window is
decoded with Whisper's timestamps and the next starts where the decoder's last closed
segment ended, as Whisper's own loop does (see whisper_windows), so a decoder that stops
early loses nothing. The features are padded only to the window plus PAD_FRAMES instead
of Whisper's fixed 30 s, which is what makes short spans cheap (bench/speech.py measures
both). No text is decoded for a span that is not confidently Mandarin, so no Chinese
text can exist for it."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from interp_service.engine.speech.types import Recognition, Word
from interp_service.engine.speech.whisper_rules import (
    Decoded,
    Fallback,
    Gate,
    compression_ratio,
    looping,
)
from interp_service.engine.speech.whisper_windows import join_segments, read_window, rest_after

PAD_FRAMES = 300
"""Silence added after a span before encoding, in 10 ms feature frames (3 s)."""
MAX_FRAMES = 3000
"""Whisper's window: 30 s of 10-ms feature frames."""
FRAMES_PER_S = 100
MIN_WINDOW_FRAMES = 20
"""A rest of a span shorter than this (0.2 s) after the last window is not decoded."""
MAX_PROMPT_TOKENS = 120
"""Instruction and vocabulary tokens kept (the end is kept when longer)."""
MAX_PREVIOUS_TOKENS = 100
"""Tokens of the previously decoded text kept; with the prompt under Whisper's 223."""
MAX_LENGTH = 448
SAMPLING_SEED = 1234


def shifted(word: Word, seconds: float) -> Word:
    return replace(word, start_s=word.start_s + seconds, end_s=word.end_s + seconds)


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
        self.retry_loops = True
        """Decode a looping span again without its prompt (bench/speech.py turns it off
        for one row to show what it saves)."""
        self.timestamps = True
        """Decode with Whisper's timestamps, window after window (see whisper_windows).
        Off, a window is one pass without timestamps, as spans were decoded before
        (bench/speech.py measures both; a test shows what the single pass drops)."""
        self.name = f"whisper-base ({compute_type})"

    def recognise(
        self,
        audio: np.ndarray,
        *,
        prompt: str = "",
        previous: str = "",
        gate: Gate | None = None,
        beam_size: int = 1,
        fallback: Fallback | None = None,
        word_timestamps: bool = True,
    ) -> Recognition:
        """Recognise one span (16 kHz float32; read in windows of at most 30 s). `prompt`
        (names, terms) and `previous` (text decoded just before, same recording) go to the
        decoder as Whisper's previous-text tokens; `fallback` says when to decode again."""
        gate = gate or Gate()
        with self._lock:
            return self._recognise(
                audio, prompt, previous, gate, beam_size, fallback or Fallback(), word_timestamps
            )

    def prompt_tokens(self, prompt: str, previous: str = "") -> list[int]:
        """The decoder's prompt: sot_prev, the prompt (at most MAX_PROMPT_TOKENS, its end
        kept), the previous text (at most MAX_PREVIOUS_TOKENS, its end kept), then the
        Mandarin start-of-transcript sequence (with no_timestamps when `timestamps` is off)."""
        tok = self._tokenizer
        head: list[int] = []
        if prompt.strip():
            head += tok.encode(" " + prompt.strip())[-MAX_PROMPT_TOKENS:]
        if previous.strip():
            head += tok.encode(previous.strip())[-MAX_PREVIOUS_TOKENS:]
        start = [tok.sot_prev, *head] if head else []
        end = [] if self.timestamps else [tok.no_timestamps]
        return [*start, *tok.sot_sequence, *end]

    def _encode(
        self, features: np.ndarray, seek: int, pad_frames: int | None = None
    ) -> tuple[Any, int]:
        """The encoder output of the window starting `seek` frames in (at most MAX_FRAMES
        long, padded by `pad_frames`, default the recogniser's) and the window's own length
        in frames."""
        from faster_whisper.audio import pad_or_trim

        window = features[:, seek : seek + MAX_FRAMES]
        frames = window.shape[-1]
        pad = self.pad_frames if pad_frames is None else pad_frames
        return self._model.encode(pad_or_trim(window, min(MAX_FRAMES, frames + pad))), frames

    def accepts(self, audio: np.ndarray, gate: Gate, pad_frames: int) -> bool:
        """Whether the language gate lets `audio` (16 kHz float32, its first 30 s heard)
        through, encoded with `pad_frames` of padding: language detection only, no
        decoding (bench/speech.py's gated-merge lever)."""
        with self._lock:
            features = self._model.feature_extractor(audio)
            encoded, _ = self._encode(features, 0, pad_frames)
            return self._language(encoded, gate)[3]

    def _language(self, encoded: Any, gate: Gate) -> tuple[str, float, float, bool]:
        """Whisper's language detection on an encoding: (top language, its probability,
        Mandarin's probability, whether the gate accepts the span as Mandarin)."""
        ranked = self._model.model.detect_language(encoded)[0]
        top_token, top_probability = ranked[0]
        mandarin = next((p for token, p in ranked if token == self._zh_token), 0.0)
        accepted = top_token == self._zh_token and mandarin >= gate.min_mandarin_probability
        return top_token[2:-2], top_probability, mandarin, accepted

    def _recognise(
        self,
        audio: np.ndarray,
        prompt: str,
        previous: str,
        gate: Gate,
        beam_size: int,
        fallback: Fallback,
        word_timestamps: bool,
    ) -> Recognition:
        features = self._model.feature_extractor(audio)
        total = features.shape[-1]
        encoded, frames = self._encode(features, 0)
        language, top_probability, mandarin, accepted = self._language(encoded, gate)
        if not accepted:
            return Recognition(language, top_probability, mandarin, None, None, model=self.name)
        texts: list[str] = []
        words: list[Word] = []
        logprobs: list[float] = []
        passes, seek, no_speech = 0, 0, None
        while True:
            prompt_ids = self.prompt_tokens(prompt, previous + "".join(texts))
            best, used = self._decode_window(encoded, prompt_ids, beam_size, fallback, frames)
            passes += used
            if no_speech is None:
                no_speech = best.no_speech
            silent = best.no_speech > gate.no_speech_threshold
            if silent and best.avg_logprob < gate.low_logprob:
                best = replace(best, tokens=[])  # Whisper's own rule: no speech here
            window = read_window(
                best.tokens, self._tokenizer.timestamp_begin, self._tokenizer.eot, frames
            )
            consumed = window.consumed_frames
            if window.segments:
                logprobs.append(best.avg_logprob)
                texts += [self._tokenizer.decode(segment).strip() for segment in window.segments]
                aligned: list[Word] = []
                if word_timestamps or window.open_end:
                    aligned = self._words(window.text_tokens, encoded, frames)
                if window.open_end and aligned and self.timestamps:
                    consumed = rest_after(round(aligned[-1].end_s * FRAMES_PER_S), frames)
                if word_timestamps:
                    words += [shifted(word, seek / FRAMES_PER_S) for word in aligned]
            seek += max(consumed, MIN_WINDOW_FRAMES)  # a decoder stuck at the start moves on
            if total - seek < MIN_WINDOW_FRAMES:
                break
            encoded, frames = self._encode(features, seek)
        text = join_segments(texts)
        if not text:
            return Recognition(
                language, top_probability, mandarin, no_speech, None, model=self.name
            )
        return Recognition(
            language,
            top_probability,
            mandarin,
            no_speech,
            text,
            words,
            sum(logprobs) / len(logprobs),
            self.name,
            compression_ratio=compression_ratio(text),
            passes=passes,
        )

    def _decode_window(
        self, encoded: Any, prompt_ids: list[int], beam_size: int, fallback: Fallback, frames: int
    ) -> tuple[Decoded, int]:
        """The best decoding of one window and how many decodings it took: the first pass,
        then the fallback's retries, then, when the text loops, once more without the
        prompt (kept unless it loops too)."""
        best = self._decode(encoded, prompt_ids, beam_size, 1.0)
        passes = 1
        if beam_size < fallback.beam_size and fallback.retry(best):
            passes += 1
            best = max(best, self._decode(encoded, prompt_ids, fallback.beam_size, 1.0))
        for temperature in fallback.temperatures:
            if not fallback.failed(best):
                break
            passes += 1
            best = max(best, self._decode(encoded, prompt_ids, 1, temperature))
        seconds = frames / FRAMES_PER_S
        bare_ids = self.prompt_tokens("")
        if self.retry_loops and prompt_ids != bare_ids and looping(best.text, seconds):
            # The prompt (terms, names, earlier text) can pull the decoder into a loop:
            # the same encoding is decoded once without it.
            passes += 1
            bare = self._decode(encoded, bare_ids, beam_size, 1.0)
            if not looping(bare.text, seconds):
                best = bare
        return best, passes

    def _decode(
        self, encoded: Any, prompt_ids: list[int], beam_size: int, temperature: float
    ) -> Decoded:
        sampling: dict[str, Any] = {}
        if temperature != 1.0:
            import ctranslate2

            ctranslate2.set_random_seed(SAMPLING_SEED)  # the same audio gives the same text
            sampling = {"sampling_topk": 0, "sampling_temperature": temperature}
        result = self._model.model.generate(
            encoded,
            [prompt_ids],
            beam_size=beam_size,
            max_length=MAX_LENGTH,
            return_scores=True,
            return_no_speech_prob=True,
            suppress_blank=True,
            suppress_tokens=[-1],
            **sampling,
        )[0]
        eot = self._tokenizer.eot
        tokens = [t for t in result.sequences_ids[0] if t != eot]
        text = self._tokenizer.decode([t for t in tokens if t < eot]).strip()
        # CTranslate2's score is the sum of log-probabilities over the length (penalty 1).
        avg_logprob = float(result.scores[0]) if result.scores else -10.0
        return Decoded(avg_logprob, tokens, text, float(result.no_speech_prob))

    def _words(self, tokens: list[int], encoded: Any, frames: int) -> list[Word]:
        """Word times of `tokens` (text only), seconds from the start of the window."""
        aligned = self._model.find_alignment(self._tokenizer, [tokens], encoded, frames)
        words = aligned[0] if aligned else []
        return [
            Word(str(w["word"]), float(w["start"]), float(w["end"]), float(w["probability"]))
            for w in words
            if str(w["word"]).strip()
        ]
