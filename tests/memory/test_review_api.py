"""The review queue through the API: submitting, the conflict flag, who may approve,
corrections, concurrent decisions, case scoping, optimistic versions, lookup."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from interp_service.app import create_app
from interp_service.audit.chain import verify
from interp_service.audit.orm import AuditEntry
from interp_service.config import Settings
from interp_service.errors import Conflict
from interp_service.memory import service
from interp_service.users.orm import User
from tests.conftest import Account, bearer, new_case
from tests.memory.conftest import approve, approved_pair, lookup, pair, submit

QUESTION = "你昨天晚上在什么地方？"


def test_approved_pair_becomes_an_exact_and_fuzzy_hit(
    client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    assert lookup(client, prosecutor, QUESTION) == {"exact": None, "fuzzy": [], "threshold": 75.0}
    done = approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001 zz-0002")
    assert done["status"] == "approved" and done["reviewer_id"] == miao_admin.id
    found = lookup(client, prosecutor, "你昨天晚上在什么地方?")
    exact = found["exact"]
    assert exact["entry_id"] == done["entry_id"] and exact["score"] == 100
    assert exact["target_text"] == "zz-0001 zz-0002"
    assert exact["approved_by"] == miao_admin.id and exact["approved_by_name"] == "Miaoadmin"
    assert exact["origin"] == "interview" and exact["approved_at"]
    near = lookup(client, prosecutor, "你前天晚上在什么地方？")
    assert near["exact"] is None
    (hit,) = near["fuzzy"]
    assert hit["kind"] == "fuzzy" and 75 <= hit["score"] < 100
    assert hit["differences"] == [
        {"op": "replace", "query_start": 1, "query_end": 2, "entry_start": 1, "entry_end": 2}
    ]
    assert lookup(client, prosecutor, "你前天晚上在什么地方？", threshold=99)["fuzzy"] == []


def test_approval_needs_admin_and_competence(
    client: TestClient, prosecutor: Account, admin: Account, make_user: Any
) -> None:
    sid = submit(client, prosecutor, pair(QUESTION, "zz-0001"))["id"]
    url = f"/api/v1/memory/submissions/{sid}/approve"
    r = client.post(url, json={}, headers=bearer(prosecutor))
    assert r.status_code == 403
    r = client.post(url, json={}, headers=bearer(admin))  # admin, but no Miao competence
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    assert "语言能力" in r.json()["detail"]
    eastern = make_user("eastern", "admin", competences=("muq",))
    assert client.post(url, json={}, headers=bearer(eastern)).status_code == 403
    clerk_with_miao = make_user("clerkmiao", "clerk", competences=("mmr",))
    assert client.post(url, json={}, headers=bearer(clerk_with_miao)).status_code == 403
    queue = client.get("/api/v1/memory/submissions", headers=bearer(admin)).json()
    assert [s["status"] for s in queue["items"]] == ["pending"]  # the refusals changed nothing
    assert lookup(client, prosecutor, QUESTION)["exact"] is None


def test_conflict_flag_and_approving_it_replaces_the_old_entry(
    client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    first = approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001")
    same = submit(client, prosecutor, pair("你昨天晚上在什么地方", "zz-0001"))
    assert same["conflicts_with_entry_id"] is None  # agrees with the memory
    other = submit(client, prosecutor, pair(QUESTION, "zz-0009"))
    assert other["conflicts_with_entry_id"] == first["entry_id"]
    queue = client.get("/api/v1/memory/submissions", headers=bearer(miao_admin)).json()
    flagged = {s["id"]: s for s in queue["items"]}[other["id"]]
    assert flagged["flagged"] is True and flagged["conflicting_target"] == "zz-0001"
    done = approve(client, miao_admin, other["id"], edited_target="zz-0010")
    assert lookup(client, prosecutor, QUESTION)["exact"]["target_text"] == "zz-0010"
    old = client.get(f"/api/v1/memory/entries/{first['entry_id']}", headers=bearer(prosecutor))
    assert old.json()["status"] == "retired"
    new = client.get(f"/api/v1/memory/entries/{done['entry_id']}", headers=bearer(prosecutor))
    assert new.json()["target_text"] == "zz-0010"
    # the submission that agreed with the old entry now contradicts the new one: the queue
    # says so, although it was not flagged when submitted
    queue = client.get("/api/v1/memory/submissions", headers=bearer(miao_admin)).json()
    stale = {s["id"]: s for s in queue["items"]}[same["id"]]
    assert stale["flagged"] is True and stale["conflicting_target"] == "zz-0010"
    again = approve(client, miao_admin, same["id"])
    assert lookup(client, prosecutor, QUESTION)["exact"]["entry_id"] == again["entry_id"]


def test_correction_retires_the_entry_it_names(
    client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    first = approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001")
    fix = submit(client, prosecutor, pair(QUESTION, "zz-0002", replaces_entry_id=first["entry_id"]))
    assert fix["conflicts_with_entry_id"] is None  # the entry it corrects is not a conflict
    done = approve(client, miao_admin, fix["id"])
    assert done["entry_id"] != first["entry_id"]
    entries = client.get(
        "/api/v1/memory/entries", params={"q": "昨天"}, headers=bearer(prosecutor)
    ).json()
    assert {e["id"]: e["status"] for e in entries["items"]} == {
        first["entry_id"]: "retired",
        done["entry_id"]: "approved",
    }


def test_reject_needs_a_reason_and_decisions_are_final(
    client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    sid = submit(client, prosecutor, pair(QUESTION, "zz-0001"))["id"]
    url = f"/api/v1/memory/submissions/{sid}/reject"
    assert client.post(url, json={"note": ""}, headers=bearer(miao_admin)).status_code == 422
    r = client.post(url, json={"note": "译文不准确"}, headers=bearer(miao_admin))
    assert r.status_code == 200 and r.json()["status"] == "rejected"
    again = client.post(
        f"/api/v1/memory/submissions/{sid}/approve", json={}, headers=bearer(miao_admin)
    )
    assert again.status_code == 409
    assert lookup(client, prosecutor, QUESTION)["exact"] is None
    mine = client.get(
        "/api/v1/memory/submissions", params={"status": "all"}, headers=bearer(prosecutor)
    ).json()
    assert [(s["id"], s["review_note"]) for s in mine["items"]] == [(sid, "译文不准确")]


def test_submitters_see_only_their_own(
    client: TestClient, prosecutor: Account, make_user: Any, miao_admin: Account
) -> None:
    clerk = make_user("clerk", "clerk")
    submit(client, prosecutor, pair(QUESTION, "zz-0001"))
    submit(client, clerk, pair("你住在哪里？", "zz-0002"))
    theirs = client.get("/api/v1/memory/submissions", headers=bearer(clerk)).json()
    assert [s["source_text"] for s in theirs["items"]] == ["你住在哪里？"]
    everything = client.get("/api/v1/memory/submissions", headers=bearer(miao_admin)).json()
    assert everything["total"] == 2
    own = client.get("/api/v1/memory/submissions?mine=1", headers=bearer(miao_admin)).json()
    assert own["total"] == 0


def test_concurrent_approvals_make_one_decision(
    app: FastAPI, client: TestClient, prosecutor: Account, make_user: Any
) -> None:
    admins = [make_user(f"miao{i}", "admin", competences=("mmr",)) for i in range(2)]
    sid = submit(client, prosecutor, pair(QUESTION, "zz-0001"))["id"]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(account: Account) -> None:
        with app.state.services.session_factory() as session:
            user = session.get(User, account.id)
            assert user is not None
            barrier.wait()
            try:
                service.approve(session, user, sid, "", f"zz-{account.id:04d}")
                session.commit()
                outcomes.append("approved")
            except Conflict:
                session.rollback()
                outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(a,)) for a in admins]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(outcomes) == ["approved", "conflict"]
    entries = client.get(
        "/api/v1/memory/entries", params={"status": "approved"}, headers=bearer(prosecutor)
    ).json()
    assert entries["total"] == 1
    with app.state.services.session_factory() as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.action == "memory.approve")
        ).all()
        assert len(actions) == 1 and verify(session).ok


def test_entry_edit_checks_version_and_competence(
    client: TestClient, prosecutor: Account, miao_admin: Account, admin: Account
) -> None:
    done = approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001")
    url = f"/api/v1/memory/entries/{done['entry_id']}"
    entry = client.get(url, headers=bearer(miao_admin)).json()
    no_skill = client.patch(
        url, json={"version": entry["version"], "target_text": "zz-0002"}, headers=bearer(admin)
    )
    assert no_skill.status_code == 403
    ok = client.patch(
        url,
        json={"version": entry["version"], "target_text": "zz-0002"},
        headers=bearer(miao_admin),
    )
    assert ok.status_code == 200 and ok.json()["version"] == entry["version"] + 1
    stale = client.patch(
        url,
        json={"version": entry["version"], "target_text": "zz-0003"},
        headers=bearer(miao_admin),
    )
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert stale.json()["current_version"] == entry["version"] + 1
    assert lookup(client, prosecutor, QUESTION)["exact"]["target_text"] == "zz-0002"
    retired = client.post(f"{url}/retire", json={}, headers=bearer(miao_admin))
    assert retired.status_code == 200 and retired.json()["status"] == "retired"
    assert lookup(client, prosecutor, QUESTION)["exact"] is None


def test_direct_add_refuses_a_second_translation_of_the_same_source(
    client: TestClient, miao_admin: Account, prosecutor: Account
) -> None:
    body = pair(QUESTION, "zz-0001")
    r = client.post("/api/v1/memory/entries", json=body, headers=bearer(miao_admin))
    assert r.status_code == 201 and r.json()["status"] == "approved"
    assert (
        client.post("/api/v1/memory/entries", json=body, headers=bearer(prosecutor)).status_code
        == 403
    )
    again = client.post(
        "/api/v1/memory/entries", json=pair(QUESTION, "zz-0002"), headers=bearer(miao_admin)
    )
    assert again.status_code == 409


def test_case_scoped_submission_needs_assignment(
    client: TestClient, prosecutor: Account, make_user: Any, miao_admin: Account
) -> None:
    case = new_case(client, prosecutor)
    outsider = make_user("outsider", "prosecutor")
    r = client.post(
        "/api/v1/memory/submissions",
        json=pair(QUESTION, "zz-0001", case_id=case["id"]),
        headers=bearer(outsider),
    )
    assert r.status_code == 404
    missing = client.post(
        "/api/v1/memory/submissions",
        json=pair(QUESTION, "zz-0001", case_id=987654),
        headers=bearer(outsider),
    )
    assert missing.status_code == 404 and missing.json()["detail"] == r.json()["detail"]
    own = submit(client, prosecutor, pair(QUESTION, "zz-0001", case_id=case["id"]))
    assert own["case_id"] == case["id"]
    with_interview = client.post(
        "/api/v1/memory/submissions",
        json=pair(QUESTION, "zz-0001", interview_id=424242),
        headers=bearer(prosecutor),
    )
    assert with_interview.status_code == 404


def test_index_follows_changes_made_by_another_process(
    settings: Settings, client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    assert lookup(client, prosecutor, QUESTION)["exact"] is None  # this app caches its index
    other = create_app(settings)  # a second worker on the same database
    try:
        with TestClient(other) as second:
            approved_pair(second, prosecutor, miao_admin, QUESTION, "zz-0001")
    finally:
        other.state.services.job_runner.shutdown()
        other.state.services.database.dispose()
    assert lookup(client, prosecutor, QUESTION)["exact"]["target_text"] == "zz-0001"


def test_audit_details_hold_no_sentence_text(
    app: FastAPI, client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001")
    with app.state.services.session_factory() as session:
        rows = session.scalars(select(AuditEntry).where(AuditEntry.action.like("memory.%"))).all()
        assert {"memory.submit", "memory.approve"} <= {r.action for r in rows}
        for row in rows:
            text = str(row.details)
            assert "昨天" not in text and "zz-0001" not in text
