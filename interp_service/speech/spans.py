"""Speech spans as they are decoded: padded so no word is cut at either end, and merged
across short pauses so Whisper sees whole phrases (fewer encodings, more context)."""

from __future__ import annotations

from interp_service.engine.speech.types import SpeechSpan

MAX_DECODED_S = 28.0
"""Longest span handed to the recogniser (Whisper reads at most 30 s at a time)."""


def prepare_spans(
    spans: list[SpeechSpan],
    total_s: float,
    pad_s: float,
    merge_gap_s: float,
    merge_max_s: float = MAX_DECODED_S,
) -> list[SpeechSpan]:
    """`spans` (time order, seconds) each widened by `pad_s` on both sides, never past the
    audio or the middle of the pause to a neighbour, then neighbours whose pause is
    shorter than `merge_gap_s` joined while the result lasts at most `merge_max_s`
    (itself at most MAX_DECODED_S)."""
    padded: list[SpeechSpan] = []
    for i, span in enumerate(spans):
        low = 0.0 if i == 0 else (spans[i - 1].end_s + span.start_s) / 2
        high = total_s if i == len(spans) - 1 else (span.end_s + spans[i + 1].start_s) / 2
        start = max(low, min(span.start_s, span.start_s - pad_s))
        end = min(high, max(span.end_s, span.end_s + pad_s))
        padded.append(SpeechSpan(start, end))
    merged: list[SpeechSpan] = []
    for span in padded:
        if merged:
            last = merged[-1]
            gap = span.start_s - last.end_s
            if gap < merge_gap_s and span.end_s - last.start_s <= min(merge_max_s, MAX_DECODED_S):
                merged[-1] = SpeechSpan(last.start_s, span.end_s)
                continue
        merged.append(span)
    return merged
