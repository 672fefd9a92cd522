"""Timestamped decoding, window after window: how a window's output is read, and a span
holding two sentences recognised whole (Whisper base with short padding stops after the
first sentence, which a single pass without timestamps silently loses)."""

from __future__ import annotations

import numpy as np

from interp_service.engine.speech.whisper_windows import (
    MIN_REST_FRAMES,
    join_segments,
    read_window,
    rest_after,
)
from interp_service.speech.models import SpeechModels
from interp_service.speech.scoring import character_error_rate, normalise
from tests.speech.conftest import clip, references, silence

BEGIN, EOT = 1000, 999
"""Token ids for the reading tests: timestamps from BEGIN (one step = 20 ms)."""


def at(seconds: float) -> int:
    return BEGIN + round(seconds / 0.02)


def test_text_after_a_closed_segment_is_left_for_the_next_window() -> None:
    window = read_window([at(0), 5, 6, at(2), at(2), 7, 8], BEGIN, EOT, 1000)
    assert window.segments == [[5, 6]]
    assert window.consumed_frames == 200  # 2 s of 10-ms frames
    assert not window.open_end


def test_two_closed_segments_consume_the_whole_window() -> None:
    window = read_window([at(0), 5, at(1), at(1), 6, at(3), at(3)], BEGIN, EOT, 1000)
    assert window.segments == [[5], [6]]
    assert window.consumed_frames == 300


def test_a_stop_well_before_the_end_of_the_window_leaves_the_rest_to_decode() -> None:
    early = read_window([at(0), 5, 6, at(4.2)], BEGIN, EOT, 900)
    assert early.segments == [[5, 6]] and early.consumed_frames == 420
    near_end = read_window([at(0), 5, 6, at(8.6)], BEGIN, EOT, 900)
    assert near_end.consumed_frames == 900  # less than MIN_REST_FRAMES left


def test_an_output_that_stops_on_text_is_marked_open() -> None:
    window = read_window([at(0), 5, 6, EOT], BEGIN, EOT, 1000)
    assert window.segments == [[5, 6]] and window.open_end
    assert window.consumed_frames == 1000
    assert rest_after(430, 1000) == 430
    assert rest_after(1000 - MIN_REST_FRAMES // 2, 1000) == 1000
    assert rest_after(0, 1000) == 1000
    assert read_window([], BEGIN, EOT, 1000).segments == []


def test_segments_are_joined_with_a_comma_only_where_no_mark_ends_them() -> None:
    assert join_segments(["第一句", "第二句。", " 第三句", ""]) == "第一句，第二句。第三句"
    assert join_segments([]) == ""


def test_a_span_of_two_sentences_is_recognised_whole(shared_speech_models: SpeechModels) -> None:
    first, second = "aishell1_BAC009S0724W0121.wav", "aishell1_BAC009S0764W0121.wav"
    audio = np.concatenate([clip(first), silence(0.5), clip(second)])
    whisper = shared_speech_models.whisper()
    reference = references()[first] + references()[second]

    recognition = whisper.recognise(audio)

    text = recognition.text or ""
    assert character_error_rate(text, reference) < 0.3
    assert normalise(references()[second])[-4:] in normalise(text)  # the second sentence's end
    assert recognition.words[-1].start_s > clip(first).size / 16_000  # times from the span start
    whisper.timestamps = False
    try:
        single_pass = whisper.recognise(audio).text or ""
    finally:
        whisper.timestamps = True
    assert len(normalise(single_pass)) < len(normalise(text))
