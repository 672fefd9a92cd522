"""The same recording uploaded twice to one interview is stored once: the second upload is
refused (409) with a link to the first, nothing is written, and the interview record
lists the recording once. Another interview of the same case may still take the file."""

from __future__ import annotations

import io
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.errors import Conflict
from interp_service.interviews.orm import Interview
from interp_service.media import audio
from interp_service.speech import intake
from interp_service.speech.orm import Recording
from interp_service.users.orm import User
from tests.conftest import Account, bearer, sign_in
from tests.interview_setup import World, interview_world
from tests.interviews.test_export import _docx_text
from tests.speech.conftest import clip, silence, wav_bytes
from tests.speech.test_recordings_api import counts, processed, upload

DUPLICATE_MESSAGE = "该录音文件已上传到本次询问"


def stored_files(app: FastAPI) -> list[Path]:
    return sorted(p for p in app.state.services.evidence_store.root.rglob("*") if p.is_file())


def recording_url(world: World, recording_id: int) -> str:
    return f"/api/v1/cases/{world.case_id}/recordings/{recording_id}"


def second_interview(client: TestClient, world: World) -> int:
    r = client.post(
        f"/api/v1/cases/{world.case_id}/interviews",
        headers=bearer(world.lead),
        json={
            "party_id": world.party_id,
            "scheduled_at": "2026-11-21T02:00:00Z",
            "place": "保靖县人民检察院询问室",
            "participants": [],
        },
    )
    assert r.status_code == 201, r.text
    interview_id: int = r.json()["id"]
    return interview_id


def test_the_same_file_again_is_409_linking_to_the_first_and_stores_nothing(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    data = wav_bytes(silence(1.0))
    first = upload(client, world, world.lead, data, "询问录音.wav")
    assert first.status_code == 202, first.text
    detail = processed(speech_app, client, world, world.lead, first.json())
    before, files, jobs = (
        counts(speech_app),
        stored_files(speech_app),
        speech_app.state.services.job_runner.list(),
    )

    # The same bytes under another name are still the same recording.
    again = upload(client, world, world.lead, data, "副本.wav")
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith("application/problem+json")
    problem = again.json()
    assert problem["existing_recording_id"] == detail["id"]
    assert problem["recording_url"] == recording_url(world, detail["id"])
    assert DUPLICATE_MESSAGE in problem["detail"] and f"#{detail['id']}" in problem["detail"]
    linked = client.get(problem["recording_url"], headers=bearer(world.lead))
    assert linked.status_code == 200 and linked.json()["sha256"] == detail["sha256"]
    # Nothing written: no recording, evidence or segment rows, no file, no job.
    assert counts(speech_app) == before
    assert stored_files(speech_app) == files
    assert len(speech_app.state.services.job_runner.list()) == len(jobs)
    listed = client.get(f"{world.interview_api}/recordings", headers=bearer(world.lead)).json()
    assert [r["id"] for r in listed] == [detail["id"]]


def test_the_record_lists_the_recording_and_its_segments_once(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    data = wav_bytes(np.concatenate([clip(), silence(1)]))
    first = upload(client, world, world.lead, data, "询问录音.wav")
    assert first.status_code == 202, first.text
    detail = processed(speech_app, client, world, world.lead, first.json())
    assert [s["kind"] for s in detail["segments"]] == ["mandarin"]
    again = upload(client, world, world.lead, data, "询问录音.wav")
    assert again.status_code == 409, again.text
    for job in speech_app.state.services.job_runner.list():
        speech_app.state.services.job_runner.wait(job.id, timeout_s=300)

    docx = client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead))
    assert docx.status_code == 200, docx.text
    text = _docx_text(Document(io.BytesIO(docx.content)))
    assert text.count(detail["sha256"]) == 1
    assert "录音转写（共 1 段）" in text


