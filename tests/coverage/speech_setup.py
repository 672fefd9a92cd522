"""Recordings in every state for the speech-export tests: consented and approved ones that
must be exported, and the ones that must not (no consent, not approved, unapproved text)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.glossary.orm import Term
from interp_service.memory import repository as memory_repo
from tests.conftest import Account, bearer
from tests.coverage.helpers import tiny_wav
from tests.glossary.test_term_recording_audio import encoded
from tests.interview_setup import TERM_CMN, approve_miao_term

# Uploads are decoded before they are stored, so this must be a real MP3.
MP3 = encoded(0.5, "mp3", "libmp3lame", rate=16_000)


@dataclass
class SpeechWorld:
    spelling: str
    miao_admin: Account
    miao_term_id: int
    exported: dict[str, bytes]  # source → audio bytes of what must be exported
    phrase_id: int


def upload(
    client: TestClient,
    who: Account,
    term_id: int,
    data: bytes,
    *,
    consent: bool,
    approve: bool,
    name: str = "a.wav",
) -> dict[str, Any]:
    form = {"speaker": "发音人甲", "speaker_consent": "true" if consent else ""}
    r = client.post(
        f"/api/v1/glossary/terms/{term_id}/recordings",
        headers=bearer(who),
        files={"file": (name, data, "application/octet-stream")},
        data=form,
    )
    assert r.status_code == 201, r.text
    item: dict[str, Any] = r.json()
    assert item["speaker_consent"] is consent and item["speaker"] == "发音人甲"
    if approve:
        ok = client.post(f"/api/v1/glossary/recordings/{item['id']}/approve", headers=bearer(who))
        assert ok.status_code == 200, ok.text
        item = ok.json()
    return item


def speech_world(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> SpeechWorld:
    spelling, _, miao_admin = approve_miao_term(client, admin, make_user)
    miao = db.scalar(select(Term).where(Term.language == "mmr", Term.text == spelling))
    chinese = db.scalar(select(Term).where(Term.language == "cmn", Term.text == TERM_CMN))
    assert miao is not None and miao.verification == "approved"
    assert chinese is not None and chinese.verification != "approved"
    wav_half = tiny_wav(0.5, tone=1)
    good = upload(client, miao_admin, miao.id, wav_half, consent=True, approve=True)
    mp3 = upload(client, miao_admin, miao.id, MP3, consent=True, approve=True, name="b.mp3")
    upload(client, miao_admin, miao.id, tiny_wav(0.5, tone=2), consent=True, approve=False)
    upload(client, miao_admin, miao.id, tiny_wav(0.5, tone=3), consent=False, approve=True)
    upload(client, miao_admin, chinese.id, tiny_wav(0.5, tone=4), consent=True, approve=True)

    store = app.state.services.evidence_store
    phrases = memory_repo.phrasebook(db)
    wav_quarter = tiny_wav(0.25, rate=8000, tone=5)
    for entry, consent, data in ((phrases[0], True, wav_quarter), (phrases[1], False, MP3)):
        entry.status = "approved"
        entry.target_text = spelling
        entry.target_variety = "花垣"
        entry.recording_sha256 = store.put_bytes(data).sha256
        entry.recording_approved = True
        entry.recording_consent = consent
    db.commit()
    exported = {
        f"glossary-term:{miao.id}/recording:{good['id']}": wav_half,
        f"glossary-term:{miao.id}/recording:{mp3['id']}": MP3,
        f"memory-entry:{phrases[0].id}": wav_quarter,
    }
    return SpeechWorld(spelling, miao_admin, miao.id, exported, phrases[0].id)
