"""Speaker turns as plain data, and giving each transcript segment its speaker.

No model here: the turns come from the engine's diarisation (one recording, one voice
model) or from `media.channels.channel_speakers` (one microphone per channel). Times are
seconds from the start of the recording."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SpeakerSpan:
    """One stretch of one speaker's voice. `speaker` is "S1", "S2", … numbered in the
    order the speakers are first heard; spans of different speakers may overlap."""

    start_s: float
    end_s: float
    speaker: str

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s


def number_by_first_appearance(spans: Iterable[tuple[float, float, object]]) -> list[SpeakerSpan]:
    """Spans labelled by any hashable key, as SpeakerSpans sorted by start and named
    "S1", "S2", … in the order each key is first heard (ties: the order given).
    Empty or reversed spans are dropped."""
    kept = sorted(
        ((float(start), float(end), key) for start, end, key in spans if end > start),
        key=lambda span: span[0],
    )
    names: dict[object, str] = {}
    for _, _, key in kept:
        names.setdefault(key, f"S{len(names) + 1}")
    return [SpeakerSpan(start, end, names[key]) for start, end, key in kept]


def assign_speakers(
    segments: Sequence[tuple[float, float]], spans: Sequence[SpeakerSpan]
) -> list[str]:
    """The speaker of each (start_s, end_s) segment: the one whose spans overlap it for
    the most seconds in total; "" when no span overlaps it. On a tie, the speaker heard
    first in the recording wins. One answer per segment, in the segments' order."""
    if not spans:
        return ["" for _ in segments]
    ordered = sorted(spans, key=lambda span: span.start_s)
    starts = np.array([span.start_s for span in ordered])
    ends = np.array([span.end_s for span in ordered])
    first_heard: dict[str, int] = {}
    for span in ordered:
        first_heard.setdefault(span.speaker, len(first_heard))
    codes = np.array([first_heard[span.speaker] for span in ordered])
    names = list(first_heard)
    longest = float(np.max(ends - starts))
    result: list[str] = []
    for start, end in segments:
        # Only spans starting after start - longest can reach into the segment.
        low = int(np.searchsorted(starts, start - longest, side="left"))
        high = int(np.searchsorted(starts, end, side="left"))
        overlap = np.minimum(ends[low:high], end) - np.maximum(starts[low:high], start)
        per_speaker = np.bincount(
            codes[low:high], weights=np.clip(overlap, 0.0, None), minlength=len(names)
        )
        best = int(np.argmax(per_speaker))  # argmax takes the first of equal totals
        result.append(names[best] if per_speaker[best] > 0 else "")
    return result
