"""Term recordings are decoded before anything is stored: WAV, MP3 and the browser's
WebM/Opus pass, corrupt files, other files and recordings over a minute are refused whole.
Unapproved recordings play only for admins; the interview page lists approved recordings
of the Miao terms marked in its suggestions.

Test audio is a generated tone (the content need not be speech); Miao text comes from the
licensed lexicon (`tests.interview_setup`)."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.glossary.orm import Term, TermRecording
from interp_service.media.audio import SAMPLE_RATE, to_wav
from tests.conftest import Account, bearer, sign_in
from tests.interview_setup import TERM_CMN, approve_miao_term, interview_world

QUESTION = f"你知道什么是{TERM_CMN}吗？"


def tone(seconds: float, frequency: float = 440.0) -> np.ndarray:
    t = np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE
    return (0.3 * np.sin(2 * np.pi * frequency * t)).astype(np.float32)


def tone_wav(seconds: float = 0.5, frequency: float = 440.0) -> bytes:
    return to_wav(tone(seconds, frequency))


def encoded(seconds: float, container: str, codec: str, rate: int = 48_000) -> bytes:
    """A tone encoded with PyAV, e.g. WebM/Opus as Chromium's MediaRecorder makes it."""
    import av

    samples = np.repeat(tone(seconds), rate // SAMPLE_RATE)
    out = io.BytesIO()
    with av.open(out, mode="w", format=container) as file:
        stream = file.add_stream(codec, rate=rate)
        stream.layout = "mono"
        frame_size = 960
        for start in range(0, samples.size, frame_size):
            piece = samples[start : start + frame_size]
            if piece.size < frame_size:
                piece = np.pad(piece, (0, frame_size - piece.size))
            frame = av.AudioFrame.from_ndarray(piece.reshape(1, -1), format="flt", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            for packet in stream.encode(frame):
                file.mux(packet)
        for packet in stream.encode(None):
            file.mux(packet)
    return out.getvalue()


def webm(seconds: float = 0.5) -> bytes:
    return encoded(seconds, "webm", "libopus")


def corrupt_wav() -> bytes:
    """A WAV header followed by noise in place of the format chunk: not decodable."""
    return b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 4


def _miao_term(client: TestClient, db: Session, admin: Account, make_user: Any) -> Any:
    spelling, _, miao_admin = approve_miao_term(client, admin, make_user)
    term = db.scalar(select(Term).where(Term.language == "mmr", Term.text == spelling))
    assert term is not None
    return term, miao_admin


def _upload(client: TestClient, who: Account, term_id: int, data: bytes, name: str) -> Any:
    return client.post(
        f"/api/v1/glossary/terms/{term_id}/recordings",
        headers=bearer(who),
        files={"file": (name, data, "application/octet-stream")},
        data={"speaker": "发音人甲", "speaker_consent": "true"},
    )


def test_decodable_audio_is_stored_with_its_type(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    for data, name, media in (
        (tone_wav(), "a.wav", "audio/wav"),
        (webm(), "recording.webm", "audio/webm"),
        (encoded(0.5, "mp3", "libmp3lame", rate=16_000), "b.mp3", "audio/mpeg"),
    ):
        r = _upload(client, miao_admin, term.id, data, name)
        assert r.status_code == 201, r.text
        assert r.json()["media_type"] == media
        assert app.state.services.evidence_store.exists(r.json()["sha256"])
        played = client.get(
            f"/api/v1/glossary/recordings/{r.json()['id']}/content", headers=bearer(miao_admin)
        )
        assert played.status_code == 200 and played.content == data
        assert played.headers["content-type"] == media


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (corrupt_wav(), 415, "损坏"),
        (b"%PDF-1.7\n" + bytes(200), 415, "不是可识别的音频"),
        (b"plain text, not audio\n", 415, "不是可识别的音频"),
        (tone_wav(62.0), 422, "时长"),
        (b"", 422, "空"),
    ],
    ids=["corrupt", "pdf", "text", "too-long", "empty"],
)
def test_refused_uploads_store_nothing(
    client: TestClient,
    app: FastAPI,
    db: Session,
    admin: Account,
    make_user: Any,
    data: bytes,
    status: int,
    message: str,
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    store = app.state.services.evidence_store
    before = store.all_hashes()
    r = _upload(client, miao_admin, term.id, data, "x.wav")
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert message in r.json()["detail"]
    assert store.all_hashes() == before
    db.expire_all()
    assert db.scalars(select(TermRecording).where(TermRecording.term_id == term.id)).all() == []


def test_page_upload_refusal_is_shown_beside_the_term(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    csrf = sign_in(client, app, miao_admin)
    page = client.get(f"/glossary/concepts/{term.concept_id}")
    assert f'data-testid="term-recording-form-{term.id}"' in page.text
    assert "data-recorder" in page.text and "/static/recorder.js" in page.text
    r = client.post(
        f"/glossary/terms/{term.id}/recordings",
        data={"csrf_token": csrf, "speaker": "发音人丙"},
        files={"file": ("x.wav", corrupt_wav(), "audio/wav")},
        follow_redirects=False,
    )
    assert r.status_code == 415
    assert "音频文件已损坏或无法解码" in r.text
    assert 'value="发音人丙"' in r.text  # the speaker typed stays in the form


def test_unapproved_recordings_play_only_for_admins(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    clerk = make_user("tian", "clerk", competences=("mmr",))
    r = _upload(client, miao_admin, term.id, tone_wav(), "a.wav")
    assert r.status_code == 201, r.text
    url = f"/api/v1/glossary/recordings/{r.json()['id']}/content"
    assert client.get(url, headers=bearer(clerk)).status_code == 404
    assert client.get(url, headers=bearer(admin)).status_code == 200
    sign_in(client, app, clerk)
    page = client.get(f"/glossary/concepts/{term.concept_id}")
    assert url not in page.text
    approved = client.post(
        f"/api/v1/glossary/recordings/{r.json()['id']}/approve", headers=bearer(miao_admin)
    )
    assert approved.status_code == 200
    assert client.get(url, headers=bearer(clerk)).status_code == 200
    page = client.get(f"/glossary/concepts/{term.concept_id}")
    assert url in page.text


def test_interview_page_plays_approved_recordings_of_marked_terms(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    said = client.post(
        f"{world.interview_api}/exchanges",
        headers=bearer(world.lead),
        json={
            "speaker_role": "prosecutor",
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
            "text": QUESTION,
        },
    )
    assert said.status_code == 201, said.text
    term = db.scalar(select(Term).where(Term.language == "mmr", Term.text == world.spelling))
    assert term is not None
    terms = [t for s in said.json()["receipt"]["sentences"] for t in s.get("terms", [])]
    assert term.id in {t["target_term_id"] for t in terms}

    ids = []
    for frequency in (440.0, 660.0):
        r = _upload(client, world.miao_admin, term.id, tone_wav(0.5, frequency), "a.wav")
        assert r.status_code == 201, r.text
        ids.append(r.json()["id"])
    page_url = f"/cases/{world.case_id}/interviews/{world.interview_id}"
    sign_in(client, app, world.lead)
    page = client.get(page_url)
    assert page.status_code == 200
    assert 'data-testid="term-recordings"' not in page.text  # nothing approved yet

    ok = client.post(
        f"/api/v1/glossary/recordings/{ids[0]}/approve", headers=bearer(world.miao_admin)
    )
    assert ok.status_code == 200, ok.text
    page = client.get(page_url)
    assert 'data-testid="term-recordings"' in page.text
    assert f'src="/api/v1/glossary/recordings/{ids[0]}/content"' in page.text
    assert f"/api/v1/glossary/recordings/{ids[1]}/content" not in page.text
    assert page.text.count('data-testid="term-audio"') == 1
    assert 'preload="none"' in page.text
    played = client.get(f"/api/v1/glossary/recordings/{ids[0]}/content")
    assert played.status_code == 200 and played.headers["content-type"] == "audio/wav"
