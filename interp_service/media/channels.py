"""Recordings with one microphone per speaker: decoding that keeps the channels apart,
and speaker turns from each channel's loudness (no model).

`media.audio.decode` mixes every file down to mono, which is what the recogniser wants
but loses who was at which microphone; `decode_channels` keeps them."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np

from interp_service.errors import UnsupportedMedia, ValidationFailed
from interp_service.media.audio import ACCEPTED_DESCRIPTION, SAMPLE_RATE, audio_type
from interp_service.media.speakers import SpeakerSpan, number_by_first_appearance

FRAME_S = 0.1
"""Length of one loudness frame, seconds."""
SILENCE_DB = -50.0
"""A frame quieter than this (dBFS, RMS) is silence on that channel."""
ABOVE_NOISE_DB = 10.0
"""A channel is speaking only this many dB above its own noise floor (its quietest tenth
of frames), so a hissing microphone is not a speaker."""
BLEED_DB = 10.0
"""A channel more than this many dB below the loudest channel in a frame is only hearing
the other speaker through its microphone."""
MIN_GAP_S = 0.3
"""Pauses shorter than this (seconds) inside one speaker's turn are closed."""
MIN_SPAN_S = 0.2
"""Turns shorter than this (seconds) after closing pauses are dropped as clicks."""
SAME_CHANNEL_CORRELATION = 0.99
"""Channels whose samples all correlate at least this well are one microphone copied
(a mono recording saved as stereo, perhaps at another gain)."""


@dataclass(frozen=True)
class DecodedChannels:
    samples: np.ndarray
    """float32, shape (channels, samples), at SAMPLE_RATE, in [-1, 1]."""

    @property
    def channel_count(self) -> int:
        return int(self.samples.shape[0])

    @property
    def duration_s(self) -> float:
        return int(self.samples.shape[1]) / SAMPLE_RATE

    def mono(self) -> np.ndarray:
        """The channels averaged: float32 mono samples at SAMPLE_RATE."""
        return np.asarray(self.samples.mean(axis=0), dtype=np.float32)


def decode_channels(data: bytes, *, max_duration_s: float) -> DecodedChannels:
    """Decode a whole file at SAMPLE_RATE keeping its channels; the same formats, limits
    and errors as `media.audio.decode` (`max_duration_s` in seconds)."""
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
            samples = _decode_planar(container, max_duration_s)
    except (av.error.FFmpegError, ValueError, IndexError) as exc:
        raise UnsupportedMedia("音频文件已损坏或无法解码", field="file") from exc
    if samples.shape[1] == 0:
        raise UnsupportedMedia("音频文件里没有可解码的声音", field="file")
    return DecodedChannels(samples)


def _decode_planar(container: object, max_duration_s: float) -> np.ndarray:
    import av

    assert isinstance(container, av.container.InputContainer)
    stream = container.streams.audio[0]
    layout = stream.layout.name if stream.layout and stream.layout.nb_channels else "mono"
    channels = stream.layout.nb_channels if layout != "mono" else 1
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=SAMPLE_RATE)
    limit = int(max_duration_s * SAMPLE_RATE) + SAMPLE_RATE
    pieces: list[np.ndarray] = []
    total = 0
    for frame in container.decode(stream):
        for out in resampler.resample(frame):
            piece = out.to_ndarray().reshape(channels, -1)
            pieces.append(piece)
            total += piece.shape[1]
        if total > limit:
            raise _too_long(max_duration_s)
    for out in resampler.resample(None):
        pieces.append(out.to_ndarray().reshape(channels, -1))
    if not pieces:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.clip(np.concatenate(pieces, axis=1).astype(np.float32), -1.0, 1.0)


def _too_long(max_duration_s: float) -> ValidationFailed:
    return ValidationFailed(f"录音超过允许的时长（{max_duration_s / 60:.0f} 分钟）", field="file")


def distinct_channels(channels: np.ndarray, sample_rate: int) -> bool:
    """Whether a (channels, samples) recording can tell speakers apart by channel: at
    least two channels are heard on their own somewhere, and they are not copies of one
    another (a mono recording saved as stereo)."""
    if channels.ndim != 2 or channels.shape[0] < 2:
        return False
    active = _active_frames(_levels_db(channels, sample_rate))
    if int(np.count_nonzero(active.any(axis=1))) < 2:
        return False
    correlation = _correlation(channels)
    heard = ~np.isnan(np.diag(correlation))
    return bool(np.nanmin(np.abs(correlation[np.ix_(heard, heard)])) < SAME_CHANNEL_CORRELATION)


