"""Speech test set-up: one Whisper model and detector for the whole run, real Mandarin
clips from ../shared/data/speech-zh, and audio made in the test (silence, noise, and
espeak-ng reading an English sentence as a stand-in for speech that is not Mandarin)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import pytest
from fastapi import FastAPI

from interp_service.config import Settings
from interp_service.media.audio import SAMPLE_RATE, decode, to_wav
from interp_service.speech.models import SpeechModels

SPEECH_ZH = Path(__file__).resolve().parents[3] / "shared" / "data" / "speech-zh"
WHISPER_DIR = Path(tempfile.gettempdir()) / "interp-test-whisper-base"
# UDHR article 1 in English (the stand-in is English read by espeak-ng, never Miao).
ENGLISH_UDHR = (
    "All human beings are born free and equal in dignity and rights. They are endowed "
    "with reason and conscience and should act towards one another in a spirit of "
    "brotherhood."
)


def references() -> dict[str, str]:
    with (SPEECH_ZH / "transcripts.tsv").open(encoding="utf-8") as handle:
        return {row["filename"]: row["reference"] for row in csv.DictReader(handle, delimiter="\t")}


def clip(name: str = "aishell1_BAC009S0764W0143.wav") -> np.ndarray:
    """A real Mandarin recording as 16 kHz float32 samples."""
    return decode((SPEECH_ZH / name).read_bytes(), max_duration_s=60).samples


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SAMPLE_RATE), dtype=np.float32)


def noise(seconds: float, level: float = 0.05) -> np.ndarray:
    rng = np.random.default_rng(7)
    return (rng.standard_normal(int(seconds * SAMPLE_RATE)) * level).astype(np.float32)


def english_standin() -> np.ndarray:
    """espeak-ng reading English: speech that is certainly not Mandarin."""
    espeak = shutil.which("espeak-ng")
    assert espeak, "espeak-ng is needed for the language-gate tests (scripts/system-packages.sh)"
    wav = subprocess.run(
        [espeak, "-v", "en", "--stdout", ENGLISH_UDHR], capture_output=True, check=True
    ).stdout
    return decode(wav, max_duration_s=60).samples


def encode_as(samples: np.ndarray, container: str, codec: str) -> bytes:
    """Encode 16 kHz mono samples with PyAV (e.g. ("mp3", "libmp3lame"), ("webm", "libopus"))."""
    buffer = io.BytesIO()
    rate = 48_000 if codec == "libopus" else SAMPLE_RATE
    with av.open(buffer, mode="w", format=container) as out:
        stream = out.add_stream(codec, rate=rate)
        stream.layout = "mono"
        resampler = av.AudioResampler(format=stream.format.name, layout="mono", rate=rate)
        frame = av.AudioFrame.from_ndarray(
            (np.clip(samples, -1, 1) * 32767).astype(np.int16).reshape(1, -1),
            format="s16",
            layout="mono",
        )
        frame.sample_rate = SAMPLE_RATE
        for piece in resampler.resample(frame):
            for packet in stream.encode(piece):
                out.mux(packet)
        for piece in resampler.resample(None):
            for packet in stream.encode(piece):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    return buffer.getvalue()


def wav_bytes(samples: np.ndarray) -> bytes:
    return to_wav(samples)


@pytest.fixture(scope="session")
def shared_speech_models(tmp_path_factory: pytest.TempPathFactory) -> SpeechModels:
    return SpeechModels(
        Settings(data_dir=tmp_path_factory.mktemp("speech"), asr_model_dir=WHISPER_DIR)
    )


@pytest.fixture
def speech_app(app: FastAPI, shared_speech_models: SpeechModels) -> Iterator[FastAPI]:
    """The test app with the run's shared speech models (loading them takes seconds)."""
    app.state.services.speech_models = shared_speech_models
    yield app