def test_the_page_shows_the_message_with_a_link_and_adds_nothing(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    page_url = f"/cases/{world.case_id}/interviews/{world.interview_id}/recordings"
    csrf = sign_in(client, speech_app, world.lead)
    data = wav_bytes(silence(1.0))
    done = client.post(
        page_url,
        data={"csrf_token": csrf},
        files={"file": ("answer.wav", data, "audio/wav")},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    first_id = int(done.headers["location"].rsplit("uploaded=", 1)[1])
    before, files = counts(speech_app), stored_files(speech_app)

    again = client.post(
        page_url,
        data={"csrf_token": csrf},
        files={"file": ("answer-copy.wav", data, "audio/wav")},
        follow_redirects=False,
    )
    assert again.status_code == 409
    assert 'data-testid="upload-error"' in again.text
    assert f"{DUPLICATE_MESSAGE}（录音 #{first_id}）" in again.text
    assert f'href="#recording-{first_id}"' in again.text
    assert f'id="recording-{first_id}"' in again.text
    assert again.text.count('<section class="recording"') == 1
    assert "answer-copy.wav" not in again.text
    assert counts(speech_app) == before
    assert stored_files(speech_app) == files


def test_another_interview_of_the_case_takes_the_same_file_once(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    other = replace(world, interview_id=second_interview(client, world))
    data = wav_bytes(silence(1.0))
    first = upload(client, world, world.lead, data, "a.wav")
    assert first.status_code == 202, first.text
    files = stored_files(speech_app)

    second = upload(client, other, world.lead, data, "a.wav")
    assert second.status_code == 202, second.text
    # Linked to the same evidence item; the bytes are stored once.
    assert second.json()["evidence_id"] == first.json()["evidence_id"]
    assert second.json()["sha256"] == first.json()["sha256"]
    assert stored_files(speech_app) == files
    evidence = client.get(f"/api/v1/cases/{world.case_id}/evidence", headers=bearer(world.lead))
    same = [e["id"] for e in evidence.json() if e["sha256"] == first.json()["sha256"]]
    assert same == [first.json()["evidence_id"]]
    content = client.get(
        f"/api/v1/cases/{world.case_id}/evidence/{second.json()['evidence_id']}/content",
        headers=bearer(world.lead),
    )
    assert content.content == data

    # Within the other interview the file is now a repeat too, pointing at its own copy.
    again = upload(client, other, world.lead, data, "a.wav")
    assert again.status_code == 409, again.text
    assert again.json()["existing_recording_id"] == second.json()["id"]
    for job in speech_app.state.services.job_runner.list():
        speech_app.state.services.job_runner.wait(job.id, timeout_s=300)


def test_two_simultaneous_uploads_of_one_file_store_it_once(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    data = wav_bytes(silence(1.0))
    decoded = audio.decode(data, max_duration_s=60)
    factory = speech_app.state.services.session_factory
    store = speech_app.state.services.evidence_store

    def add(session: Any, name: str) -> Recording:
        interview = session.get(Interview, world.interview_id)
        user = session.get(User, world.lead.id)
        assert interview is not None and user is not None
        return intake.add_recording(
            session,
            store,
            user,
            interview,
            data=data,
            decoded=decoded,
            filename=name,
            speech_data_consent=False,
        )

    outcome: list[BaseException | int] = []

    def second_upload() -> None:
        with factory() as session:
            try:
                outcome.append(add(session, "b.wav").id)
                session.commit()
            except BaseException as exc:
                session.rollback()
                outcome.append(exc)

    with factory() as session:
        first = add(session, "a.wav")
        # The first upload holds its transaction open; the second must wait for it and
        # then see the first, not check before the first is committed.
        racer = threading.Thread(target=second_upload)
        racer.start()
        time.sleep(0.5)
        assert racer.is_alive() and outcome == []
        session.commit()
        first_id = first.id
    racer.join(timeout=60)
    assert not racer.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], Conflict), outcome
    assert outcome[0].extra["existing_recording_id"] == first_id
    with factory() as session:
        rows = session.scalar(
            select(func.count())
            .select_from(Recording)
            .where(Recording.interview_id == world.interview_id)
        )
    assert rows == 1
