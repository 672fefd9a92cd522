"""Queued jobs through the API: follow, list, cancel, retry, the event stream, and who may
see a job (its owner or an admin; a job about a case only while the case is visible)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from interp_service.jobs.base import STATES
from tests.conftest import Account, assign_interpreter, bearer, new_case
from tests.jobs import queued_tasks
from tests.jobs.conftest import Queue
from tests.translation.test_model_path import install


def _get(client: TestClient, job_id: str, who: Account) -> Any:
    return client.get(f"/api/v1/jobs/{job_id}", headers=bearer(who))


def test_owner_follows_cancels_and_retries_a_job(
    client: TestClient, queue: Queue, make_user: Any, gate_name: str
) -> None:
    clerk = make_user("clerk1", "clerk")
    job_id = queue.enqueue("test.gated", {"gate": gate_name, "steps": 3}, owner_id=clerk.id)
    started, release = queued_tasks.gate(gate_name)
    assert started.wait(timeout=60)
    running = _get(client, job_id, clerk).json()
    assert (running["state"], running["attempts"], running["can_retry"]) == ("running", 1, False)
    assert running["kind"] == "test.gated" and running["eta_s"] is None  # no progress yet

    asked = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(clerk))
    assert asked.status_code == 200
    assert (asked.json()["state"], asked.json()["cancel_requested"]) == ("running", True)
    release.set()
    queue.wait(job_id)
    cancelled = _get(client, job_id, clerk).json()
    assert (cancelled["state"], cancelled["can_retry"]) == ("cancelled", True)

    again = client.post(f"/api/v1/jobs/{job_id}/retry", headers=bearer(clerk))
    assert again.status_code == 200, again.text
    assert (again.json()["state"], again.json()["cancel_requested"]) == ("queued", False)
    queue.wait(job_id)
    done = _get(client, job_id, clerk).json()
    assert (done["state"], done["attempts"], done["fraction"]) == ("succeeded", 2, 1.0)
    assert done["result"] == {"steps": 3} and done["eta_s"] is None

    refused = client.post(f"/api/v1/jobs/{job_id}/retry", headers=bearer(clerk))
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "重试" in refused.json()["detail"]


def test_a_failed_job_says_why_in_chinese(
    client: TestClient, queue: Queue, make_user: Any, tmp_path: Path
) -> None:
    clerk = make_user("clerk1", "clerk")
    job_id = queue.enqueue("test.flaky", {"marker": str(tmp_path / "m")}, owner_id=clerk.id)
    queue.wait(job_id)
    failed = _get(client, job_id, clerk).json()
    assert (failed["state"], failed["error"], failed["can_retry"]) == (
        "failed",
        "处理失败：ValueError",
        True,
    )


def test_the_list_has_queued_jobs_of_their_owner_only(
    client: TestClient, queue: Queue, make_user: Any, admin: Account
) -> None:
    mine, other = make_user("clerk1", "clerk"), make_user("clerk2", "clerk")
    job_id = queue.wait(queue.enqueue("test.count", {"rows": 1, "key": "a"}, owner_id=mine.id)).id
    listed = client.get("/api/v1/jobs", headers=bearer(mine)).json()
    assert [j["id"] for j in listed] == [job_id]
    assert client.get("/api/v1/jobs", headers=bearer(other)).json() == []
    assert job_id in [j["id"] for j in client.get("/api/v1/jobs", headers=bearer(admin)).json()]


def test_someone_elses_job_is_missing(
    client: TestClient, queue: Queue, make_user: Any, admin: Account
) -> None:
    owner, other = make_user("clerk1", "clerk"), make_user("clerk2", "clerk")
    job_id = queue.wait(queue.enqueue("test.refused", {}, owner_id=owner.id)).id
    for method, path in (
        ("GET", ""),
        ("POST", "/cancel"),
        ("POST", "/retry"),
        ("GET", "/events"),
    ):
        r = client.request(method, f"/api/v1/jobs/{job_id}{path}", headers=bearer(other))
        assert r.status_code == 404, (method, path, r.text)
        assert r.json()["detail"] == "任务不存在"
    assert _get(client, job_id, admin).status_code == 200
    assert client.get("/api/v1/jobs/not-a-job", headers=bearer(owner)).status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}").status_code == 401


def test_a_job_about_a_case_is_seen_only_by_those_who_see_the_case(
    client: TestClient, queue: Queue, make_user: Any, admin: Account
) -> None:
    lead, clerk = make_user("lead", "prosecutor"), make_user("clerk1", "clerk")
    case_id = new_case(client, lead)["id"]
    job_id = queue.wait(
        queue.enqueue("test.count", {"rows": 1, "key": "c"}, owner_id=clerk.id, case_id=case_id)
    ).id
    # The clerk owns the job but is not on the case: it is gone for them. The lead is on the
    # case without owning the job: they follow it (a colleague's upload) and, as case staff,
    # may cancel or retry it; an interpreter on the case follows it but may not.
    assert _get(client, job_id, clerk).status_code == 404
    assert client.get("/api/v1/jobs", headers=bearer(clerk)).json() == []
    assert _get(client, job_id, lead).json()["state"] == "succeeded"
    assert _get(client, job_id, admin).json()["case_id"] == case_id
    interpreter = make_user("interp1", "clerk")
    assign_interpreter(client, lead, case_id, interpreter)
    assert _get(client, job_id, interpreter).status_code == 200
    refused = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(interpreter))
    assert refused.status_code == 403 and "办案人员" in refused.json()["detail"]
    allowed = client.post(f"/api/v1/jobs/{job_id}/cancel", headers=bearer(lead))
    assert allowed.status_code == 200 and allowed.json()["state"] == "succeeded"
    assigned = client.post(
        f"/api/v1/cases/{case_id}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assert assigned.status_code == 201, assigned.text
    assert _get(client, job_id, clerk).json()["state"] == "succeeded"
    assert [j["id"] for j in client.get("/api/v1/jobs", headers=bearer(clerk)).json()] == [job_id]


def test_events_follow_the_job_until_it_ends(
    client: TestClient, queue: Queue, make_user: Any, gate_name: str
) -> None:
    clerk = make_user("clerk1", "clerk")
    job_id = queue.enqueue("test.gated", {"gate": gate_name, "steps": 4}, owner_id=clerk.id)
    started, release = queued_tasks.gate(gate_name)
    assert started.wait(timeout=60)
    events: list[dict[str, Any]] = []
    with client.stream("GET", f"/api/v1/jobs/{job_id}/events", headers=bearer(clerk)) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        names = []
        for line in r.iter_lines():
            if line.startswith("event: "):
                names.append(line[7:])
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                release.set()  # the job moves on once the first event arrived
    assert set(names) == {"job"} and len(names) == len(events)
    first, last = events[0], events[-1]
    assert (first["id"], first["state"], first["percentage"]) == (job_id, "running", 0.0)
    assert (last["state"], last["percentage"], last["eta_s"]) == ("succeeded", 100.0, None)
    assert all(e["state"] in STATES for e in events)
    keys = [(e["state"], e["percentage"], e["eta_s"]) for e in events]
    assert all(a != b for a, b in zip(keys, keys[1:], strict=False))  # only changes are sent
    assert [e["percentage"] for e in events] == sorted(e["percentage"] for e in events)


def test_events_of_a_finished_job_end_at_once(
    client: TestClient, queue: Queue, make_user: Any
) -> None:
    clerk = make_user("clerk1", "clerk")
    job_id = queue.wait(queue.enqueue("test.refused", {}, owner_id=clerk.id)).id
    with client.stream("GET", f"/api/v1/jobs/{job_id}/events", headers=bearer(clerk)) as r:
        body = r.read().decode()
    data = [json.loads(line[6:]) for line in body.splitlines() if line.startswith("data: ")]
    assert [(d["state"], d["error"]) for d in data] == [("failed", "第 3 页无法读取")]


def test_a_job_in_the_web_process_translates_on_the_servers_loop(
    app: FastAPI, settings: Settings, tiny_model: ModelCard, queue: Queue, admin: Account
) -> None:
    install(settings, tiny_model)
    with TestClient(app) as client:  # the lifespan loads the model and attaches the bridge
        served = client.post(
            "/api/v1/translate",
            headers=bearer(admin),
            json={
                "texts": ["请说明证人的情况"],
                "source_language": "cmn",
                "target_language": "mmr",
            },
        )
        assert served.status_code == 200, served.text
        job_id = queue.enqueue("test.translate", {"text": "请说明证人的情况"}, owner_id=admin.id)
        row = queue.wait(job_id)
    assert (row.state, row.error) == ("succeeded", "")
    # The same model, loaded by the request on the server's loop, served the job.
    assert row.result == {"text": "zz-0001 zz-0002 zz-0102 zz-0003"}
