"""A recording uploaded as a transcript: recognised through the speech pipeline and its
language gate (Mandarin text marked as speech recognition), speakers found by channel in
a stereo recording with one microphone per speaker, suggestions made; the bar reaches
100 % and the job says so."""

from __future__ import annotations

import io
import wave

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import bearer
from tests.speech.conftest import clip, silence
from tests.transcripts.conftest import Setting, setting, upload, wait_done

__all__ = ["setting"]  # the fixture, used by name


def stereo_wav(left: np.ndarray, right: np.ndarray) -> bytes:
    pcm = np.stack([left, right], axis=1)
    data = (np.clip(pcm, -1.0, 1.0) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(16_000)
        out.writeframes(data.tobytes())
    return buffer.getvalue()


def test_a_stereo_recording_becomes_a_transcript_with_two_speakers(
    client: TestClient, speech_app: FastAPI, setting: Setting
) -> None:
    first = clip("aishell1_BAC009S0764W0143.wav")
    gap = silence(1.0)
    quiet = np.zeros_like(first)
    # One speaker on each channel, one after the other: A (left), then B (right).
    left = np.concatenate([first, gap, quiet])
    right = np.concatenate([quiet, gap, first])
    r = upload(client, setting, "讯问录音.wav", stereo_wav(left, right))
    assert r.status_code == 202, r.text
    wait_done(speech_app, r.json()["job_id"])
    job = client.get(f"/api/v1/jobs/{r.json()['job_id']}", headers=bearer(setting.clerk)).json()
    assert job["state"] == "succeeded" and job["done"] == job["total"]
    t = client.get(setting.url(r.json()["id"]), headers=bearer(setting.clerk)).json()
    assert t["kind"] == "audio" and t["recording_id"] is not None and t["state"] == "ready"
    assert "声道" in t["diarisation"]
    spoken = [s for s in t["segments"] if s["source_text"]]
    assert spoken, t["segments"]
    assert {s["source_provenance"] for s in spoken} == {"speech"}
    assert all(s["start_s"] is not None and s["end_s"] > s["start_s"] for s in t["segments"])
    speakers = [s["speaker_label"] for s in t["segments"]]
    assert len(set(speakers) - {""}) == 2, speakers
    half = len(left) / 16_000 / 2
    assert {s["speaker_label"] for s in t["segments"] if s["end_s"] <= half} == {speakers[0]}
