"""A clerk uploads an interview recording: the original is kept, Mandarin comes back as
timed text, speech that is not Mandarin waits for a competent person with no machine
text, and bad files leave nothing behind."""

from __future__ import annotations

import io
import json
import shutil
import wave
from pathlib import Path
from typing import Any

import numpy as np
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.audit.chain import Actor
from interp_service.coverage.speech_export import export
from interp_service.evidence.orm import EvidenceFile
from interp_service.speech.orm import Recording, SpeechSegment
from tests.conftest import Account, assign_interpreter, bearer
from tests.interview_setup import World, interview_world
from tests.speech.conftest import clip, encode_as, english_standin, silence, wav_bytes


def add_member(client: TestClient, lead: Account, case_id: int, user: Account, role: str) -> None:
    """Assign `user`; an interpreter then files their own declaration of no conflict."""
    if role == "interpreter":
        assign_interpreter(client, lead, case_id, user)
        return
    r = client.post(
        f"/api/v1/cases/{case_id}/assignments",
        headers=bearer(lead),
        json={"user_id": user.id, "role_on_case": role},
    )
    assert r.status_code == 201, r.text


def upload(client: TestClient, world: World, who: Account, data: bytes, name: str) -> Any:
    return client.post(
        f"{world.interview_api}/recordings",
        headers=bearer(who),
        files={"file": (name, data, "application/octet-stream")},
        data={"speech_data_consent": "on"},
    )


def processed(app: FastAPI, client: TestClient, world: World, who: Account, body: Any) -> Any:
    app.state.services.job_runner.wait(body["job_id"], timeout_s=300)
    r = client.get(f"/api/v1/cases/{world.case_id}/recordings/{body['id']}", headers=bearer(who))
    assert r.status_code == 200, r.text
    return r.json()


def counts(app: FastAPI) -> tuple[int, int, int]:
    with app.state.services.session_factory() as s:
        return (
            s.scalar(select(func.count()).select_from(Recording)) or 0,
            s.scalar(select(func.count()).select_from(EvidenceFile)) or 0,
            s.scalar(select(func.count()).select_from(SpeechSegment)) or 0,
        )


