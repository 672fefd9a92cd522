"""Chinese read-back: espeak-ng's Mandarin voice speaks the text as WAV, and the service
says clearly when espeak-ng is missing."""

from __future__ import annotations

import io
import wave
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interp_service.speech import readback
from tests.conftest import Account, bearer


def test_chinese_text_is_spoken(client: TestClient, make_user: Any) -> None:
    user = make_user("wu", "prosecutor")
    r = client.post("/api/v1/speech/readback", headers=bearer(user), json={"text": "请坐下。"})
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as spoken:
        assert spoken.getnframes() / spoken.getframerate() > 0.3


def test_missing_espeak_is_a_clear_503(
    client: TestClient, admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(readback.shutil, "which", lambda _: None)
    r = client.post("/api/v1/speech/readback", headers=bearer(admin), json={"text": "请坐下。"})
    assert r.status_code == 503 and "espeak-ng" in r.json()["detail"]


def test_text_cannot_become_an_option(client: TestClient, admin: Account) -> None:
    r = client.post("/api/v1/speech/readback", headers=bearer(admin), json={"text": "--help"})
    # Read as text from stdin: a WAV comes back, not espeak-ng's usage message.
    assert r.status_code == 200 and r.content.startswith(b"RIFF")
    anonymous = client.post("/api/v1/speech/readback", json={"text": "你好"})
    assert anonymous.status_code == 401


def test_the_interview_page_offers_read_back_of_chinese(
    app: Any, client: TestClient, admin: Account, make_user: Any
) -> None:
    from tests.conftest import sign_in
    from tests.interview_setup import interview_world

    world = interview_world(client, admin, make_user)
    said = client.post(
        f"{world.interview_api}/exchanges",
        headers=bearer(world.lead),
        json={
            "speaker_role": "prosecutor",
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
            "text": "请坐下。",
        },
    )
    assert said.status_code == 201, said.text
    sign_in(client, app, world.lead)
    page = client.get(f"/cases/{world.case_id}/interviews/{world.interview_id}")
    assert 'data-readback="请坐下。"' in page.text
    assert '<script src="/static/readback.js" defer></script>' in page.text
