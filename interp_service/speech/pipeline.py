"""Audio → speech segments: voice activity detection, then each span through Whisper's
language gate. Mandarin text comes out in simplified characters with word times counted
from the start of the audio; every other span comes out with no text at all."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import opencc

from interp_service.engine.speech.types import Recognition, SpeechSpan, Word
from interp_service.media.audio import SAMPLE_RATE
from interp_service.speech.models import SpeechModels

_to_simplified = opencc.OpenCC("t2s")

Progress = Callable[[float, float], None]
"""Called with (seconds of audio done, seconds in all); may raise to cancel."""


@dataclass(frozen=True)
class SegmentResult:
    span: SpeechSpan
    kind: str
    """mandarin, unconfirmed or no_speech (see interp_service.speech.orm.SEGMENT_KINDS)."""
    recognition: Recognition


def simplified(text: str) -> str:
    return str(_to_simplified.convert(text))


def classify(recognition: Recognition) -> str:
    if recognition.text is not None:
        return "mandarin"
    if recognition.language == "zh" and recognition.no_speech_probability is not None:
        return "no_speech"
    return "unconfirmed"


def recognise_span(
    models: SpeechModels, samples: np.ndarray, span: SpeechSpan, prompt: str
) -> SegmentResult:
    """One span of `samples` through the gate; times in the result are absolute."""
    piece = samples[int(span.start_s * SAMPLE_RATE) : int(span.end_s * SAMPLE_RATE)]
    raw = models.whisper().recognise(
        piece, prompt=prompt, gate=models.gate, beam_size=models.settings.asr_beam_size
    )
    recognition = raw
    if raw.text is not None:
        recognition = replace(
            raw,
            text=simplified(raw.text),
            words=[
                Word(
                    simplified(w.text),
                    w.start_s + span.start_s,
                    w.end_s + span.start_s,
                    w.probability,
                )
                for w in raw.words
            ],
        )
    return SegmentResult(span, classify(recognition), recognition)


def transcribe(
    models: SpeechModels,
    samples: np.ndarray,
    prompt: str,
    progress: Progress | None = None,
) -> list[SegmentResult]:
    """Every speech span of the audio in time order; silence gives an empty list."""
    total = samples.size / SAMPLE_RATE
    spans = models.vad().spans(samples)
    results = []
    for span in spans:
        if progress:
            progress(span.start_s, total)
        results.append(recognise_span(models, samples, span, prompt))
    if progress:
        progress(total, total)
    return results
