"""A case number is taken once: concurrent creations give one 201 and 409s (never a 500),
and the 409 says only that the number is taken, whoever holds it, and is audited."""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from interp_service.audit.chain import verify
from interp_service.audit.orm import AuditEntry
from interp_service.cases.orm import Case
from interp_service.cases.service import CASE_NUMBER_TAKEN
from tests.conftest import bearer, browser_session, new_case

NUMBER = "保检刑诉〔2026〕77号"


def _body(number: str = NUMBER, title: str = "吴某某盗窃案") -> dict[str, str]:
    return {"case_number": number, "title": title, "opened_on": "2026-11-02"}


def _refusals(app: FastAPI) -> list[AuditEntry]:
    with app.state.services.session_factory() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "case.create_refused")
            .order_by(AuditEntry.seq)
        ).all()
        session.expunge_all()
        return list(rows)


def _count_cases(app: FastAPI, number: str) -> int:
    with app.state.services.session_factory() as session:
        return (
            session.scalar(select(func.count()).select_from(Case).where(Case.case_number == number))
            or 0
        )


def test_thirty_concurrent_creations_of_one_number(app: FastAPI, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    n = 30
    barrier = threading.Barrier(n)
    results: list[tuple[int, str, dict[str, Any]]] = []
    lock = threading.Lock()

    def create(i: int) -> None:
        client = TestClient(app)  # one client (and event loop) per thread
        barrier.wait()
        r = client.post("/api/v1/cases", json=_body(title=f"案{i}"), headers=bearer(lead))
        with lock:
            results.append((r.status_code, r.headers["content-type"], r.json()))

    threads = [threading.Thread(target=create, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    codes = sorted(code for code, _, _ in results)
    assert codes == [201] + [409] * (n - 1), codes
    for code, content_type, body in results:
        if code == 409:
            assert content_type == "application/problem+json"
            assert body["detail"] == CASE_NUMBER_TAKEN
    assert _count_cases(app, NUMBER) == 1
    # Every refused attempt is in the trail although its request rolled back.
    assert len(_refusals(app)) == n - 1
    with app.state.services.session_factory() as session:
        assert verify(session).ok


def test_taken_number_reveals_nothing_about_its_case(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    outsider = make_user("outsider", "prosecutor")
    case = new_case(client, lead, NUMBER, title="吴某某盗窃案")

    by_outsider = client.post("/api/v1/cases", json=_body(title="另案"), headers=bearer(outsider))
    by_lead = client.post("/api/v1/cases", json=_body(title="另案"), headers=bearer(lead))

    assert by_outsider.status_code == by_lead.status_code == 409
    assert by_outsider.headers["content-type"] == "application/problem+json"
    # The caller who cannot see the case learns exactly what its own lead learns.
    assert by_outsider.json() == by_lead.json()
    text = by_outsider.text
    assert "吴某某盗窃案" not in text and "lead" not in text.lower()
    assert f"/cases/{case['id']}" not in text
    assert not re.search(rf"\b{case['id']}\b", by_outsider.json()["detail"])
    assert by_outsider.json()["detail"] == CASE_NUMBER_TAKEN

    refusals = _refusals(app)
    assert [(e.actor_name, e.case_id, e.object_id) for e in refusals] == [
        ("outsider", case["id"], str(case["id"])),
        ("lead", case["id"], str(case["id"])),
    ]
    assert refusals[0].details["reason"] == "case_number_taken"
    assert _count_cases(app, NUMBER) == 1


def test_case_form_says_the_number_is_taken_and_audits_it(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    outsider = make_user("outsider", "prosecutor")
    case = new_case(client, lead, NUMBER, title="吴某某盗窃案")
    cookies, _ = browser_session(app, outsider)
    client.cookies.update(cookies)
    form = client.get("/cases/new")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token
    r = client.post(
        "/cases/new",
        data={
            "csrf_token": token.group(1),
            "case_number": NUMBER,
            "title": "另案",
            "opened_on": "2026-11-20",
            "status": "open",
            "stage": "",
        },
    )
    assert r.status_code == 422
    assert CASE_NUMBER_TAKEN in r.text and 'data-field="case_number"' in r.text
    assert "吴某某盗窃案" not in r.text and f"/cases/{case['id']}" not in r.text
    assert [(e.actor_name, e.case_id) for e in _refusals(app)] == [("outsider", case["id"])]


def test_a_savepoint_does_not_commit_the_callers_work(app: FastAPI) -> None:
    """SQLite's outermost SAVEPOINT commits on RELEASE unless a transaction was begun: a
    case made in `begin_nested()` must still vanish when the caller rolls back."""
    session: Session = app.state.services.session_factory()
    try:
        session.scalar(select(func.count()).select_from(Case))
        with session.begin_nested():
            session.add(Case(case_number="临时-1", title="t", opened_on=date(2026, 11, 2)))
            session.flush()
        session.rollback()
    finally:
        session.close()
    assert _count_cases(app, "临时-1") == 0
