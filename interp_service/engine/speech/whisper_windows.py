"""Whisper's timestamped output, read the way Whisper's own decoding loop reads it: the
text of each segment in a window, and how far into the window decoding may move on.

Decoding with timestamps is what keeps Whisper base from dropping the end of a span:
without them the decoder may stop after the first sentence and nothing says so, while a
timestamped window that stops early ends on a timestamp the next window starts from."""

from __future__ import annotations

import re
from dataclasses import dataclass

FRAMES_PER_TIMESTAMP = 2
"""Feature frames (10 ms) per timestamp step (20 ms)."""
MIN_REST_FRAMES = 100
"""Speech left after the decoder's last timestamp (1 s) that is decoded in a window of its
own instead of being taken for the end of the span."""
_ENDS_WITH_MARK = re.compile(r"[，。？！；：、,.?!;:]$")


@dataclass(frozen=True)
class Window:
    """One decoded window: the text tokens of each of its segments, and the feature frames
    (10 ms) consumed, after which the next window starts."""

    segments: list[list[int]]
    consumed_frames: int
    open_end: bool = False
    """The output stopped on text, with no timestamp to say how far into the window it
    got (the recogniser then asks the word alignment, see `rest_after`)."""

    @property
    def text_tokens(self) -> list[int]:
        return [token for segment in self.segments for token in segment]


def read_window(tokens: list[int], timestamp_begin: int, eot: int, frames: int) -> Window:
    """`tokens` as decoded from a window of `frames` feature frames.

    When the output has a closed segment (two timestamps in a row) followed by more text,
    that text is dropped and the window is consumed only up to the closing timestamp
    (Whisper's rule), so the next window decodes the rest with its start in view. When the
    output stops on a single timestamp more than MIN_REST_FRAMES before the window's end,
    the window is consumed up to it: Whisper's rule would skip the rest, but the rest of a
    speech span is speech, and Whisper base with short padding often stops after the first
    sentence."""
    stamp = [token >= timestamp_begin for token in tokens]
    single_ending = len(tokens) >= 2 and not stamp[-2] and stamp[-1]
    closing = [i for i in range(1, len(tokens)) if stamp[i] and stamp[i - 1]]
    consumed = frames
    if closing and not single_ending:
        last = closing[-1]
        at = (tokens[last - 1] - timestamp_begin) * FRAMES_PER_TIMESTAMP
        if 0 < at < frames:
            consumed = at
            tokens = tokens[:last]
    elif single_ending:
        at = (tokens[-1] - timestamp_begin) * FRAMES_PER_TIMESTAMP
        if 0 < at < frames - MIN_REST_FRAMES:
            consumed = at
    segments: list[list[int]] = []
    current: list[int] = []
    for token in tokens:
        if token >= timestamp_begin:
            if current:
                segments.append(current)
            current = []
        elif token < eot:
            current.append(token)
    if current:
        segments.append(current)
    open_end = bool(tokens) and not stamp[len(tokens) - 1] and consumed == frames
    return Window(segments, consumed, open_end)


def rest_after(last_word_end_frames: int, frames: int) -> int:
    """Frames of a window with an open end to consume: up to the end of its last aligned
    word when more than MIN_REST_FRAMES of the window follow it (that speech is decoded in
    a window of its own), otherwise all of them."""
    if 0 < last_word_end_frames < frames - MIN_REST_FRAMES:
        return last_word_end_frames
    return frames


def join_segments(texts: list[str]) -> str:
    """Segment texts as one text: a Chinese comma between two segments where the first ends
    without a mark of its own (Whisper ends a segment at a pause or a sentence end)."""
    joined = ""
    for text in (t.strip() for t in texts):
        if not text:
            continue
        if joined and not _ENDS_WITH_MARK.search(joined):
            joined += "，"
        joined += text
    return joined
