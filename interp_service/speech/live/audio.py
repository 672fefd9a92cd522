"""Live microphone audio: the bytes a client streams (16-bit PCM, or WebM/Ogg Opus as
MediaRecorder sends it) as 16 kHz mono float32 samples, decoded as they arrive."""

from __future__ import annotations

import json
import threading
from typing import Any

import numpy as np

from interp_service.media.audio import SAMPLE_RATE, audio_type

FORMATS = {"pcm16": None, "webm": "webm", "ogg": "ogg"}
MEDIA_TYPES = {"webm": "audio/webm", "ogg": "audio/ogg"}


# --- from bytes to 16 kHz samples -----------------------------------------------------


class AudioError(Exception):
    """The client's audio cannot be decoded (sent to it as an error, then closed 1007)."""


class PcmSource:
    """Little-endian 16-bit mono PCM at `sample_rate`, resampled to 16 kHz if needed."""

    name = "pcm16"

    def __init__(self, sample_rate: int = SAMPLE_RATE) -> None:
        self.sample_rate = sample_rate
        self._odd = b""
        self._resampler: Any = None
        if sample_rate != SAMPLE_RATE:
            import av

            self._resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)

    def feed(self, data: bytes) -> np.ndarray:
        data = self._odd + data
        even = len(data) // 2 * 2
        self._odd = data[even:]
        pcm = np.frombuffer(data[:even], dtype="<i2")
        if self._resampler is None:
            return pcm.astype(np.float32) / 32768.0
        if pcm.size == 0:
            return np.zeros(0, dtype=np.float32)
        import av

        frame = av.AudioFrame.from_ndarray(pcm.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = self.sample_rate
        return _joined(self._resampler.resample(frame))

    def finish(self) -> np.ndarray:
        if self._resampler is None:
            return np.zeros(0, dtype=np.float32)
        return _joined(self._resampler.resample(None))

    def close(self) -> None:
        pass


def _joined(frames: list[Any]) -> np.ndarray:
    pieces = [f.to_ndarray().reshape(-1).astype(np.float32) for f in frames]
    return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)


class _StreamReader:
    """A file-like object for PyAV that hands over bytes as they arrive and blocks while
    there are none (in the decoder's own thread); `end()` is end of file."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self._buffer = bytearray()
        self._eof = False
        self.starved = False

    def read(self, size: int = -1) -> bytes:
        with self.cond:
            while not self._buffer and not self._eof:
                self.starved = True
                self.cond.notify_all()
                self.cond.wait()
            self.starved = False
            size = len(self._buffer) if size < 0 else size
            out = bytes(self._buffer[:size])
            del self._buffer[:size]
            return out

    def put(self, data: bytes) -> None:
        with self.cond:
            self._buffer += data
            self.starved = False
            self.cond.notify_all()

    def end(self) -> None:
        with self.cond:
            self._eof = True
            self.cond.notify_all()


class CompressedSource:
    """WebM or Ogg with Opus (what MediaRecorder sends), decoded as it arrives by PyAV in
    a thread of its own reading from the stream, so each byte is decoded once."""

    WAIT_S = 2.0

    def __init__(self, container_format: str) -> None:
        self._reader = _StreamReader()
        self._format = self.name = container_format
        self._head = b""
        self._decoded: list[np.ndarray] = []
        self._error: str | None = None
        self._done = False
        self._thread = threading.Thread(target=self._run, name="live-audio-decoder", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import av

        try:
            with av.open(self._reader, mode="r", format=self._format) as container:
                if not container.streams.audio:
                    raise AudioError("音频流里没有音轨")
                resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
                for frame in container.decode(container.streams.audio[0]):
                    self._keep(_joined(resampler.resample(frame)))
                self._keep(_joined(resampler.resample(None)))
        except (av.error.FFmpegError, ValueError, IndexError, AudioError) as exc:
            with self._reader.cond:
                self._error = str(exc) if isinstance(exc, AudioError) else "音频流无法解码"
        finally:
            with self._reader.cond:
                self._done = True
                self._reader.cond.notify_all()

    def _keep(self, samples: np.ndarray) -> None:
        if samples.size:
            with self._reader.cond:
                self._decoded.append(samples)

    def _take(self) -> np.ndarray:
        with self._reader.cond:
            if self._error is not None:
                raise AudioError(self._error)
            pieces, self._decoded = self._decoded, []
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.float32)

    def feed(self, data: bytes) -> np.ndarray:
        """Samples decoded so far, after waiting (briefly) for these bytes to be read."""
        if len(self._head) < 4:
            self._head += data[: 4 - len(self._head)]
            if len(self._head) == 4 and audio_type(self._head) != MEDIA_TYPES[self._format]:
                raise AudioError(f"音频流不是 {self._format} 格式，无法解码")
        self._reader.put(data)
        with self._reader.cond:
            self._reader.cond.wait_for(
                lambda: self._reader.starved or self._done, timeout=self.WAIT_S
            )
        return self._take()

    def finish(self) -> np.ndarray:
        self._reader.end()
        self._thread.join(timeout=10.0)
        return self._take()

    def close(self) -> None:
        self._reader.end()


Source = PcmSource | CompressedSource


def parse_config(text: str) -> Source:
    try:
        config = json.loads(text)
    except ValueError:
        config = None
    if not isinstance(config, dict) or config.get("format") not in FORMATS:
        raise AudioError(
            '请先发送格式说明：{"format": "pcm16", "sample_rate": 16000} 或 {"format": "webm"}'
        )
    container = FORMATS[config["format"]]
    if container is not None:
        return CompressedSource(container)
    rate = config.get("sample_rate", SAMPLE_RATE)
    if not isinstance(rate, int) or not 8000 <= rate <= 48000:
        raise AudioError("sample_rate 须为 8000 到 48000 之间的整数")
    return PcmSource(rate)
