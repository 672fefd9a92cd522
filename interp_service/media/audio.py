"""Decoding uploaded audio with PyAV into 16 kHz mono float32 samples.

Accepted: WAV, MP3, OGG (Vorbis/Opus), WebM (Opus), M4A (AAC) and FLAC, recognised by
their first bytes; the container's own claim is checked by actually decoding it."""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass

import numpy as np

from interp_service.errors import UnsupportedMedia, ValidationFailed

SAMPLE_RATE = 16_000
AUDIO_TYPES = ("audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "audio/mp4", "audio/flac")
ACCEPTED_DESCRIPTION = "WAV、MP3、OGG/Opus、WebM、M4A 或 FLAC 音频"


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray
    """float32 mono at SAMPLE_RATE, in [-1, 1]."""

    @property
    def duration_s(self) -> float:
        return self.samples.size / SAMPLE_RATE


def audio_type(head: bytes) -> str | None:
    """The media type of an accepted audio file from its first bytes, else None."""
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:3] == b"ID3" or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return "audio/mpeg"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if head[4:8] == b"ftyp":
        return "audio/mp4"
    if head[:4] == b"fLaC":
        return "audio/flac"
    return None


def decode(data: bytes, *, max_duration_s: float) -> DecodedAudio:
    """Decode a whole file; a clear error for anything that is not readable audio or runs
    longer than `max_duration_s` seconds."""
    if audio_type(data[:16]) is None:
        raise UnsupportedMedia(f"不是可识别的音频文件。允许：{ACCEPTED_DESCRIPTION}", field="file")
    import av

    try:
        with av.open(io.BytesIO(data), mode="r") as container:
            if not container.streams.audio:
                raise UnsupportedMedia("文件里没有音轨", field="file")
            declared = container.duration
            if declared is not None and declared / 1_000_000 > max_duration_s + 1:
                raise _too_long(max_duration_s)
            samples = _decode_stream(container, max_duration_s)
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise UnsupportedMedia("音频文件已损坏或无法解码", field="file") from exc
    if samples.size == 0:
        raise UnsupportedMedia("音频文件里没有可解码的声音", field="file")
    return DecodedAudio(samples)


def _decode_stream(container: object, max_duration_s: float) -> np.ndarray:
    import av

    assert isinstance(container, av.container.InputContainer)
    stream = container.streams.audio[0]
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    limit = int(max_duration_s * SAMPLE_RATE) + SAMPLE_RATE
    pieces: list[np.ndarray] = []
    total = 0
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            piece = out.to_ndarray().reshape(-1)
            pieces.append(piece)
            total += piece.size
        if total > limit:
            raise _too_long(max_duration_s)
    for out in resampler.resample(None):
        pieces.append(out.to_ndarray().reshape(-1))
    if not pieces:
        return np.zeros(0, dtype=np.float32)
    return np.clip(np.concatenate(pieces).astype(np.float32), -1.0, 1.0)


def _too_long(max_duration_s: float) -> ValidationFailed:
    return ValidationFailed(f"录音超过允许的时长（{max_duration_s / 60:.0f} 分钟）", field="file")


def to_wav(samples: np.ndarray) -> bytes:
    """16-bit PCM WAV of 16 kHz mono samples (for playing a segment in the browser)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()


def decode_range(data: bytes, start_s: float, end_s: float) -> np.ndarray:
    """Samples between two times (seconds) of an already accepted file, seeking instead of
    decoding from the start (for playing one segment of a long recording)."""
    import av

    start_s = max(0.0, start_s)
    with av.open(io.BytesIO(data), mode="r") as container:
        stream = container.streams.audio[0]
        if start_s > 1.0:
            container.seek(int((start_s - 1.0) * 1_000_000), backward=True, any_frame=False)
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        pieces: list[np.ndarray] = []
        first: float | None = None
        for frame in container.decode(stream):
            if frame.pts is not None and frame.time_base is not None:
                frame_time = float(frame.pts * frame.time_base)
                if first is None:
                    first = frame_time
                if frame_time > end_s:
                    break
            for out in resampler.resample(frame):
                pieces.append(out.to_ndarray().reshape(-1))
        samples = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)
    offset = int(round((start_s - (first or 0.0)) * SAMPLE_RATE))
    length = int(round((end_s - start_s) * SAMPLE_RATE))
    return np.asarray(samples[max(0, offset) : max(0, offset) + length], dtype=np.float32)
