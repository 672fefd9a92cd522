"""Shared set-up of the coverage tests: saying things in an interview, a second case, and
tiny WAV files written with the `wave` module."""

from __future__ import annotations

import io
import wave
from typing import Any

from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, new_case
from tests.interview_setup import World


def say(
    client: TestClient,
    api: str,
    who: Account,
    text: str,
    *,
    into_miao: bool = True,
    variety: str = "花垣",
) -> dict[str, Any]:
    body = {
        "speaker_role": "prosecutor" if into_miao else "party",
        "source_language": "cmn" if into_miao else "mmr",
        "target_language": "mmr" if into_miao else "cmn",
        "target_variety": variety if into_miao else "",
        "text": text,
    }
    r = client.post(f"{api}/exchanges", json=body, headers=bearer(who))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


def second_case(client: TestClient, lead: Account, number: str = "保检刑诉〔2026〕13号") -> str:
    """Another case with a Miao-speaking party (花垣) and an interview; its interview API."""
    case = new_case(client, lead, number=number, title="石某故意伤害案")
    party = client.post(
        f"/api/v1/cases/{case['id']}/parties",
        headers=bearer(lead),
        json={
            "name": "石某",
            "role": "victim",
            "language": "mmr",
            "variety": "花垣",
            "needs_interpreter": True,
        },
    )
    assert party.status_code == 201, party.text
    interview = client.post(
        f"/api/v1/cases/{case['id']}/interviews",
        headers=bearer(lead),
        json={"party_id": party.json()["id"], "scheduled_at": "2026-11-21T02:00:00Z"},
    )
    assert interview.status_code == 201, interview.text
    return f"/api/v1/cases/{case['id']}/interviews/{interview.json()['id']}"


def worklist(client: TestClient, who: Account, **params: Any) -> dict[str, Any]:
    query = {"language": "mmr", "variety": "花垣", "size": 200, **params}
    r = client.get("/api/v1/coverage/worklist", params=query, headers=bearer(who))
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def tiny_wav(seconds: float, rate: int = 16000, tone: int = 1) -> bytes:
    """A mono 16-bit PCM WAV of `seconds` (silence with a marker so each file differs)."""
    frames = int(seconds * rate)
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes([tone % 256, 0]) + bytes(2 * (frames - 1)))
    return buffer.getvalue()


__all__ = ["World", "say", "second_case", "tiny_wav", "worklist"]