def test_mixed_recording_splits_into_mandarin_text_and_queued_speech(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    clerk = make_user("tian", "clerk")
    add_member(client, world.lead, world.case_id, clerk, "clerk")
    audio = np.concatenate([silence(0.5), clip(), silence(1.5), english_standin(), silence(1.0)])
    data = encode_as(audio, "ogg", "libopus")
    r = upload(client, world, clerk, data, "询问录音.ogg")
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["state"] == "queued" and body["job_id"]
    detail = processed(speech_app, client, world, clerk, body)
    assert detail["state"] == "done" and detail["progress"] == 1.0
    assert detail["language"] == "mmr" and detail["variety"] == "花垣"
    segments = detail["segments"]
    mandarin = [s for s in segments if s["kind"] == "mandarin"]
    queued = [s for s in segments if s["kind"] == "unconfirmed"]
    assert len(mandarin) == 1 and queued
    assert mandarin[0]["machine_text"] and mandarin[0]["start_s"] < 1.0
    assert mandarin[0]["words"][0]["start_s"] >= mandarin[0]["start_s"]
    for seg in queued:
        assert seg["machine_text"] is None and seg["words"] == []
        assert seg["transcript_state"] == "waiting" and seg["language"] == "mmr"
        assert seg["start_s"] > 7.0
    # The original is stored unchanged and linked to the case.
    evidence = client.get(f"/api/v1/cases/{world.case_id}/evidence", headers=bearer(clerk))
    stored = [e for e in evidence.json() if e["id"] == detail["evidence_id"]]
    assert stored and stored[0]["sha256"] == detail["sha256"]
    content = client.get(
        f"/api/v1/cases/{world.case_id}/evidence/{detail['evidence_id']}/content",
        headers=bearer(clerk),
    )
    assert content.content == data
    # The queue: the competent, assigned prosecutor sees the segments; the clerk (no Miao)
    # and an unassigned Miao speaker do not.
    lead_queue = client.get("/api/v1/speech/queue", headers=bearer(world.lead)).json()
    assert {s["id"] for s in lead_queue} == {s["id"] for s in queued}
    assert client.get("/api/v1/speech/queue", headers=bearer(clerk)).json() == []
    outsider = make_user("shi", "prosecutor", competences=("mmr",))
    assert client.get("/api/v1/speech/queue", headers=bearer(outsider)).json() == []
    seg_id = queued[0]["id"]
    assert (
        client.get(f"/api/v1/speech/segments/{seg_id}/audio", headers=bearer(outsider)).status_code
        == 404
    )
    # Playing a segment, and replaying it with context around it.
    short = client.get(f"/api/v1/speech/segments/{seg_id}/audio", headers=bearer(world.lead))
    wide = client.get(
        f"/api/v1/speech/segments/{seg_id}/audio", params={"around": 2}, headers=bearer(world.lead)
    )
    assert short.headers["content-type"] == "audio/wav"
    seconds = []
    for response in (short, wide):
        with wave.open(io.BytesIO(response.content)) as played:
            seconds.append(played.getnframes() / 16_000)
    length = queued[0]["end_s"] - queued[0]["start_s"]
    assert abs(seconds[0] - length) < 0.05
    assert seconds[1] > seconds[0] + 2.5


def test_transcribing_and_approving_needs_competence_and_valid_spelling(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any, tmp_path: Path
) -> None:
    world = interview_world(client, admin, make_user)
    r = upload(client, world, world.lead, wav_bytes(english_standin()), "answer.wav")
    detail = processed(speech_app, client, world, world.lead, r.json())
    seg = next(s for s in detail["segments"] if s["kind"] == "unconfirmed")
    url = f"/api/v1/speech/segments/{seg['id']}/transcript"
    clerk = make_user("tian", "clerk")
    add_member(client, world.lead, world.case_id, clerk, "clerk")
    refused = client.put(url, headers=bearer(clerk), json={"text": world.spelling})
    assert refused.status_code == 403
    bad = client.put(
        url, headers=bearer(world.lead), json={"text": "zz-0001 qqqq", "approve": True}
    )
    assert bad.status_code == 422 and "湘西苗文" in bad.json()["detail"]
    # Code-switching: Chinese in a Miao transcript is allowed.
    saved = client.put(url, headers=bearer(world.lead), json={"text": f"{world.spelling} 取保候审"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["segment"]["transcript_state"] == "transcribed"
    stale = client.put(
        url,
        headers=bearer(world.lead),
        json={"text": world.spelling, "approve": True, "version": seg["version"]},
    )
    assert stale.status_code == 409
    version = saved.json()["segment"]["version"]
    approved = client.put(
        url,
        headers=bearer(world.lead),
        json={"text": f"{world.spelling} 取保候审", "approve": True, "version": version},
    )
    assert approved.status_code == 200, approved.text
    out = approved.json()["segment"]
    assert out["transcript_state"] == "approved" and out["approved_by"] == world.lead.id
    assert client.get("/api/v1/speech/queue", headers=bearer(world.lead)).json() == []
    again = client.put(url, headers=bearer(world.lead), json={"text": "x", "approve": True})
    assert again.status_code == 409
    # The interview record lists the approved transcript with its times and approver.
    docx = client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead))
    assert docx.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "录音转写（共 1 段）" in text and "answer.wav" in text
    assert f"人工转写（Wu批准）：{world.spelling} 取保候审" in text
    assert detail["sha256"] in text
    # The approved segment, with the party's consent, goes into the speech-data export as
    # a WAV clip of just that stretch.
    with speech_app.state.services.session_factory() as session:
        result, selection = export(
            session,
            speech_app.state.services.evidence_store,
            Actor(admin.id, "admin"),
            tmp_path / "speech-data",
            "mmr",
        )
        session.commit()
    rows = [
        json.loads(line)
        for line in (result.folder / "manifest.jsonl").read_text().splitlines()
        if '"interview_segment"' in line
    ]
    assert len(rows) == 1 and rows[0]["text"] == f"{world.spelling} 取保候审"
    assert abs(rows[0]["duration"] - (seg["end_s"] - seg["start_s"])) < 0.05
    with wave.open(str(result.folder / rows[0]["audio_filepath"])) as clip_file:
        assert clip_file.getframerate() == 16_000


def test_bad_uploads_leave_nothing_behind(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    before = counts(speech_app)
    root = speech_app.state.services.evidence_store.root
    files_before = sorted(p for p in root.rglob("*") if p.is_file())  # the declaration form
    not_audio = upload(client, world, world.lead, b"%PDF-1.4\n" + b"0" * 500, "x.wav")
    assert not_audio.status_code == 415
    assert not_audio.headers["content-type"].startswith("application/problem+json")
    corrupt = encode_as(clip(), "webm", "libopus")
    corrupt = corrupt[:60] + bytes(len(corrupt) - 60)
    assert upload(client, world, world.lead, corrupt, "x.webm").status_code == 415
    speech_app.state.services.settings.max_audio_seconds = 3.0
    too_long = upload(client, world, world.lead, wav_bytes(silence(5.0)), "long.wav")
    assert too_long.status_code == 422 and "时长" in too_long.json()["detail"]
    speech_app.state.services.settings.max_upload_bytes = 1000
    too_big = upload(client, world, world.lead, wav_bytes(silence(1.0)), "big.wav")
    assert too_big.status_code == 413
    assert counts(speech_app) == before
    assert sorted(p for p in root.rglob("*") if p.is_file()) == files_before


def test_silence_yields_no_segments_and_outsiders_cannot_see_recordings(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    # 40 s of WAV is larger than the 1 MiB body limit of ordinary requests.
    quiet = wav_bytes(silence(40.0))
    assert len(quiet) > speech_app.state.services.settings.max_body_bytes
    r = upload(client, world, world.lead, quiet, "quiet.wav")
    assert r.status_code == 202, r.text
    detail = processed(speech_app, client, world, world.lead, r.json())
    assert detail["state"] == "done" and detail["segments"] == []
    outsider = make_user("shi", "prosecutor", competences=("mmr",))
    base = f"/api/v1/cases/{world.case_id}"
    assert (
        client.get(f"{base}/recordings/{detail['id']}", headers=bearer(outsider)).status_code == 404
    )
    interpreter = make_user("long", "clerk", competences=("mmr",))
    add_member(client, world.lead, world.case_id, interpreter, "interpreter")
    denied = upload(client, world, interpreter, wav_bytes(silence(1.0)), "a.wav")
    assert denied.status_code == 403


def test_an_installed_ctc_model_drafts_the_queued_segments(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    from interp_service.engine.speech.ctc import write_ctc_card
    from tests.engine.test_ctc_speech import build_tiny_ctc

    world = interview_world(client, admin, make_user)
    # The run's shared speech models look in their own data folder; removed afterwards.
    models = speech_app.state.services.speech_models
    folder = models.settings.trained_models_dir / "asr-ctc" / "tiny-ctc"
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        build_tiny_ctc(folder, favour="b")
        write_ctc_card(folder, "tiny-ctc", "1", "mmr", "花垣", licence="test only", source="random")
        r = upload(client, world, world.lead, wav_bytes(english_standin()), "answer.wav")
        detail = processed(speech_app, client, world, world.lead, r.json())
    finally:
        shutil.rmtree(folder)
    queued = [s for s in detail["segments"] if s["kind"] == "unconfirmed"]
    assert queued
    for seg in queued:
        # A draft from the model the party's language has, never Chinese machine text.
        assert seg["draft_text"] == "b" and seg["recogniser"] == "tiny-ctc 1"
        assert seg["machine_text"] is None and seg["transcript_state"] == "waiting"


def test_a_recording_interrupted_by_a_restart_can_be_processed_again(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    from interp_service.speech.processing import INTERRUPTED, recover_interrupted

    world = interview_world(client, admin, make_user)
    r = upload(client, world, world.lead, wav_bytes(np.concatenate([clip(), silence(1)])), "a.wav")
    first = processed(speech_app, client, world, world.lead, r.json())
    # What a process stopped mid-job leaves behind, then what the next start-up does.
    with speech_app.state.services.session_factory() as session:
        item = session.get(Recording, first["id"])
        assert item is not None
        item.state = "processing"
        for seg in session.scalars(select(SpeechSegment)).all():
            session.delete(seg)
        session.commit()
    assert recover_interrupted(speech_app.state.services.session_factory) == 1
    url = f"/api/v1/cases/{world.case_id}/recordings/{first['id']}"
    failed = client.get(url, headers=bearer(world.lead)).json()
    assert failed["state"] == "failed" and failed["error"] == INTERRUPTED
    again = client.post(f"{url}/reprocess", headers=bearer(world.lead))
    assert again.status_code == 202, again.text
    done = processed(speech_app, client, world, world.lead, again.json())
    assert done["state"] == "done" and [s["kind"] for s in done["segments"]] == ["mandarin"]
    assert client.post(f"{url}/reprocess", headers=bearer(world.lead)).status_code == 409
