"""Decoding uploads: every accepted container comes out as 16 kHz mono of the right length;
anything else is refused with a clear message."""

from __future__ import annotations

import numpy as np
import pytest

from interp_service.errors import UnsupportedMedia, ValidationFailed
from interp_service.media.audio import SAMPLE_RATE, audio_type, decode, decode_range, to_wav
from tests.speech.conftest import SPEECH_ZH, clip, encode_as

FORMATS = [
    ("mp3", "libmp3lame", "audio/mpeg"),
    ("ogg", "libopus", "audio/ogg"),
    ("webm", "libopus", "audio/webm"),
    ("ipod", "aac", "audio/mp4"),
    ("flac", "flac", "audio/flac"),
]


@pytest.mark.parametrize(("container", "codec", "media"), FORMATS)
def test_each_accepted_format_decodes_to_16k_mono(container: str, codec: str, media: str) -> None:
    original = clip()
    data = encode_as(original, container, codec)
    assert audio_type(data[:16]) == media
    decoded = decode(data, max_duration_s=60)
    assert decoded.samples.dtype == np.float32 and decoded.samples.ndim == 1
    # Lossy codecs pad a little; the length stays within 0.15 s of the original.
    assert abs(decoded.duration_s - original.size / SAMPLE_RATE) < 0.15


def test_24k_float_wav_is_resampled() -> None:
    data = (SPEECH_ZH / "cosyvoice_zero_shot_prompt.wav").read_bytes()
    decoded = decode(data, max_duration_s=60)
    assert abs(decoded.duration_s - 3.48) < 0.01


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + b"x" * 200,
        b"plain text, not audio at all" * 10,
        b"",
    ],
)
def test_non_audio_is_refused(data: bytes) -> None:
    with pytest.raises(UnsupportedMedia, match="音频"):
        decode(data, max_duration_s=60)


def test_truncated_audio_is_refused() -> None:
    data = encode_as(clip(), "ogg", "libopus")
    broken = data[:40] + bytes(len(data) - 40)
    with pytest.raises(UnsupportedMedia, match="损坏|无法解码|没有"):
        decode(broken, max_duration_s=60)


def test_too_long_is_refused_by_duration() -> None:
    with pytest.raises(ValidationFailed, match="时长"):
        decode(to_wav(np.zeros(SAMPLE_RATE * 5, dtype=np.float32)), max_duration_s=2)


def test_a_range_matches_the_same_stretch_of_the_whole() -> None:
    data = encode_as(clip(), "flac", "flac")
    whole = decode(data, max_duration_s=60).samples
    part = decode_range(data, 3.0, 4.5)
    assert part.size == int(1.5 * SAMPLE_RATE)
    assert np.abs(part - whole[3 * SAMPLE_RATE : 3 * SAMPLE_RATE + part.size]).max() < 1e-4
