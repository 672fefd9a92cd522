"""Training started by an admin from the API or the models page runs as a job and leaves
a candidate version for the registry; too little data is refused at once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, sign_in
from tests.training.conftest import AddEntries, placeholder_pairs

BODY = {"source_language": "cmn", "target_language": "mmr", "size": "tiny", "epochs": 3}


def test_api_training_job_leaves_a_candidate(
    client: TestClient, app: FastAPI, admin: Account, add_entries: AddEntries
) -> None:
    add_entries(placeholder_pairs())
    r = client.post("/api/v1/models/train", json={**BODY, "min_pairs": 50}, headers=bearer(admin))
    assert r.status_code == 202, r.text
    job = app.state.services.job_runner.wait(r.json()["id"], timeout_s=600)
    assert job is not None and job.state == "succeeded", job
    assert job.done == job.total > 0
    version = job.result["version"]
    listed = client.get("/api/v1/models", headers=bearer(admin)).json()["items"]
    [row] = [v for v in listed if v["version"] == version]
    assert row["status"] == "candidate" and row["pair"] == "cmn-mmr"
    assert "chrf" in row["metrics"] and "baseline_chrf" in row["metrics"]


def test_too_little_data_is_refused_at_once(
    client: TestClient, app: FastAPI, admin: Account, make_user: object, add_entries: AddEntries
) -> None:
    add_entries(placeholder_pairs()[:20])
    r = client.post("/api/v1/models/train", json=BODY, headers=bearer(admin))
    assert r.status_code == 422
    assert "200" in r.json()["detail"]
    assert app.state.services.job_runner.list() == []
    # The page says the same beside its form.
    csrf = sign_in(client, app, admin)
    page = client.post(
        "/admin/models/train",
        data={"csrf_token": csrf, "source_language": "cmn", "target_language": "mmr"},
    )
    assert page.status_code == 422
    assert "train-error" in page.text and "200" in page.text


def test_only_admins_train(client: TestClient, make_user: object) -> None:
    prosecutor: Account = make_user("wu", "prosecutor")  # type: ignore[operator]
    r = client.post("/api/v1/models/train", json=BODY, headers=bearer(prosecutor))
    assert r.status_code == 403
