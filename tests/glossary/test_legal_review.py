"""Who approves legal Chinese: a concept's definition and statute citations are approved
only by a holder of the legal-review competence `cmn:法律审核`, not by any admin.

Each test here failed before the rule (any admin could approve, and the concept page said
nothing of a legal review)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor
from interp_service.errors import Forbidden
from interp_service.glossary.orm import Concept
from interp_service.glossary.service import settle_legal_review
from interp_service.glossary.snapshots import concept_snapshot
from interp_service.users.competence import LEGAL_REVIEW_REFUSED, has_legal_review
from interp_service.users.orm import User
from interp_service.users.schemas import CompetenceIn, TokenCreate, UserCreate
from interp_service.users.service import create_api_token, create_user
from tests.conftest import PASSWORD, Account, bearer, sign_in

HEADER = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
)
DEFINITION = "对犯罪嫌疑人责令提出保证人或者交纳保证金的强制措施"
CITATION = "《刑事诉讼法》第六十七条"
ROWS = (
    f"t-bail\tcoercive-measures\tcmn\t\t取保候审\tnoun\tpreferred\t{DEFINITION}\t{CITATION}\t\t"
    "project draft\tunverified\t\n"
    "t-day\tlexicon\tcmn\t\t天\t\tadmitted\t\t\t\tChen 2012\tunverified\t\n"
)


def legal_reviewer(app: FastAPI, username: str = "reviewer", *roles: str) -> Account:
    """An admin holding the legal-review competence, as `--competence cmn:法律审核` makes."""
    with app.state.services.session_factory() as session:
        user = create_user(
            session,
            Actor(None, "test"),
            UserCreate(
                username=username,
                display_name="李审核",
                password=PASSWORD,
                roles=list(roles or ("admin",)),
                competences=[CompetenceIn(language="cmn", variety="法律审核")],
            ),
        )
        _, raw = create_api_token(session, user, TokenCreate(name="tests"))
        session.commit()
        return Account(user.id, username, PASSWORD, raw)


def _import(client: TestClient, who: Account, rows: str = ROWS) -> None:
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(who),
        files={"file": ("g.tsv", (HEADER + rows).encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text


def _concept(client: TestClient, who: Account, text: str = "取保候审") -> dict[str, Any]:
    items = client.get("/api/v1/glossary/concepts", params={"q": text}, headers=bearer(who)).json()[
        "items"
    ]
    return dict(next(c for c in items if any(t["text"] == text for t in c["terms"])))


def _get(client: TestClient, who: Account, concept_id: int) -> dict[str, Any]:
    return dict(client.get(f"/api/v1/glossary/concepts/{concept_id}", headers=bearer(who)).json())


def _propose_concept(client: TestClient, clerk: Account) -> int:
    r = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(clerk),
        json={
            "kind": "new_concept",
            "concept": {
                "subject_field": "coercive-measures",
                "definition": "公安机关对现行犯或者重大嫌疑分子采取的临时强制措施",
                "citations": ["《刑事诉讼法》第八十二条"],
            },
            "term": {"language": "cmn", "text": "拘留", "status": "preferred"},
            "comment": "新概念",
        },
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def test_plain_admin_cannot_approve_a_definition_proposal_a_legal_reviewer_can(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    clerk = make_user("clerk", "clerk")
    reviewer = legal_reviewer(app)
    pid = _propose_concept(client, clerk)
    refused = client.post(
        f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(admin)
    )
    assert refused.status_code == 403
    assert refused.json()["detail"] == LEGAL_REVIEW_REFUSED
    pending = client.get("/api/v1/glossary/proposals", headers=bearer(admin)).json()["items"]
    assert [p["state"] for p in pending if p["id"] == pid] == ["pending"]

    ok = client.post(f"/api/v1/glossary/proposals/{pid}/approve", json={}, headers=bearer(reviewer))
    assert ok.status_code == 200, ok.text
    concept = _get(client, reviewer, ok.json()["concept_id"])
    assert concept["verification"] == "approved" and concept["verified_by"] == reviewer.id
    sign_in(client, app, reviewer)
    page = client.get(f"/glossary/concepts/{concept['id']}").text
    assert "法律审核：李审核，" in page and "尚未经法律审核" not in page


def test_plain_admin_is_refused_on_the_proposals_page(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    pid = _propose_concept(client, make_user("clerk", "clerk"))
    csrf = sign_in(client, app, admin)
    listed = client.get("/glossary/proposals").text
    assert LEGAL_REVIEW_REFUSED in listed and "《刑事诉讼法》第八十二条" in listed
    r = client.post(f"/glossary/proposals/{pid}/approve", data={"csrf_token": csrf})
    assert r.status_code == 403 and LEGAL_REVIEW_REFUSED in r.text


def test_concept_page_says_not_legally_reviewed_until_a_reviewer_verifies(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    _import(client, admin)
    concept = _concept(client, admin)
    csrf = sign_in(client, app, admin)
    page = client.get(f"/glossary/concepts/{concept['id']}").text
    assert "条文引用已经机器核对存在，尚未经法律审核" in page
    assert LEGAL_REVIEW_REFUSED in page  # in place of the button, for a plain admin

    refused = client.post(f"/glossary/concepts/{concept['id']}/verify", data={"csrf_token": csrf})
    assert refused.status_code == 403 and LEGAL_REVIEW_REFUSED in refused.text
    api = client.post(f"/api/v1/glossary/concepts/{concept['id']}/verify", headers=bearer(admin))
    assert api.status_code == 403 and api.json()["detail"] == LEGAL_REVIEW_REFUSED
    assert _get(client, admin, concept["id"])["verification"] == "unverified"

    reviewer = legal_reviewer(app)
    csrf = sign_in(client, app, reviewer)
    done = client.post(
        f"/glossary/concepts/{concept['id']}/verify",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = client.get(f"/glossary/concepts/{concept['id']}").text
    assert "法律审核：李审核，20" in page and "尚未经法律审核" not in page
    assert _get(client, admin, concept["id"])["verified_by"] == reviewer.id


def test_typed_citations_are_not_called_machine_checked(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    _import(client, admin)
    concept = _concept(client, admin)
    body = {k: concept[k] for k in ("subject_field", "definition", "note")}
    r = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}",
        headers=bearer(admin),
        json={**body, "citations": ["《刑法》第九百条"], "version": concept["version"]},
    )
    assert r.status_code == 200, r.text
    sign_in(client, app, admin)
    page = client.get(f"/glossary/concepts/{concept['id']}").text
    assert "释义和条文引用尚未经法律审核" in page and "机器核对" not in page


def test_reviewed_text_is_changed_only_by_a_reviewer(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    _import(client, admin)
    reviewer = legal_reviewer(app)
    concept = _concept(client, admin)
    r = client.post(f"/api/v1/glossary/concepts/{concept['id']}/verify", headers=bearer(reviewer))
    assert r.status_code == 200
    concept = _get(client, admin, concept["id"])
    body = {k: concept[k] for k in ("subject_field", "definition", "citations", "note")}

    changed = {**body, "definition": "改过的释义", "version": concept["version"]}
    edit = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin), json=changed
    )
    assert edit.status_code == 403 and edit.json()["detail"] == LEGAL_REVIEW_REFUSED
    note_only = {**body, "note": "管理员的备注", "version": concept["version"]}
    edit = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin), json=note_only
    )
    assert edit.status_code == 200 and edit.json()["verification"] == "approved"

    now = _get(client, admin, concept["id"])
    changed["version"] = now["version"]
    by_reviewer = client.put(
        f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(reviewer), json=changed
    )
    assert by_reviewer.status_code == 200
    assert by_reviewer.json()["verification"] == "approved"
    assert by_reviewer.json()["definition"] == "改过的释义"


def test_only_a_reviewer_withdraws_a_legal_review_by_revert(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    _import(client, admin)
    reviewer = legal_reviewer(app)
    concept = _concept(client, admin)
    client.post(f"/api/v1/glossary/concepts/{concept['id']}/verify", headers=bearer(reviewer))
    revs = client.get(
        "/api/v1/glossary/revisions", params={"concept_id": concept["id"]}, headers=bearer(admin)
    ).json()["items"]
    verify = next(r for r in revs if r["action"] == "verify")
    refused = client.post(
        f"/api/v1/glossary/revisions/{verify['id']}/revert", headers=bearer(admin)
    )
    assert refused.status_code == 403
    undone = client.post(
        f"/api/v1/glossary/revisions/{verify['id']}/revert", headers=bearer(reviewer)
    )
    assert undone.status_code == 200
    now = _get(client, admin, concept["id"])
    assert now["verification"] == "unverified" and now["verified_by"] is None


def test_a_concept_without_legal_text_needs_no_legal_review(
    client: TestClient, admin: Account
) -> None:
    _import(client, admin)
    day = _concept(client, admin, "天")
    r = client.post(f"/api/v1/glossary/concepts/{day['id']}/verify", headers=bearer(admin))
    assert r.status_code == 200 and r.json()["verification"] == "approved"


def test_users_page_grants_and_labels_the_competence(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "lawyer",
            "display_name": "王法审",
            "password": "a-long-password-1",
            "roles": "admin",
            "competences": "cmn 法律审核\nmmr 花垣 native",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get("/admin/users").text
    row = page[page.index("lawyer") :].split("</tr>", 1)[0]
    assert "法律审核" in row and "cmn·法律审核" not in row and "mmr·花垣（母语）" in row
    with app.state.services.session_factory() as session:
        user = session.query(User).filter_by(username="lawyer").one()
        assert has_legal_review(user)


def test_cli_grants_the_competence(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from interp_service.cli import main
    from interp_service.db.session import make_engine, make_session_factory

    monkeypatch.setenv("INTERP_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("INTERP_DATABASE_URL", settings.resolved_database_url)
    args = ["user", "create", "judge", "--role", "admin", "--competence", "cmn:法律审核"]
    assert main([*args, "--password", "a-long-password-2"]) == 0
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        user = session.query(User).filter_by(username="judge").one()
        assert has_legal_review(user)
    engine.dispose()


def _user(session: Session, *competences: CompetenceIn) -> User:
    user = User(username="u", display_name="U", password_hash="x")
    session.add(user)
    session.flush()
    from interp_service.users.orm import LanguageCompetence

    for c in competences:
        user.competences.append(LanguageCompetence(language=c.language, variety=c.variety))
    session.flush()
    return user


def test_settle_is_lenient_for_imports(db: Session) -> None:
    """What an import by an admin without the competence does with approved legal text."""
    plain = _user(db, CompetenceIn(language="mmr"))
    concept = Concept(
        external_id="x-1", definition=DEFINITION, citations=[CITATION], verification="approved"
    )
    with pytest.raises(Forbidden):
        settle_legal_review(concept, plain, None)
    assert settle_legal_review(concept, plain, None, lenient=True) == "demoted"
    assert concept.verification == "unverified" and concept.verified_by is None

    # An approval already there is not withdrawn by a file that says unverified.
    concept.verification, concept.verified_by = "approved", 999
    before = concept_snapshot(concept)
    concept.verification = "unverified"
    assert settle_legal_review(concept, plain, before, lenient=True) == "kept"
    assert concept.verification == "approved" and concept.verified_by == 999


def test_plain_admin_imports_approved_definitions_as_unverified(
    client: TestClient, admin: Account
) -> None:
    header = HEADER.replace("\tipa\n", "\tipa\tconcept_verification\n")
    data = header + "".join(line + "\tapproved\n" for line in ROWS.splitlines())
    r = client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", data.encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text
    assert _concept(client, admin)["verification"] == "unverified"
