"""A conflict-of-interest declaration is the interpreter's own statement: a user files it
under their own login; an external interpreter (no login) signs it on paper and case staff
record it on their behalf with the signed form from the evidence store. Nobody files one in
another user's name."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor
from interp_service.audit.orm import AuditEntry
from interp_service.cases import assignments, interpreters
from interp_service.cases.orm import Assignment
from interp_service.cases.schemas import Declaration
from interp_service.errors import Forbidden
from tests.conftest import Account, assign_interpreter, bearer, new_case


def _field(response: Any) -> str:
    errors = response.json().get("errors") or [{}]
    return str(errors[0].get("field", ""))


def _case_with_party(
    client: TestClient, lead: Account, number: str = "保检刑诉〔2026〕12号"
) -> int:
    cid = int(new_case(client, lead, number)["id"])
    r = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "龙某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
    )
    assert r.status_code == 201, r.text
    return cid


def _upload(client: TestClient, who: Account, cid: int, name: str, body: bytes) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/cases/{cid}/evidence",
        headers=bearer(who),
        files={"file": (name, body, "text/plain")},
    )
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def _audit(db: Session, action: str) -> list[AuditEntry]:
    db.expire_all()
    return list(db.scalars(select(AuditEntry).where(AuditEntry.action == action)).all())


def test_a_lead_cannot_file_a_declaration_for_another_user(
    client: TestClient, make_user: Any, admin: Account, db: Session
) -> None:
    lead = make_user("lead", "prosecutor")
    terp = make_user("terp", "clerk", competences=("mmr",))
    cid = _case_with_party(client, lead)
    url = f"/api/v1/cases/{cid}/assignments"
    at_assignment = client.post(
        url,
        headers=bearer(lead),
        json={
            "user_id": terp.id,
            "role_on_case": "interpreter",
            "declaration": {"has_conflict": False, "statement": "本人与本案无利害关系"},
        },
    )
    assert at_assignment.status_code == 422 and _field(at_assignment) == "declaration"
    assert "本人" in at_assignment.json()["detail"]
    pending = assign_interpreter(client, lead, cid, terp, has_conflict=None)
    assert pending["state"] == "active" and pending["conflict_declared"] is None
    # Neither the lead nor an admin can file or change it afterwards (nor recuse them).
    for who in (lead, admin):
        for has_conflict in (False, True):
            r = client.post(
                f"{url}/{pending['id']}/declaration",
                headers=bearer(who),
                json={"has_conflict": has_conflict},
            )
            assert r.status_code == 403, r.text
    detail = client.get(f"/api/v1/cases/{cid}", headers=bearer(lead)).json()
    mine = next(a for a in detail["assignments"] if a["id"] == pending["id"])
    assert mine["state"] == "active" and mine["conflict_declared"] is None
    assert mine["declared_by"] is None and mine["declared_by_name"] == ""
    assert _audit(db, "assignment.declare") == []
    # Not in the service either.
    assignment = db.get(Assignment, pending["id"])
    assert assignment is not None
    with pytest.raises(Forbidden):
        assignments.declare(
            db, Actor(lead.id, "lead"), cid, assignment.id, Declaration(has_conflict=False)
        )
    db.rollback()


def test_the_interpreter_files_their_own_declaration(
    client: TestClient, make_user: Any, db: Session
) -> None:
    lead = make_user("lead", "prosecutor")
    terp = make_user("terp", "clerk", competences=("mmr",))
    cid = _case_with_party(client, lead)
    pending = assign_interpreter(client, lead, cid, terp, has_conflict=None)
    # Waiting for the declaration, the interpreter may open the case to file it, but may
    # not yet be named as the interpreter of an exchange.
    assert client.get(f"/api/v1/cases/{cid}", headers=bearer(terp)).status_code == 200
    assert interpreters.eligible_interpreters(db, cid) == []
    r = client.post(
        f"/api/v1/cases/{cid}/assignments/{pending['id']}/declaration",
        headers=bearer(terp),
        json={"has_conflict": False, "statement": "与当事人素不相识"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["conflict_declared"] is False and body["declared_by"] == terp.id
    assert body["declared_by_name"] == "Terp" and body["declared_at"]
    detail = client.get(f"/api/v1/cases/{cid}", headers=bearer(lead)).json()
    mine = next(a for a in detail["assignments"] if a["id"] == pending["id"])
    assert mine["declared_by"] == terp.id and mine["declared_by_name"] == "Terp"
    [entry] = _audit(db, "assignment.declare")
    assert entry.actor_id == terp.id
    assert entry.details["entered_by"] == terp.id and entry.details["on_behalf"] is False
    assert "素不相识" not in str(entry.details)
    db.expire_all()
    eligible = interpreters.eligible_interpreters(db, cid)
    assert [(i.kind, i.id) for i in eligible] == [("user", terp.id)]


def test_an_admin_assigning_themself_may_declare_at_once(
    client: TestClient, make_user: Any, admin: Account
) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(admin),
        json={
            "user_id": admin.id,
            "role_on_case": "interpreter",
            "declaration": {"has_conflict": False},
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["conflict_declared"] is False and r.json()["declared_by"] == admin.id
    # A declaration is for interpreters only.
    clerk = make_user("clerk", "clerk")
    wrong = client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(admin),
        json={"user_id": clerk.id, "role_on_case": "clerk", "declaration": {"has_conflict": False}},
    )
    assert wrong.status_code == 422 and _field(wrong) == "declaration"


def test_unassigned_users_get_not_found(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    terp = make_user("terp", "clerk", competences=("mmr",))
    outsider = make_user("outsider", "clerk", competences=("mmr",))
    cid = _case_with_party(client, lead)
    pending = assign_interpreter(client, lead, cid, terp, has_conflict=None)
    external = client.post(
        f"/api/v1/cases/{cid}/external-interpreters",
        headers=bearer(lead),
        json={"name": "石某", "language": "mmr"},
    ).json()
    base = f"/api/v1/cases/{cid}"
    calls = [
        (f"{base}/assignments/{pending['id']}/declaration", {"has_conflict": False}),
        (f"{base}/external-interpreters", {"name": "杨某", "language": "mmr"}),
        (f"{base}/external-interpreters/{external['id']}/declaration", {"has_conflict": False}),
        (f"{base}/external-interpreters/{external['id']}/end", None),
    ]
    for path, body in calls:
        r = client.post(path, headers=bearer(outsider), json=body)
        assert r.status_code == 404, (path, r.status_code)
    # A wrong assignment or external id on a visible case is 404 as well.
    assert (
        client.post(
            f"{base}/assignments/999999/declaration",
            headers=bearer(terp),
            json={"has_conflict": False},
        ).status_code
        == 404
    )
    assert (
        client.post(f"{base}/external-interpreters/999999/end", headers=bearer(lead)).status_code
        == 404
    )


def test_external_interpreter_engaged_by_a_clerk(
    client: TestClient, make_user: Any, db: Session
) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    terp = make_user("terp", "clerk", competences=("mmr",))
    cid = _case_with_party(client, lead)
    client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assign_interpreter(client, lead, cid, terp)
    url = f"/api/v1/cases/{cid}/external-interpreters"
    bad = client.post(url, headers=bearer(clerk), json={"name": "石某", "language": "苗语"})
    assert bad.status_code == 422 and _field(bad) == "language"
    # Interpreters do not engage interpreters.
    denied = client.post(url, headers=bearer(terp), json={"name": "石某", "language": "mmr"})
    assert denied.status_code == 403
    r = client.post(
        url,
        headers=bearer(clerk),
        json={
            "name": "石某某",
            "organisation": "花垣县民族事务局",
            "language": "mmr",
            "variety": "花垣",
            "notes": "经县司法局推荐",
        },
    )
    assert r.status_code == 201, r.text
    external = r.json()
    assert external["state"] == "active" and external["conflict_declared"] is None
    assert external["engaged_by"] == clerk.id and external["engaged_by_name"] == "Clerk"
    detail = client.get(f"/api/v1/cases/{cid}", headers=bearer(terp)).json()
    assert [x["name"] for x in detail["external_interpreters"]] == ["石某某"]
    # Not eligible before a declaration of no conflict is on file.
    assert ("external", external["id"]) not in {
        (i.kind, i.id) for i in interpreters.eligible_interpreters(db, cid)
    }
    [entry] = _audit(db, "external_interpreter.engage")
    assert entry.actor_id == clerk.id and entry.details["external_interpreter_id"] == external["id"]
    assert "石某某" not in str(entry.details) and "民族事务局" not in str(entry.details)


def test_on_behalf_declaration_needs_the_signed_form_of_the_case(
    client: TestClient, make_user: Any, db: Session
) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    cid = _case_with_party(client, lead)
    other_cid = _case_with_party(client, lead, "保检刑诉〔2026〕13号")
    client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    external = client.post(
        f"/api/v1/cases/{cid}/external-interpreters",
        headers=bearer(clerk),
        json={"name": "石某某", "language": "mmr"},
    ).json()
    url = f"/api/v1/cases/{cid}/external-interpreters/{external['id']}/declaration"
    statement = {"has_conflict": False, "statement": "与本案当事人无亲属关系"}
    no_form = client.post(url, headers=bearer(clerk), json=statement)
    assert no_form.status_code == 422 and _field(no_form) == "form_evidence_id"
    assert "签名" in no_form.json()["detail"]
    elsewhere = _upload(client, lead, other_cid, "别案申报表.txt", b"other case form\n")
    wrong_case = client.post(
        url, headers=bearer(clerk), json={**statement, "form_evidence_id": elsewhere["id"]}
    )
    assert wrong_case.status_code == 422 and _field(wrong_case) == "form_evidence_id"
    missing = client.post(url, headers=bearer(clerk), json={**statement, "form_evidence_id": 9999})
    assert missing.status_code == 422 and _field(missing) == "form_evidence_id"
    assert _audit(db, "external_interpreter.declare") == []
    form = _upload(client, clerk, cid, "石某某申报表.txt", b"signed declaration form\n")
    ok = client.post(url, headers=bearer(clerk), json={**statement, "form_evidence_id": form["id"]})
    assert ok.status_code == 200, ok.text
    body = ok.json()
    assert body["state"] == "active" and body["conflict_declared"] is False
    assert body["declaration_entered_by"] == clerk.id
    assert body["declaration_entered_by_name"] == "Clerk"
    assert body["declaration_form_id"] == form["id"]
    assert body["declaration_form_filename"] == "石某某申报表.txt"
    detail = client.get(f"/api/v1/cases/{cid}", headers=bearer(lead)).json()
    [shown] = detail["external_interpreters"]
    assert shown["declaration_entered_by_name"] == "Clerk" and shown["declared_at"]
    [entry] = _audit(db, "external_interpreter.declare")
    assert entry.actor_id == clerk.id
    assert entry.details["on_behalf"] is True and entry.details["entered_by"] == clerk.id
    assert entry.details["form_evidence_id"] == form["id"]
    assert entry.details["form_sha256"] == form["sha256"]
    assert "石某某" not in str(entry.details) and "亲属" not in str(entry.details)
    eligible = interpreters.eligible_interpreters(db, cid)
    assert [(i.kind, i.id) for i in eligible] == [("external", external["id"])]
    assert interpreters.resolve(db, cid, f"external:{external['id']}", field="x").name == "石某某"


def test_a_declared_conflict_recuses_an_external_interpreter(
    client: TestClient, make_user: Any, db: Session
) -> None:
    lead = make_user("lead", "prosecutor")
    cid = _case_with_party(client, lead)
    url = f"/api/v1/cases/{cid}/external-interpreters"
    kept = client.post(url, headers=bearer(lead), json={"name": "杨某", "language": "mmr"}).json()
    recused = client.post(url, headers=bearer(lead), json={"name": "龙某某", "language": "mmr"})
    xid = recused.json()["id"]
    form = _upload(client, lead, cid, "申报表.txt", b"signed: related to the victim\n")
    for who, conflict in ((kept["id"], False), (xid, True)):
        r = client.post(
            f"{url}/{who}/declaration",
            headers=bearer(lead),
            json={"has_conflict": conflict, "form_evidence_id": form["id"]},
        )
        assert r.status_code == 200, r.text
    assert r.json()["state"] == "recused" and r.json()["conflict_declared"] is True
    eligible = {(i.kind, i.id) for i in interpreters.eligible_interpreters(db, cid)}
    assert eligible == {("external", kept["id"])}
    # Recusal is final: the declaration cannot be changed back.
    again = client.post(
        f"{url}/{xid}/declaration",
        headers=bearer(lead),
        json={"has_conflict": False, "form_evidence_id": form["id"]},
    )
    assert again.status_code == 409
    # Ending an engagement removes the interpreter too, and takes no more declarations.
    ended = client.post(f"{url}/{kept['id']}/end", headers=bearer(lead))
    assert ended.status_code == 200 and ended.json()["state"] == "ended"
    db.expire_all()
    assert interpreters.eligible_interpreters(db, cid) == []
    late = client.post(
        f"{url}/{kept['id']}/declaration",
        headers=bearer(lead),
        json={"has_conflict": False, "form_evidence_id": form["id"]},
    )
    assert late.status_code == 409
    [end] = _audit(db, "external_interpreter.end")
    assert end.details == {"external_interpreter_id": kept["id"], "state": "ended"}