def channel_speakers(channels: np.ndarray, sample_rate: int) -> list[SpeakerSpan]:
    """Speaker turns of a recording with one speaker per channel: `channels` is
    (channels, samples) at `sample_rate` Hz. Loudness is measured per FRAME_S frame;
    a channel speaks in a frame when it is above silence, above its own noise floor and
    not merely hearing a louder channel. Two channels may speak at once (overlap).
    Speakers are "S1", "S2", … in the order they are first heard."""
    if channels.ndim != 2 or channels.shape[1] == 0:
        return []
    active = _active_frames(_levels_db(channels, sample_rate))
    frame = _frame_samples(sample_rate)
    end_of_audio = channels.shape[1] / sample_rate
    runs: list[tuple[float, float, object]] = []
    for channel, row in enumerate(active):
        for first, last in _runs(_close_gaps(row)):
            if (last - first) * FRAME_S >= MIN_SPAN_S:
                start = first * frame / sample_rate
                end = min(last * frame / sample_rate, end_of_audio)
                runs.append((start, end, channel))
    return number_by_first_appearance(runs)


def _frame_samples(sample_rate: int) -> int:
    return max(1, round(sample_rate * FRAME_S))


def _blocks(length: int, frame: int) -> range:
    """Starts of blocks of whole frames (about 10 s of 16 kHz audio), so that long
    recordings are measured without a float64 copy of the whole file."""
    return range(0, length, frame * max(1, 160_000 // frame))


def _levels_db(channels: np.ndarray, sample_rate: int) -> np.ndarray:
    """RMS level of each channel in each frame, dBFS, shape (channels, frames); the last
    frame may be shorter."""
    frame = _frame_samples(sample_rate)
    count, length = channels.shape
    frames = -(-length // frame)
    power = np.zeros((count, frames))
    step = _blocks(length, frame).step
    for start in _blocks(length, frame):
        block = channels[:, start : start + step].astype(np.float64)
        whole = block.shape[1] // frame
        first = start // frame
        power[:, first : first + whole] = (
            (block[:, : whole * frame] ** 2).reshape(count, whole, frame).mean(axis=2)
        )
        if block.shape[1] > whole * frame:
            power[:, first + whole] = (block[:, whole * frame :] ** 2).mean(axis=1)
    return np.asarray(10.0 * np.log10(power + 1e-12))


def _correlation(channels: np.ndarray) -> np.ndarray:
    """Pearson correlation between channels, NaN for a channel that never changes."""
    count, length = channels.shape
    sums = np.zeros(count)
    products = np.zeros((count, count))
    for start in range(0, length, 160_000):
        block = channels[:, start : start + 160_000].astype(np.float64)
        sums += block.sum(axis=1)
        products += block @ block.T
    mean = sums / length
    covariance = products / length - np.outer(mean, mean)
    scale = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        correlation = covariance / np.outer(scale, scale)
    correlation[:, scale <= 1e-9] = np.nan
    correlation[scale <= 1e-9, :] = np.nan
    return np.asarray(correlation)


def _active_frames(levels: np.ndarray) -> np.ndarray:
    floors = np.percentile(levels, 10, axis=1, keepdims=True)
    threshold = np.maximum(SILENCE_DB, floors + ABOVE_NOISE_DB)
    loudest = levels.max(axis=0, keepdims=True)
    return np.asarray((levels >= threshold) & (levels >= loudest - BLEED_DB))


def _close_gaps(row: np.ndarray) -> np.ndarray:
    closed = row.copy()
    longest_gap = int(round(MIN_GAP_S / FRAME_S))
    for first, last in _runs(~row):
        if first > 0 and last < row.size and last - first < longest_gap:
            closed[first:last] = True
    return closed


def _runs(row: np.ndarray) -> list[tuple[int, int]]:
    """(first, end) frame indices of each run of True values, end exclusive."""
    edges = np.diff(np.concatenate(([0], row.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1).tolist()
    ends = np.flatnonzero(edges == -1).tolist()
    return list(zip(starts, ends, strict=True))
