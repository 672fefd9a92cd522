"""The recordings page and the queue page, as the people who use them see them."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, sign_in
from tests.interview_setup import interview_world
from tests.speech.conftest import english_standin, wav_bytes
from tests.speech.test_recordings_api import add_member


def test_upload_on_the_page_then_the_queue_shows_the_segment(
    speech_app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    world = interview_world(client, admin, make_user)
    interpreter = make_user("long", "clerk", competences=("mmr",))
    add_member(client, world.lead, world.case_id, interpreter, "interpreter")
    page_url = f"/cases/{world.case_id}/interviews/{world.interview_id}/recordings"

    sign_in(client, speech_app, interpreter)
    assert 'data-testid="recording-upload"' not in client.get(page_url).text

    csrf = sign_in(client, speech_app, world.lead)
    assert 'data-testid="recording-upload"' in client.get(page_url).text
    refused = client.post(
        page_url,
        data={"csrf_token": csrf},
        files={"file": ("notes.wav", "这不是录音".encode(), "audio/wav")},
    )
    assert refused.status_code == 415 and 'data-testid="upload-error"' in refused.text
    done = client.post(
        page_url,
        data={"csrf_token": csrf},
        files={"file": ("answer.wav", wav_bytes(english_standin()), "audio/wav")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    for job in speech_app.state.services.job_runner.list():
        speech_app.state.services.job_runner.wait(job.id, timeout_s=300)
    listed = client.get(page_url).text
    assert "语言未确认，未生成机器文字" in listed and 'data-kind="mandarin"' not in listed
    queue = client.get("/speech/queue").text
    assert 'data-testid="segment-audio-around"' in queue
    assert "queue-empty" not in queue
    sign_in(client, speech_app, interpreter)
    # The interpreter is assigned and competent in Miao: the segment waits for them too.
    assert "queue-empty" not in client.get("/speech/queue").text
