"""Levers bench/speech.py measures that the product does not use, built from the product's
own pieces (its detector, its recogniser, ``pipeline.recognise_span``)."""

from __future__ import annotations

import numpy as np

from interp_service.engine.speech.types import SpeechSpan
from interp_service.media.audio import SAMPLE_RATE
from interp_service.speech import pipeline
from interp_service.speech.models import SpeechModels
from interp_service.speech.spans import prepare_spans

GATE_PAD_FRAMES = 100
"""Silence after a span encoded for the language gate alone (1 s of 10-ms frames)."""


def windowed(models: SpeechModels, audio: np.ndarray) -> str:
    """A lever the product does not use: the product's VAD spans padded 0.3 s and merged
    across pauses under 1 s into runs of at most 28 s, each run decoded by faster-whisper's
    own loop (timestamps, seeking within the run, beam 5, previous text, Mandarin, no
    prompt, no language gate)."""
    total = audio.size / SAMPLE_RATE
    runs = prepare_spans(models.vad().spans(audio), total, 0.3, 1.0, 28.0)
    clips = [edge for run in runs for edge in (run.start_s, run.end_s)]
    segments, _ = models.whisper()._model.transcribe(
        audio, language="zh", beam_size=5, clip_timestamps=clips, condition_on_previous_text=True
    )
    return pipeline.simplified("".join(s.text for s in segments))


def mandarin_alone(models: SpeechModels, audio: np.ndarray, span: SpeechSpan) -> bool:
    """The product's language gate on one span by itself, encoded with GATE_PAD_FRAMES of
    padding (``WhisperRecognizer.accepts``)."""
    piece = audio[int(span.start_s * SAMPLE_RATE) : int(span.end_s * SAMPLE_RATE)]
    return models.whisper().accepts(piece, models.gate, GATE_PAD_FRAMES)


def gated_runs(
    models: SpeechModels, audio: np.ndarray, gap_s: float = 1.0, max_s: float = 12.0
) -> str:
    """Spans merged only after each passed the language gate on its own: every padded VAD
    span with a neighbour less than `gap_s` away goes through ``mandarin_alone``;
    consecutive confirmed spans are merged across those pauses into runs of at most `max_s`
    seconds; runs and the other spans are then decoded as the product decodes a span
    (``pipeline.recognise_span``, the previous text as context). Text of Mandarin results."""
    settings = models.settings
    total = audio.size / SAMPLE_RATE
    spans = prepare_spans(models.vad().spans(audio), total, settings.asr_span_pad_s, 0.0)
    runs: list[tuple[SpeechSpan, bool]] = []
    for i, span in enumerate(spans):
        near_before = i > 0 and span.start_s - spans[i - 1].end_s < gap_s
        near_after = i + 1 < len(spans) and spans[i + 1].start_s - span.end_s < gap_s
        confirmed = (near_before or near_after) and mandarin_alone(models, audio, span)
        if runs and confirmed and runs[-1][1] and near_before:
            merged = SpeechSpan(runs[-1][0].start_s, span.end_s)
            if merged.duration_s <= max_s:
                runs[-1] = (merged, True)
                continue
        runs.append((span, confirmed))
    results = pipeline.recognise_spans(models, audio, [span for span, _ in runs], "")
    return "".join(r.recognition.text or "" for r in results if r.kind == "mandarin")
