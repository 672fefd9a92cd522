"""Phrasebook recordings play only when approved, straight from the evidence store."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.memory import repository as repo
from tests.conftest import Account, bearer

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32)


def test_only_an_approved_recording_plays(
    client: TestClient, app: FastAPI, prosecutor: Account, db: Any
) -> None:
    entry = repo.phrasebook(db)[0]
    blob = app.state.services.evidence_store.put_bytes(WAV)
    entry.recording_sha256 = blob.sha256
    db.commit()
    url = f"/api/v1/memory/entries/{entry.id}/recording"
    assert client.get(url, headers=bearer(prosecutor)).status_code == 404
    entry.recording_approved = True
    db.commit()
    played = client.get(url, headers=bearer(prosecutor))
    assert played.status_code == 200
    assert played.content == WAV
    assert played.headers["content-type"] == "audio/wav"
    assert played.headers["x-content-sha256"] == blob.sha256
