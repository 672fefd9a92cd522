"""The case register through the API: cases, parties, assignments, interviews, deadlines."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.audit.orm import AuditEntry
from interp_service.cases.orm import Case
from tests.conftest import Account, assign_interpreter, bearer, new_case


def _field(response: Any) -> str:
    errors = response.json().get("errors") or [{}]
    return str(errors[0].get("field", ""))


def test_case_numbers_are_unique(client: TestClient, make_user: Any, db: Any) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead)
    again = client.post(
        "/api/v1/cases",
        headers=bearer(lead),
        json={"case_number": "保检刑诉〔2026〕12号", "title": "另案", "opened_on": "2026-11-03"},
    )
    assert again.status_code == 409
    assert again.headers["content-type"] == "application/problem+json"
    assert _field(again) == "case_number"
    assert db.scalar(select(func.count()).select_from(Case)) == 1


def test_bad_case_input_names_the_field(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    base = {"case_number": "A-1", "title": "t", "opened_on": "2026-11-10"}
    cases = [
        ({**base, "closed_on": "2026-11-01", "status": "closed"}, "closed_on"),
        ({**base, "color": "red"}, "color"),
        ({**base, "stage": "喝茶"}, "stage"),
        ({**base, "opened_on": "11/10/2026"}, "opened_on"),
        ({**base, "status": "archived"}, "status"),
    ]
    for body, field in cases:
        r = client.post("/api/v1/cases", json=body, headers=bearer(lead))
        assert r.status_code == 422, body
        assert _field(r) == field
    assert client.get("/api/v1/cases", headers=bearer(lead)).json()["total"] == 0


def test_prosecutor_who_opens_a_case_leads_it(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    case = new_case(client, lead)
    detail = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(lead)).json()
    assert [(a["username"], a["role_on_case"]) for a in detail["assignments"]] == [
        ("lead", "lead_prosecutor")
    ]


def test_clerk_cannot_open_cases(client: TestClient, make_user: Any) -> None:
    clerk = make_user("clerk", "clerk")
    r = client.post(
        "/api/v1/cases",
        headers=bearer(clerk),
        json={"case_number": "B-1", "title": "t", "opened_on": "2026-11-01"},
    )
    assert r.status_code == 403


def test_parties_keep_language_and_variety(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={
            "name": "龙某",
            "role": "suspect",
            "language": "mmr",
            "variety": "花垣",
            "needs_interpreter": True,
            "dialect_notes": "只会说苗语",
        },
    )
    assert r.status_code == 201
    bad = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "x", "role": "suspect", "language": "Miao"},
    )
    assert bad.status_code == 422 and _field(bad) == "language"
    parties = client.get(f"/api/v1/cases/{cid}", headers=bearer(lead)).json()["parties"]
    assert [(p["language"], p["variety"], p["needs_interpreter"]) for p in parties] == [
        ("mmr", "花垣", True)
    ]


def test_disabled_users_cannot_be_assigned(
    client: TestClient, make_user: Any, admin: Account
) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    cid = new_case(client, lead)["id"]
    client.patch(f"/api/v1/users/{clerk.id}", json={"is_active": False}, headers=bearer(admin))
    r = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assert r.status_code == 422 and _field(r) == "user_id"
    assert "停用" in r.json()["detail"]


def test_case_role_must_fit_the_account_role(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "assistant"},
    )
    assert r.status_code == 422 and _field(r) == "role_on_case"


def test_interpreter_declares_for_themself_and_a_conflict_recuses(
    client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    interp = make_user("terp", "clerk", competences=("mmr",))
    other = make_user("terp2", "clerk", competences=("mmr",))
    cid = new_case(client, lead)["id"]
    client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "龙某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
    )
    url = f"/api/v1/cases/{cid}/assignments"
    # The lead cannot declare for the interpreter at assignment.
    for_them = client.post(
        url,
        headers=bearer(lead),
        json={
            "user_id": interp.id,
            "role_on_case": "interpreter",
            "declaration": {"has_conflict": False},
        },
    )
    assert for_them.status_code == 422 and _field(for_them) == "declaration"
    assert "本人" in for_them.json()["detail"]
    # Assigned without one, the interpreter waits for their own declaration.
    pending = client.post(
        url, headers=bearer(lead), json={"user_id": interp.id, "role_on_case": "interpreter"}
    )
    assert pending.status_code == 201, pending.text
    assert pending.json()["state"] == "active" and pending.json()["conflict_declared"] is None
    aid = pending.json()["id"]
    # They can open the case to file it; a declared conflict recuses at once.
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(interp)).status_code == 200
    recused = client.post(
        f"{url}/{aid}/declaration",
        headers=bearer(interp),
        json={"has_conflict": True, "statement": "系犯罪嫌疑人的近亲属"},
    )
    assert recused.status_code == 200 and recused.json()["state"] == "recused"
    assert recused.json()["declared_by"] == interp.id
    # A recused interpreter has no access to the case, and cannot be assigned again.
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(interp)).status_code == 404
    again = client.post(
        url, headers=bearer(lead), json={"user_id": interp.id, "role_on_case": "interpreter"}
    )
    assert again.status_code == 409
    ok = assign_interpreter(client, lead, cid, other, statement="无利害关系")
    assert ok["state"] == "active" and ok["conflict_declared"] is False
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(other)).status_code == 200
    # The lead cannot recuse the interpreter by declaring a conflict for them.
    by_lead = client.post(
        f"{url}/{ok['id']}/declaration",
        headers=bearer(lead),
        json={"has_conflict": True, "statement": "发现与被害人有亲属关系"},
    )
    assert by_lead.status_code == 403
    # Declaring a conflict later themself recuses at once.
    later = client.post(
        f"{url}/{ok['id']}/declaration",
        headers=bearer(other),
        json={"has_conflict": True, "statement": "发现与被害人有亲属关系"},
    )
    assert later.json()["state"] == "recused"
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(other)).status_code == 404


def test_interpreter_needs_the_party_language(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    interp = make_user("terp", "clerk", competences=("muq",))
    cid = new_case(client, lead)["id"]
    client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "龙某", "role": "witness", "language": "mmr", "needs_interpreter": True},
    )
    r = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": interp.id, "role_on_case": "interpreter"},
    )
    assert r.status_code == 422 and "mmr" in r.json()["detail"]


def test_only_the_lead_assigns(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    other = make_user("other", "clerk")
    cid = new_case(client, lead)["id"]
    client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    r = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(clerk),
        json={"user_id": other.id, "role_on_case": "clerk"},
    )
    assert r.status_code == 403


def test_ended_assignment_removes_access(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    cid = new_case(client, lead)["id"]
    aid = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    ).json()["id"]
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(clerk)).status_code == 200
    client.delete(f"/api/v1/cases/{cid}/assignments/{aid}", headers=bearer(lead))
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(clerk)).status_code == 404


def test_stale_update_is_refused(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    case = new_case(client, lead)
    body = {k: case[k] for k in ("title", "case_type", "stage", "status", "opened_on", "notes")}
    first = client.put(
        f"/api/v1/cases/{case['id']}",
        headers=bearer(lead),
        json={**body, "title": "改名一", "version": case["version"]},
    )
    assert first.status_code == 200 and first.json()["version"] == case["version"] + 1
    second = client.put(
        f"/api/v1/cases/{case['id']}",
        headers=bearer(lead),
        json={**body, "title": "改名二", "version": case["version"]},
    )
    assert second.status_code == 409 and _field(second) == "version"
    now = client.get(f"/api/v1/cases/{case['id']}", headers=bearer(lead)).json()
    assert now["title"] == "改名一"


def test_interviews_need_a_party_of_the_case(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    c1 = new_case(client, lead, "C-1")["id"]
    c2 = new_case(client, lead, "C-2")["id"]
    p2 = client.post(
        f"/api/v1/cases/{c2}/parties",
        headers=bearer(lead),
        json={"name": "石某", "role": "witness", "language": "mmr"},
    ).json()["id"]
    body = {
        "party_id": p2,
        "scheduled_at": "2026-12-01T09:30:00+08:00",
        "place": "讯问室",
        "participants": ["检察官 龙某", "翻译 石某"],
    }
    wrong = client.post(f"/api/v1/cases/{c1}/interviews", headers=bearer(lead), json=body)
    assert wrong.status_code == 422 and _field(wrong) == "party_id"
    naive = client.post(
        f"/api/v1/cases/{c2}/interviews",
        headers=bearer(lead),
        json={**body, "scheduled_at": "2026-12-01T09:30:00"},
    )
    assert naive.status_code == 422 and _field(naive) == "scheduled_at"
    ok = client.post(f"/api/v1/cases/{c2}/interviews", headers=bearer(lead), json=body)
    assert ok.status_code == 201
    assert ok.json()["scheduled_at"].startswith("2026-12-01T01:30:00")  # stored in UTC


def test_deadline_from_a_rule_and_due_soon(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    rules = {
        r["code"]: r for r in client.get("/api/v1/deadline-rules", headers=bearer(lead)).json()
    }
    assert rules and not any(r["confirmed"] for r in rules.values())
    start = date.today() - timedelta(days=25)
    r = client.post(
        f"/api/v1/cases/{cid}/deadlines",
        headers=bearer(lead),
        json={"rule_code": "arrest_review", "starts_on": start.isoformat()},
    )
    assert r.status_code == 201
    assert r.json()["due_on"] == (start + timedelta(days=7)).isoformat()
    month = client.post(
        f"/api/v1/cases/{cid}/deadlines",
        headers=bearer(lead),
        json={"rule_code": "prosecution_review", "starts_on": "2026-01-31"},
    ).json()
    assert month["due_on"] == "2026-02-28"
    extended = client.post(
        f"/api/v1/cases/{cid}/deadlines",
        headers=bearer(lead),
        json={"rule_code": "prosecution_review", "starts_on": "2026-01-31", "extended": True},
    ).json()
    assert extended["due_on"] == "2026-03-15"
    soon = client.get("/api/v1/deadlines/due-soon", headers=bearer(lead)).json()
    assert [d["days_left"] for d in soon][0] < 0  # the overdue arrest review comes first
    assert soon[0]["rule_confirmed"] is False


def test_deadline_dates_in_the_wrong_order(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/deadlines",
        headers=bearer(lead),
        json={"title": "补充侦查", "starts_on": "2026-11-10", "due_on": "2026-11-01"},
    )
    assert r.status_code == 422 and _field(r) == "due_on"


def test_admin_confirms_a_rule(client: TestClient, admin: Account, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    rule = client.get("/api/v1/deadline-rules", headers=bearer(lead)).json()[0]
    assert (
        client.post(
            f"/api/v1/deadline-rules/{rule['id']}/confirm", headers=bearer(lead)
        ).status_code
        == 403
    )
    done = client.post(f"/api/v1/deadline-rules/{rule['id']}/confirm", headers=bearer(admin))
    assert done.json()["confirmed"] is True


def test_search_filter_and_pagination(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    for n in range(25):
        c = new_case(client, lead, f"D-{n:02d}", stage="审查逮捕" if n % 2 else "审查起诉")
        if n == 7:
            client.post(
                f"/api/v1/cases/{c['id']}/parties",
                headers=bearer(lead),
                json={"name": "麻某", "role": "victim", "language": "muq"},
            )
    h = bearer(lead)
    page1 = client.get("/api/v1/cases", params={"size": 10}, headers=h).json()
    assert (page1["total"], page1["pages"], len(page1["items"])) == (25, 3, 10)
    page3 = client.get("/api/v1/cases", params={"size": 10, "page": 3}, headers=h).json()
    assert len(page3["items"]) == 5
    seen = {c["case_number"] for c in page1["items"]} & {c["case_number"] for c in page3["items"]}
    assert seen == set()
    assert (
        client.get("/api/v1/cases", params={"stage": "审查逮捕"}, headers=h).json()["total"] == 12
    )
    by_party = client.get("/api/v1/cases", params={"q": "麻某"}, headers=h).json()
    assert [c["case_number"] for c in by_party["items"]] == ["D-07"]
    by_lang = client.get("/api/v1/cases", params={"language": "muq"}, headers=h).json()
    assert by_lang["total"] == 1
    assert client.get("/api/v1/cases", params={"size": 500}, headers=h).status_code == 422


def test_changes_are_audited_without_content(client: TestClient, make_user: Any, db: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead, notes="嫌疑人供述的细节")["id"]
    client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "龙某某", "role": "suspect", "language": "mmr"},
    )
    entries = db.scalars(select(AuditEntry).where(AuditEntry.case_id == cid)).all()
    assert {e.action for e in entries} >= {"case.create", "party.create"}
    dumped = " ".join(str(e.details) for e in entries)
    assert "龙某某" not in dumped and "供述" not in dumped


def test_recusal_is_personal(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    both = make_user("both", "clerk", competences=("mmr",))
    cid = new_case(client, lead)["id"]
    url = f"/api/v1/cases/{cid}/assignments"
    as_clerk = client.post(
        url, headers=bearer(lead), json={"user_id": both.id, "role_on_case": "clerk"}
    )
    assert as_clerk.json()["state"] == "active"
    recused = assign_interpreter(
        client, lead, cid, both, has_conflict=True, statement="与被害人同村且有亲属关系"
    )
    assert recused["state"] == "recused"
    # The earlier clerk role ended with the recusal, and no role brings the user back.
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(both)).status_code == 404
    again = client.post(
        url, headers=bearer(lead), json={"user_id": both.id, "role_on_case": "clerk"}
    )
    assert again.status_code == 409 and _field(again) == "user_id"


def test_rule_deadlines_are_computed_not_typed(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    url = f"/api/v1/cases/{cid}/deadlines"
    typed = client.post(
        url,
        headers=bearer(lead),
        json={"rule_code": "arrest_review", "starts_on": "2026-11-01", "due_on": "2026-12-30"},
    )
    assert typed.status_code == 422 and _field(typed) == "due_on"
    no_rule = client.post(
        url,
        headers=bearer(lead),
        json={"title": "x", "starts_on": "2026-11-01", "due_on": "2026-11-05", "extended": True},
    )
    assert no_rule.status_code == 422 and _field(no_rule) == "extended"
    no_extension = client.post(
        url,
        headers=bearer(lead),
        json={"rule_code": "arrest_review", "starts_on": "2026-11-01", "extended": True},
    )
    assert no_extension.status_code == 422 and _field(no_extension) == "extended"


def test_interview_status_changes_are_audited(client: TestClient, make_user: Any, db: Any) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    pid = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "石某", "role": "witness", "language": "mmr"},
    ).json()["id"]
    iid = client.post(
        f"/api/v1/cases/{cid}/interviews",
        headers=bearer(lead),
        json={"party_id": pid, "scheduled_at": "2026-12-01T09:30:00+08:00"},
    ).json()["id"]
    url = f"/api/v1/cases/{cid}/interviews/{iid}/status"
    assert client.post(url, headers=bearer(lead), json={"status": "done"}).status_code == 422
    r = client.post(url, headers=bearer(lead), json={"status": "completed"})
    assert r.json()["status"] == "completed"
    entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "interview.status"))
    assert entry.details == {"from": "planned", "to": "completed"}


def test_interpreter_declares_own_conflict_and_loses_access(
    app: Any, client: TestClient, make_user: Any
) -> None:
    from tests.conftest import browser_session

    lead = make_user("lead", "prosecutor")
    terp = make_user("terp", "clerk", competences=("mmr",))
    other = make_user("terp2", "clerk", competences=("mmr",))
    cid = new_case(client, lead)["id"]
    ids = [assign_interpreter(client, lead, cid, who)["id"] for who in (terp, other)]
    url = f"/api/v1/cases/{cid}/assignments"
    # Not on someone else's record.
    assert (
        client.post(
            f"{url}/{ids[1]}/declaration", headers=bearer(terp), json={"has_conflict": True}
        ).status_code
        == 403
    )
    # On the page, the interpreter files their own.
    cookies, csrf = browser_session(app, terp)
    client.cookies.update(cookies)
    page = client.get(f"/cases/{cid}")
    assert 'data-testid="my-declaration"' in page.text
    r = client.post(
        f"/cases/{cid}/assignments/{ids[0]}/declaration",
        follow_redirects=False,
        data={
            "csrf_token": csrf["X-CSRF-Token"],
            "has_conflict": "yes",
            "statement": "被害人是本人表兄",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/cases?recused=1"
    client.cookies.clear()
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(terp)).status_code == 404
    detail = client.get(f"/api/v1/cases/{cid}", headers=bearer(lead)).json()
    mine = next(a for a in detail["assignments"] if a["id"] == ids[0])
    assert mine["state"] == "recused" and mine["declaration_text"] == "被害人是本人表兄"
