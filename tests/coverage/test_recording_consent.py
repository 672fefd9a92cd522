"""Term recordings carry the speaker and their consent from upload; an admin competent in
the term's language approves them (on the API and on the concept page)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.glossary.orm import Term, TermRecording
from tests.conftest import Account, bearer, sign_in
from tests.coverage.helpers import tiny_wav
from tests.interview_setup import approve_miao_term


def _miao_term(client: TestClient, db: Session, admin: Account, make_user: Any) -> Any:
    spelling, _, miao_admin = approve_miao_term(client, admin, make_user)
    term = db.scalar(select(Term).where(Term.language == "mmr", Term.text == spelling))
    assert term is not None
    return term, miao_admin


def test_page_upload_records_speaker_and_consent(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    csrf = sign_in(client, app, miao_admin)
    for consent in (True, False):
        form = {"csrf_token": csrf, "speaker": "发音人乙", "speaker_note": "花垣"}
        if consent:
            form["speaker_consent"] = "on"
        r = client.post(
            f"/glossary/terms/{term.id}/recordings",
            data=form,
            files={"file": ("x.wav", tiny_wav(0.1, tone=7 + consent), "audio/wav")},
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
    rows = db.scalars(select(TermRecording).where(TermRecording.term_id == term.id)).all()
    assert [(r.speaker, r.speaker_consent, r.approved_at) for r in rows] == [
        ("发音人乙", True, None),
        ("发音人乙", False, None),
    ]
    page = client.get(f"/glossary/concepts/{term.concept_id}")
    assert "发音人同意用作语音数据" in page.text and "未记录发音人同意" in page.text
    assert f'/glossary/recordings/{rows[0].id}/approve"' in page.text

    done = client.post(
        f"/glossary/recordings/{rows[0].id}/approve",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    db.expire_all()
    assert db.get(TermRecording, rows[0].id).approved_by == miao_admin.id  # type: ignore[union-attr]
    page = client.get(f"/glossary/concepts/{term.concept_id}")
    assert f'/glossary/recordings/{rows[0].id}/approve"' not in page.text


def test_approving_a_recording_needs_competence_in_the_term_language(
    client: TestClient, db: Session, admin: Account, make_user: Any
) -> None:
    term, miao_admin = _miao_term(client, db, admin, make_user)
    r = client.post(
        f"/api/v1/glossary/terms/{term.id}/recordings",
        headers=bearer(miao_admin),
        files={"file": ("a.wav", tiny_wav(0.1), "audio/wav")},
        data={"speaker_consent": "true"},
    )
    assert r.status_code == 201, r.text
    assert r.json()["approved_at"] is None and r.json()["speaker_consent"] is True
    url = f"/api/v1/glossary/recordings/{r.json()['id']}/approve"
    refused = client.post(url, headers=bearer(admin))  # the first admin has no Miao competence
    assert refused.status_code == 403
    ok = client.post(url, headers=bearer(miao_admin))
    assert ok.status_code == 200 and ok.json()["approved_by"] == miao_admin.id
    assert client.post(url, headers=bearer(miao_admin)).status_code == 409
    clerk = make_user("tian", "clerk", competences=("mmr",))
    assert client.post(url, headers=bearer(clerk)).status_code == 403
