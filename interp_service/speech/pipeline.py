"""Audio → speech segments: voice activity detection, spans padded and merged across
short pauses, then each span through Whisper's language gate, conditioned on the text
decoded before it. Mandarin text comes out in simplified characters with word times counted
from the start of the audio; every other span comes out with no text at all."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import opencc

from interp_service.engine.speech.types import Recognition, SpeechSpan, Word
from interp_service.media.audio import SAMPLE_RATE
from interp_service.speech.context import Context
from interp_service.speech.models import SpeechModels
from interp_service.speech.spans import prepare_spans

if TYPE_CHECKING:
    from interp_service.engine.speech.whisper_rules import Fallback

_to_simplified = opencc.OpenCC("t2s")

Progress = Callable[[float, float], None]
"""Called with (seconds of audio done, seconds in all); may raise to cancel."""


@dataclass(frozen=True)
class SegmentResult:
    span: SpeechSpan
    kind: str
    """mandarin, unconfirmed or no_speech (see interp_service.speech.orm.SEGMENT_KINDS)."""
    recognition: Recognition
    model_text: str = ""
    """The text as Whisper wrote it, before conversion to simplified characters: what the
    next span is conditioned on (Whisper continues its own writing best: conditioning on
    the converted text measured 13.7 % CER against 9.7 %, bench/speech.py)."""


_ASCII_MARKS = {",": "，", "?": "？", "!": "！", ";": "；", ":": "："}
_MARK_NEAR_HAN = re.compile(r"(?<=[\u3400-\u9fff])[,?!;:]|[,?!;:](?=[\u3400-\u9fff])")


def simplified(text: str) -> str:
    """Simplified characters, with ASCII , ? ! ; : next to a Chinese character written as
    Chinese punctuation."""
    converted = str(_to_simplified.convert(text))
    return _MARK_NEAR_HAN.sub(lambda m: _ASCII_MARKS[m.group()], converted)


def classify(recognition: Recognition) -> str:
    if recognition.text is not None:
        return "mandarin"
    if recognition.language == "zh" and recognition.no_speech_probability is not None:
        return "no_speech"
    return "unconfirmed"


def decoding(models: SpeechModels, *, final: bool = True) -> tuple[int, Fallback]:
    """(first-pass beam, fallback) as the settings ask; a live partial (`final` False),
    which its final replaces anyway, is one greedy pass."""
    from interp_service.engine.speech.whisper_rules import NO_FALLBACK, Fallback

    settings = models.settings
    if not final:
        return 1, NO_FALLBACK
    if settings.asr_fallback_beam_size <= settings.asr_beam_size:
        return settings.asr_beam_size, NO_FALLBACK
    fallback = Fallback(
        beam_size=settings.asr_fallback_beam_size, retry_logprob=settings.asr_retry_logprob
    )
    return settings.asr_beam_size, fallback


def decode(
    models: SpeechModels,
    samples: np.ndarray,
    prompt: str,
    previous: str = "",
    *,
    final: bool = True,
    word_timestamps: bool = True,
) -> Recognition:
    """Whisper's own text for `samples` (times from their start) behind the language gate,
    decoded as the settings ask (`decoding`), conditioned on `previous`."""
    beam_size, fallback = decoding(models, final=final)
    return models.whisper().recognise(
        samples,
        prompt=prompt,
        previous=previous,
        gate=models.gate,
        beam_size=beam_size,
        fallback=fallback,
        word_timestamps=word_timestamps,
    )


def recognise_span(
    models: SpeechModels,
    samples: np.ndarray,
    span: SpeechSpan,
    prompt: str,
    previous: str = "",
) -> SegmentResult:
    """One span of `samples` through the gate; times in the result are absolute.
    `previous` is the text decoded just before it (see `Context`)."""
    piece = samples[int(span.start_s * SAMPLE_RATE) : int(span.end_s * SAMPLE_RATE)]
    raw = decode(models, piece, prompt, previous)
    recognition = in_simplified(raw, span.start_s)
    return SegmentResult(span, classify(recognition), recognition, raw.text or "")


def in_simplified(raw: Recognition, offset_s: float = 0.0) -> Recognition:
    """`raw` with its text and words in simplified characters (`simplified`) and its word
    times moved on by `offset_s` seconds."""
    if raw.text is None:
        return raw
    words = [
        Word(simplified(w.text), w.start_s + offset_s, w.end_s + offset_s, w.probability)
        for w in raw.words
    ]
    return replace(raw, text=simplified(raw.text), words=words)


def transcribe(
    models: SpeechModels,
    samples: np.ndarray,
    prompt: str,
    progress: Progress | None = None,
) -> list[SegmentResult]:
    """Every speech span of the audio in time order; silence gives an empty list.
    Spans are padded and merged as the settings ask (`prepare_spans`), and each is
    conditioned on the text of the spans before it (`Context`)."""
    settings = models.settings
    total = samples.size / SAMPLE_RATE
    spans = prepare_spans(
        models.vad().spans(samples),
        total,
        settings.asr_span_pad_s,
        settings.asr_merge_gap_s,
        settings.asr_merge_max_s,
    )
    return recognise_spans(models, samples, spans, prompt, progress)


def recognise_spans(
    models: SpeechModels,
    samples: np.ndarray,
    spans: list[SpeechSpan],
    prompt: str,
    progress: Progress | None = None,
) -> list[SegmentResult]:
    """Each of `spans` (time order) through `recognise_span`, conditioned on what Whisper
    wrote for the spans before it (`Context`)."""
    total = samples.size / SAMPLE_RATE
    context = Context(enabled=models.settings.asr_condition_on_previous)
    results = []
    for span in spans:
        if progress:
            progress(span.start_s, total)
        result = recognise_span(models, samples, span, prompt, context.text)
        context.update(replace(result.recognition, text=result.model_text or None))
        results.append(result)
    if progress:
        progress(total, total)
    return results
