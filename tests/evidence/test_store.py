"""The content-addressed evidence store and uploads to a case."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interp_service.errors import IntegrityFailure, PayloadTooLarge
from interp_service.evidence.store import EvidenceStore
from tests.conftest import bearer, new_case

WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32)


def test_files_are_named_by_hash_and_read_only(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    blob = store.put_bytes(b"transcript page 1\n")
    assert blob.sha256 == hashlib.sha256(b"transcript page 1\n").hexdigest()
    path = store.path_for(blob.sha256)
    assert path.read_bytes() == b"transcript page 1\n"
    assert not os.access(path, os.W_OK) or os.geteuid() == 0
    assert oct(path.stat().st_mode & 0o777) == "0o440"
    assert store.put_bytes(b"transcript page 1\n") == blob
    assert list((tmp_path / "tmp").iterdir()) == []


def test_a_changed_file_is_refused_on_read(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    blob = store.put_bytes(b"original")
    path = store.path_for(blob.sha256)
    os.chmod(path, 0o640)
    path.write_bytes(b"altered!")
    assert not store.verify(blob.sha256)
    with pytest.raises(IntegrityFailure):
        list(store.read_verified(blob.sha256))


def test_oversized_stream_leaves_nothing(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    with pytest.raises(PayloadTooLarge):
        store.put_chunks([b"x" * 600, b"y" * 600], max_bytes=1000)
    assert store.all_hashes() == []
    assert list((tmp_path / "tmp").iterdir()) == []


def test_upload_links_once_and_downloads_with_hash(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    url = f"/api/v1/cases/{cid}/evidence"
    first = client.post(
        url,
        headers=bearer(lead),
        data={"description": "询问录音"},
        files={"file": ("../../etc/rec.wav", WAV, "audio/wav")},
    )
    assert first.status_code == 201, first.text
    item = first.json()
    assert item["media_type"] == "audio/wav" and item["original_name"] == "rec.wav"
    again = client.post(url, headers=bearer(lead), files={"file": ("copy.wav", WAV, "audio/wav")})
    assert again.json()["id"] == item["id"]
    assert len(client.get(url, headers=bearer(lead)).json()) == 1
    body = client.get(f"{url}/{item['id']}/content", headers=bearer(lead))
    assert body.content == WAV
    assert body.headers["x-content-sha256"] == hashlib.sha256(WAV).hexdigest()


def test_wrong_file_type_is_refused(client: TestClient, make_user: Any, app: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/evidence",
        headers=bearer(lead),
        files={"file": ("tool.exe", b"MZ\x90\x00" + bytes(100), "audio/wav")},
    )
    assert r.status_code == 415
    assert r.headers["content-type"] == "application/problem+json"
    assert app.state.services.evidence_store.all_hashes() == []


def test_tampered_evidence_is_not_served(client: TestClient, make_user: Any, app: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    item = client.post(
        f"/api/v1/cases/{cid}/evidence",
        headers=bearer(lead),
        files={"file": ("a.txt", b"statement\n", "text/plain")},
    ).json()
    path = app.state.services.evidence_store.path_for(item["sha256"])
    os.chmod(path, 0o640)
    path.write_bytes(b"forged\n")
    r = client.get(f"/api/v1/cases/{cid}/evidence/{item['id']}/content", headers=bearer(lead))
    assert r.status_code == 500
    assert r.json()["type"].endswith("/integrity")


def test_integrity_job_finds_the_altered_file(
    client: TestClient, make_user: Any, app: Any, admin: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    for n in range(3):
        client.post(
            f"/api/v1/cases/{cid}/evidence",
            headers=bearer(lead),
            files={"file": (f"{n}.txt", f"page {n}\n".encode(), "text/plain")},
        )
    store = app.state.services.evidence_store
    bad = store.all_hashes()[1]
    os.chmod(store.path_for(bad), 0o640)
    store.path_for(bad).write_bytes(b"changed")
    job = client.post("/api/v1/evidence/verify", headers=bearer(admin))
    assert job.status_code == 202
    app.state.services.job_runner.wait(job.json()["id"], timeout_s=60)
    done = client.get(f"/api/v1/jobs/{job.json()['id']}", headers=bearer(admin)).json()
    assert done["state"] == "succeeded" and done["fraction"] == 1.0
    assert done["result"] == {"checked": 3, "mismatched": [bad], "missing": [], "unlinked": []}
    assert client.get(f"/api/v1/jobs/{job.json()['id']}", headers=bearer(lead)).status_code == 404
