"""Phrasebook recordings: an admin competent in Miao uploads (or records in the browser)
a recording of a phrase's approved Miao side with the speaker and their consent, and
approves it after listening; the interview page plays approved recordings only.

Miao text is a zz-0001 placeholder; audio is a generated tone."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.orm import AuditEntry
from interp_service.memory import repository as repo
from interp_service.memory.orm import MemoryEntry
from tests.conftest import Account, bearer, sign_in
from tests.glossary.test_term_recording_audio import corrupt_wav, tone_wav, webm
from tests.interview_setup import interview_world

MIAO = "zz-0001"
# Stored only once migration 0007 adds the column (see interp_service.memory.recordings).
SPEAKER = "发音人甲"


def _filled_phrase(client: TestClient, db: Session, miao_admin: Account, index: int = 0) -> int:
    """A shipped phrase with its Miao side filled in and approved; returns its id."""
    entry = repo.phrasebook(db)[index]
    r = client.patch(
        f"/api/v1/memory/entries/{entry.id}",
        json={"version": entry.version, "target_text": MIAO},
        headers=bearer(miao_admin),
    )
    assert r.status_code == 200 and r.json()["status"] == "approved", r.text
    return entry.id


def _upload(
    client: TestClient, who: Account, entry_id: int, data: bytes, *, consent: bool = True
) -> Any:
    return client.post(
        f"/api/v1/memory/entries/{entry_id}/recording",
        headers=bearer(who),
        files={"file": ("recording.wav", data, "application/octet-stream")},
        data={"speaker": "发音人甲", "speaker_consent": "true" if consent else ""},
    )


def test_upload_listen_approve_play(
    client: TestClient,
    app: FastAPI,
    db: Session,
    admin: Account,
    miao_admin: Account,
    prosecutor: Account,
    make_user: Any,
) -> None:
    entry_id = _filled_phrase(client, db, miao_admin)
    data = tone_wav(0.5)
    r = _upload(client, miao_admin, entry_id, data)
    assert r.status_code == 201, r.text
    recording = r.json()
    assert recording["approved"] is False and recording["speaker_consent"] is True
    assert recording["media_type"] == "audio/wav" and recording["speaker"] == SPEAKER
    sha256 = recording["sha256"]

    play = f"/api/v1/memory/entries/{entry_id}/recording"
    assert client.get(play, headers=bearer(prosecutor)).status_code == 404
    heard = client.get(play, headers=bearer(miao_admin))  # admins listen before approving
    assert heard.status_code == 200 and heard.content == data

    approve = f"/api/v1/memory/entries/{entry_id}/recording/approve"
    assert client.post(approve, headers=bearer(admin)).status_code == 403  # no Miao competence
    clerk = make_user("tian", "clerk", competences=("mmr",))
    assert client.post(approve, headers=bearer(clerk)).status_code == 403
    stale = client.post(approve, json={"sha256": "0" * 64}, headers=bearer(miao_admin))
    assert stale.status_code == 409 and "已被替换" in stale.json()["detail"]
    ok = client.post(approve, json={"sha256": sha256}, headers=bearer(miao_admin))
    assert ok.status_code == 200, ok.text
    assert ok.json()["approved"] is True and ok.json()["sha256"] == sha256
    assert client.post(approve, headers=bearer(miao_admin)).status_code == 409

    played = client.get(play, headers=bearer(prosecutor))
    assert played.status_code == 200 and played.content == data
    assert played.headers["content-type"] == "audio/wav"
    assert played.headers["x-content-sha256"] == sha256

    # A new recording replaces the approved one and waits for approval again.
    again = _upload(client, miao_admin, entry_id, tone_wav(0.5, 660.0), consent=False)
    assert again.status_code == 201, again.text
    assert again.json()["approved"] is False and again.json()["speaker_consent"] is False
    assert client.get(play, headers=bearer(prosecutor)).status_code == 404

    db.expire_all()
    actions = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "memory_entry", AuditEntry.object_id == str(entry_id))
        .where(AuditEntry.action.like("memory.recording%"))
        .order_by(AuditEntry.seq)
    ).all()
    assert [a.action for a in actions] == [
        "memory.recording",
        "memory.recording.approve",
        "memory.recording",
    ]
    assert actions[2].details["replaced_sha256"] == sha256
    assert all("发音人" not in str(a.details) for a in actions)  # ids and hashes only


def test_browser_recording_webm_is_accepted(
    client: TestClient, db: Session, miao_admin: Account, prosecutor: Account
) -> None:
    entry_id = _filled_phrase(client, db, miao_admin)
    data = webm(1.0)
    r = client.post(
        f"/api/v1/memory/entries/{entry_id}/recording",
        headers=bearer(miao_admin),
        files={"file": ("recording.webm", data, "audio/webm;codecs=opus")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["media_type"] == "audio/webm" and r.json()["speaker_consent"] is False
    ok = client.post(
        f"/api/v1/memory/entries/{entry_id}/recording/approve", headers=bearer(miao_admin)
    )
    assert ok.status_code == 200, ok.text
    played = client.get(f"/api/v1/memory/entries/{entry_id}/recording", headers=bearer(prosecutor))
    assert played.status_code == 200 and played.headers["content-type"] == "audio/webm"


def test_a_recording_needs_approved_miao_text_and_competence(
    client: TestClient, db: Session, admin: Account, miao_admin: Account
) -> None:
    draft = repo.phrasebook(db)[1]
    assert draft.status == "draft"
    refused = _upload(client, miao_admin, draft.id, tone_wav())
    assert refused.status_code == 409 and "尚无核准的苗语译文" in refused.json()["detail"]
    entry_id = _filled_phrase(client, db, miao_admin)
    assert _upload(client, admin, entry_id, tone_wav()).status_code == 403
    assert _upload(client, miao_admin, 999999, tone_wav()).status_code == 404
    missing = client.post(
        f"/api/v1/memory/entries/{entry_id}/recording/approve", headers=bearer(miao_admin)
    )
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("data", "status"),
    [(corrupt_wav(), 415), (b"not audio at all\n", 415), (tone_wav(61.5), 422), (b"", 422)],
    ids=["corrupt", "text", "too-long", "empty"],
)
def test_refused_uploads_change_nothing(
    client: TestClient,
    app: FastAPI,
    db: Session,
    miao_admin: Account,
    data: bytes,
    status: int,
) -> None:
    entry_id = _filled_phrase(client, db, miao_admin)
    store = app.state.services.evidence_store
    before = store.all_hashes()
    r = _upload(client, miao_admin, entry_id, data)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert store.all_hashes() == before
    db.expire_all()
    entry = db.get(MemoryEntry, entry_id)
    assert entry is not None and entry.recording_sha256 is None


def test_a_recording_over_the_body_limit_uploads(
    client: TestClient, app: FastAPI, db: Session, miao_admin: Account
) -> None:
    """The recording routes take uploads larger than the 1 MiB limit of other requests."""
    entry_id = _filled_phrase(client, db, miao_admin)
    data = tone_wav(45.0)
    assert len(data) > app.state.services.settings.max_body_bytes
    assert _upload(client, miao_admin, entry_id, data).status_code == 201
    csrf = sign_in(client, app, miao_admin)
    r = client.post(
        f"/memory/phrasebook/{entry_id}/recording",
        data={"csrf_token": csrf},
        files={"file": ("recording.wav", tone_wav(45.0, 500.0), "audio/wav")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text


def test_phrasebook_page_upload_and_approval(
    client: TestClient, app: FastAPI, db: Session, miao_admin: Account, prosecutor: Account
) -> None:
    entry_id = _filled_phrase(client, db, miao_admin)
    csrf = sign_in(client, app, miao_admin)
    page = client.get("/memory/phrasebook")
    assert f'data-testid="recording-form-{entry_id}"' in page.text
    assert "data-recorder" in page.text and "/static/recorder.js" in page.text

    bad = client.post(
        f"/memory/phrasebook/{entry_id}/recording",
        data={"csrf_token": csrf, "speaker": "发音人甲"},
        files={"file": ("x.wav", corrupt_wav(), "audio/wav")},
    )
    assert bad.status_code == 415
    assert "音频文件已损坏或无法解码" in bad.text and 'value="发音人甲"' in bad.text

    done = client.post(
        f"/memory/phrasebook/{entry_id}/recording",
        data={"csrf_token": csrf, "speaker": "发音人甲", "speaker_consent": "on"},
        files={"file": ("recording.wav", tone_wav(), "audio/wav")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/memory/phrasebook?recorded={entry_id}#phrase-{entry_id}"
    db.expire_all()
    entry = db.get(MemoryEntry, entry_id)
    assert entry is not None and entry.recording_consent and not entry.recording_approved
    page = client.get(done.headers["location"])
    assert "录音已上传" in page.text and "有录音（未核准）" in page.text
    assert "发音人同意用作语音数据" in page.text
    assert f'name="sha256" value="{entry.recording_sha256}"' in page.text
    assert f'src="/api/v1/memory/entries/{entry_id}/recording"' in page.text

    sign_in(client, app, prosecutor)
    page = client.get("/memory/phrasebook")
    assert f"/api/v1/memory/entries/{entry_id}/recording" not in page.text  # not approved yet
    assert "recording-form-" not in page.text and "/static/recorder.js" not in page.text

    csrf = sign_in(client, app, miao_admin)
    stale = client.post(
        f"/memory/phrasebook/{entry_id}/recording/approve",
        data={"csrf_token": csrf, "sha256": "f" * 64},
    )
    assert stale.status_code == 409 and "已被替换" in stale.text
    ok = client.post(
        f"/memory/phrasebook/{entry_id}/recording/approve",
        data={"csrf_token": csrf, "sha256": entry.recording_sha256},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    page = client.get(ok.headers["location"])
    assert "录音已核准" in page.text and "有核准录音" in page.text
    assert f"/memory/phrasebook/{entry_id}/recording/approve" not in page.text

    sign_in(client, app, prosecutor)
    page = client.get("/memory/phrasebook")
    assert f'src="/api/v1/memory/entries/{entry_id}/recording"' in page.text


def test_interview_page_plays_approved_phrase_recordings_only(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    first = _filled_phrase(client, db, world.miao_admin, 0)
    second = _filled_phrase(client, db, world.miao_admin, 1)
    for entry_id in (first, second):
        assert _upload(client, world.miao_admin, entry_id, tone_wav()).status_code == 201
    ok = client.post(
        f"/api/v1/memory/entries/{first}/recording/approve", headers=bearer(world.miao_admin)
    )
    assert ok.status_code == 200, ok.text
    sign_in(client, app, world.lead)
    page = client.get(f"/cases/{world.case_id}/interviews/{world.interview_id}")
    assert page.status_code == 200
    assert f'src="/api/v1/memory/entries/{first}/recording"' in page.text
    assert f"/api/v1/memory/entries/{second}/recording" not in page.text
    assert page.text.count('data-testid="phrase-audio"') == 1
    played = client.get(f"/api/v1/memory/entries/{first}/recording")
    assert played.status_code == 200 and played.headers["content-type"] == "audio/wav"
    assert client.get(f"/api/v1/memory/entries/{second}/recording").status_code == 404
