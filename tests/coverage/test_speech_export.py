"""Speech data for later: only approved recordings with recorded speaker consent and an
approved transcript are exported, hash-checked, with a manifest a CTC script reads."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor
from interp_service.audit.orm import AuditEntry
from interp_service.cli import main
from interp_service.config import Settings
from interp_service.coverage import speech_export
from interp_service.errors import Conflict, IntegrityFailure
from tests.conftest import Account, bearer
from tests.coverage.speech_setup import MP3, SpeechWorld, speech_world


@pytest.fixture
def world(
    client: TestClient, app: FastAPI, db: Session, admin: Account, make_user: Any
) -> SpeechWorld:
    return speech_world(client, app, db, admin, make_user)


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("INTERP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INTERP_DATABASE_URL", str(settings.database_url))
    return settings


def _manifest(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_cli_exports_only_consented_approved_items(
    world: SpeechWorld, cli_env: Settings, tmp_path: Path, db: Session, capsys: Any
) -> None:
    out = tmp_path / "export" / "speech"
    code = main(["speech", "export", "--out", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    rows = _manifest(out)
    assert {r["source"] for r in rows} == set(world.exported)
    by_source = {r["source"]: r for r in rows}
    for source, data in world.exported.items():
        row = by_source[source]
        sha = hashlib.sha256(data).hexdigest()
        assert row["sha256"] == sha
        assert (out / row["audio_filepath"]).read_bytes() == data
        assert row["text"] == world.spelling
        assert row["consent"] is True
        assert (row["language"], row["variety"]) == ("mmr", "花垣")
    wav_row = next(r for r in rows if r["source"].startswith("glossary") and r["duration"])
    assert wav_row["duration"] == 0.5 and wav_row["audio_filepath"].endswith(".wav")
    assert wav_row["speaker"] == "发音人甲" and wav_row["note"] == ""
    phrase = by_source[f"memory-entry:{world.phrase_id}"]
    assert phrase["duration"] == 0.25
    mp3 = next(r for r in rows if r["sha256"] == hashlib.sha256(MP3).hexdigest())
    assert mp3["duration"] is None and "only PCM WAV" in mp3["note"]
    assert mp3["audio_filepath"].endswith(".mp3")
    # NeMo / HF shape: these three keys on every line.
    assert all({"audio_filepath", "duration", "text"} <= set(r) for r in rows)
    with (out / "manifest.csv").open(encoding="utf-8") as f:
        table = list(csv.DictReader(f))
    assert [r["sha256"] for r in table] == [r["sha256"] for r in rows]
    assert sorted(p.name for p in out.iterdir()) == ["audio", "manifest.csv", "manifest.jsonl"]
    assert len(list((out / "audio").iterdir())) == 3
    assert "exported 3 recordings" in printed
    assert "skipped 4:" in printed
    assert "2  no-consent" in printed  # a term recording and a phrasebook recording
    assert "1  recording-not-approved" in printed
    assert "1  transcript-not-approved" in printed
    # Audited with counts and hashes, never the text.
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "speech.export"))
    assert entry is not None
    assert entry.details["items"] == 3
    assert entry.details["skipped"]["no-consent"] == 2
    assert sorted(entry.details["audio_sha256"]) == sorted(
        hashlib.sha256(d).hexdigest() for d in world.exported.values()
    )
    assert world.spelling not in json.dumps(entry.details, ensure_ascii=False)


def test_filters_select_language_and_variety(
    world: SpeechWorld, app: FastAPI, db: Session, tmp_path: Path
) -> None:
    assert speech_export.select_items(db, "mmr", "吉首").items == []
    chinese = speech_export.select_items(db, "cmn", None)
    assert chinese.items == [] and chinese.skipped_counts() == {"transcript-not-approved": 1}
    everything = speech_export.select_items(db, None, None)
    assert len(everything.items) == 3 and len(everything.skipped) == 4


def test_nothing_is_written_when_a_stored_file_is_corrupt(
    world: SpeechWorld, app: FastAPI, db: Session, cli_env: Settings, tmp_path: Path
) -> None:
    store = app.state.services.evidence_store
    victim = store.path_for(hashlib.sha256(world.exported[next(iter(world.exported))]).hexdigest())
    os.chmod(victim, 0o640)
    victim.write_bytes(victim.read_bytes()[:-1] + b"\x07")
    parent = tmp_path / "exports"
    parent.mkdir()
    out = parent / "speech"
    with pytest.raises(IntegrityFailure):
        speech_export.export(db, store, Actor(None, "test"), out, "mmr", None)
    db.rollback()
    assert list(parent.iterdir()) == []
    assert main(["speech", "export", "--out", str(out)]) == 1
    assert list(parent.iterdir()) == []
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "speech.export")) is None


def test_output_folder_must_be_new_or_empty(
    world: SpeechWorld, app: FastAPI, db: Session, tmp_path: Path
) -> None:
    store = app.state.services.evidence_store
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    with pytest.raises(Conflict):
        speech_export.export(db, store, Actor(None, "test"), taken)
    assert sorted(p.name for p in taken.iterdir()) == ["keep.txt"]
    empty = tmp_path / "empty"
    empty.mkdir()
    result, _ = speech_export.export(db, store, Actor(None, "test"), empty)
    assert result.items == 3 and (empty / "manifest.jsonl").exists()
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def test_admin_downloads_a_zip_and_others_may_not(
    client: TestClient, world: SpeechWorld, admin: Account, make_user: Any
) -> None:
    summary = client.get("/api/v1/coverage/speech-data?language=mmr", headers=bearer(admin))
    assert summary.status_code == 200, summary.text
    assert summary.json()["ready"] == 3
    assert summary.json()["skipped"] == {
        "no-consent": 2,
        "recording-not-approved": 1,
    }
    r = client.get("/api/v1/coverage/speech-data.zip?language=mmr", headers=bearer(admin))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        names = set(z.namelist())
        lines = z.read("speech-data/manifest.jsonl").decode().splitlines()
    assert {"speech-data/manifest.jsonl", "speech-data/manifest.csv"} <= names
    assert len(lines) == 3
    assert (
        r.headers["x-manifest-sha256"]
        == hashlib.sha256("".join(line + "\n" for line in lines).encode()).hexdigest()
    )
    clerk = make_user("tian", "clerk")
    assert client.get("/api/v1/coverage/speech-data.zip", headers=bearer(clerk)).status_code == 403
    assert client.get("/api/v1/coverage/speech-data", headers=bearer(clerk)).status_code == 403
