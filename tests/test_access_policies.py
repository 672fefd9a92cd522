"""Every route declares an access policy, and each role gets what its policy says.

New routes are covered automatically: the test walks the app's routes, so a route added
without `require(...)` fails here, and every declared route is called as every role.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount
from starlette.websockets import WebSocketDisconnect

from interp_service.api.access import AccessPolicy, policy_of
from interp_service.app import PUBLIC_MOUNTS
from interp_service.media.audio import to_wav
from tests.conftest import (
    Account,
    assign_interpreter,
    bearer,
    browser_session,
    engage_external_interpreter,
    new_case,
)


def _policy(route: APIRoute) -> AccessPolicy | None:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is not None and (found := policy_of(dep.call)) is not None:
            return found
        stack.extend(dep.dependencies)
    return None


def all_routes(routes: list[Any]) -> list[Any]:
    """Routes of the app, with included routers opened up (their paths carry the prefix)."""
    out: list[Any] = []
    for route in routes:
        included = getattr(route, "original_router", None)
        out.extend(all_routes(included.routes) if included is not None else [route])
    return out


def test_every_route_declares_a_policy(app: FastAPI) -> None:
    routes = all_routes(app.routes)
    missing = [
        f"{sorted(r.methods)} {r.path}"
        for r in routes
        if isinstance(r, APIRoute) and _policy(r) is None
    ]
    assert missing == []
    mounts = {r.path for r in routes if isinstance(r, Mount)}
    assert mounts <= PUBLIC_MOUNTS
    # A WebSocket route cannot use `require`: its endpoint declares the policy it enforces
    # itself, and test_websocket_routes_as_each_role checks that it does.
    assert all(
        policy_of(r.endpoint) is not None for r in routes if isinstance(r, APIWebSocketRoute)
    )
    others = [r for r in routes if not isinstance(r, APIRoute | Mount | APIWebSocketRoute)]
    assert others == []


@pytest.fixture
def world(client: TestClient, app: FastAPI, make_user: Any, admin: Account) -> dict[str, Any]:
    """A case with a lead prosecutor and a clerk, an outsider, and sacrificial objects."""
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    outsider = make_user("outsider", "prosecutor")
    spare = make_user("spare", "clerk")
    interpreter = make_user("terp", "clerk", competences=("mmr",))
    case = new_case(client, lead)
    cid = case["id"]
    h = bearer(lead)
    party = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=h,
        json={"name": "龙某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
    )
    assert party.status_code == 201
    for user in (clerk, spare):
        r = client.post(
            f"/api/v1/cases/{cid}/assignments",
            headers=h,
            json={"user_id": user.id, "role_on_case": "clerk"},
        )
        assert r.status_code == 201
    spare_assignment = r.json()["id"]
    assign_interpreter(client, lead, cid, interpreter)
    # Engaged without a declaration, so that no route called below changes it first.
    external = engage_external_interpreter(client, lead, cid, declare=False)
    deadline = client.post(
        f"/api/v1/cases/{cid}/deadlines",
        headers=h,
        json={"rule_code": "prosecution_review", "starts_on": "2026-11-02"},
    ).json()
    evidence = client.post(
        f"/api/v1/cases/{cid}/evidence",
        headers=h,
        files={"file": ("note.txt", b"interview note\n", "text/plain")},
    )
    assert evidence.status_code == 201
    interview = client.post(
        f"/api/v1/cases/{cid}/interviews",
        headers=h,
        json={"party_id": party.json()["id"], "scheduled_at": "2026-12-01T09:00:00+08:00"},
    )
    assert interview.status_code == 201
    exchange = client.post(
        f"/api/v1/cases/{cid}/interviews/{interview.json()['id']}/exchanges",
        headers=h,
        json={
            "speaker_role": "prosecutor",
            "source_language": "cmn",
            "target_language": "mmr",
            "text": "你好",
        },
    )
    assert exchange.status_code == 201, exchange.text
    recording = client.post(
        f"/api/v1/cases/{cid}/interviews/{interview.json()['id']}/recordings",
        headers=h,
        files={"file": ("quiet.wav", WAV, "audio/wav")},
    )
    assert recording.status_code == 202, recording.text
    transcript = client.post(
        f"/api/v1/cases/{cid}/interviews/{interview.json()['id']}/transcripts",
        headers=h,
        files={"file": ("笔录.txt", "问：你好？".encode(), "text/plain")},
    )
    assert transcript.status_code == 202, transcript.text
    glossary = _glossary_objects(client, admin)
    ids = {
        "transcript_id": transcript.json()["id"],
        "recording_id": recording.json()["id"],
        "segment_id": 999999,
        **glossary,
        "decision": "approve",
        "interview_id": interview.json()["id"],
        "exchange_id": exchange.json()["id"],
        "fmt": "pdf",
        "model_name": "tiny-cmn-mmr",
        "model_version": "1",
        "case_id": cid,
        "assignment_id": spare_assignment,
        "external_id": external["id"],
        "deadline_id": deadline["id"],
        "evidence_id": evidence.json()["id"],
        "user_id": spare.id,
        "token_id": 999999,
        # Missing on purpose: deciding a real one needs Miao competence, which the first
        # admin lacks (403 would read as a policy failure); tests/memory covers the rest.
        "entry_id": 999999,
        "submission_id": 999999,
        "rule_id": 1,
        "job_id": "0" * 32,
    }
    return {
        "roles": {
            "outsider": outsider,
            "clerk": clerk,
            "interpreter": interpreter,
            "lead": lead,
            "admin": admin,
        },
        "ids": ids,
    }


# No definition or citations on purpose: verifying them would need the legal-review
# competence (cmn:法律审核), which the first admin lacks (403 would read as a policy
# failure); tests/glossary/test_legal_review.py covers that.
GLOSSARY_TSV = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
    "t-1\toffences\tcmn\t\t盗窃\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
)


def _glossary_objects(client: TestClient, admin: Account) -> dict[str, int]:
    h = bearer(admin)
    r = client.post(
        "/api/v1/glossary/import",
        headers=h,
        files={"file": ("g.tsv", GLOSSARY_TSV.encode(), "text/plain")},
    )
    assert r.status_code == 200, r.text
    concept = client.get("/api/v1/glossary/concepts", headers=h).json()["items"][0]
    term_id = concept["terms"][0]["id"]
    proposal = client.post(
        "/api/v1/glossary/proposals",
        headers=h,
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term": {"language": "cmn", "text": "偷窃"},
        },
    )
    assert proposal.status_code == 201
    recording = client.post(
        f"/api/v1/glossary/terms/{term_id}/recordings",
        headers=h,
        files={"file": ("a.wav", WAV, "audio/wav")},
    )
    assert recording.status_code == 201, recording.text
    revision = client.get("/api/v1/glossary/revisions", headers=h).json()["items"][0]
    return {
        "concept_id": concept["id"],
        "term_id": term_id,
        "proposal_id": proposal.json()["id"],
        "recording_id": recording.json()["id"],
        "revision_id": revision["id"],
    }


# Recordings are decoded before they are stored: a real (silent) WAV.
WAV = to_wav(np.zeros(1600, dtype=np.float32))


# What each policy must answer to each caller: None = allowed, else the status.
# Written out by hand (not derived from the policy objects), so a wrong policy fails here;
# a new policy must be added to this table.
OK = None
EXPECTED: dict[str, dict[str, int | None]] = {
    "public": {"outsider": OK, "clerk": OK, "interpreter": OK, "lead": OK, "admin": OK},
    # LibreTranslate routes check the `api_key` in the body themselves (403 without one).
    "api-key-in-body": {
        "outsider": OK,
        "clerk": OK,
        "interpreter": OK,
        "lead": OK,
        "admin": OK,
    },
    "signed-in": {"outsider": OK, "clerk": OK, "interpreter": OK, "lead": OK, "admin": OK},
    "signed-in-browser": {
        "outsider": OK,
        "clerk": OK,
        "interpreter": OK,
        "lead": OK,
        "admin": OK,
    },
    "admin": {"outsider": 403, "clerk": 403, "interpreter": 403, "lead": 403, "admin": OK},
    "case-creators": {"outsider": OK, "clerk": 403, "interpreter": 403, "lead": OK, "admin": OK},
    "case-member": {"outsider": 404, "clerk": OK, "interpreter": OK, "lead": OK, "admin": OK},
    "case-editor": {"outsider": 404, "clerk": OK, "interpreter": 403, "lead": OK, "admin": OK},
    # Members pass the policy; the service then allows interpreters only their own record
    # (tested in tests/cases/test_cases_api.py).
    "case-member-self": {
        "outsider": 404,
        "clerk": OK,
        "interpreter": OK,
        "lead": OK,
        "admin": OK,
    },
    "case-lead": {"outsider": 404, "clerk": 403, "interpreter": 403, "lead": OK, "admin": OK},
}


def _expected_denial(policy: AccessPolicy, who: str) -> int | None:
    """The status the policy demands for this caller, or None when access is allowed."""
    assert policy.name in EXPECTED, f"add policy {policy.name!r} to EXPECTED"
    return EXPECTED[policy.name][who]


def _path(route: APIRoute | APIWebSocketRoute, ids: dict[str, Any]) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(ids[m.group(1)]), route.path)


def test_each_route_as_each_role(app: FastAPI, client: TestClient, world: dict[str, Any]) -> None:
    routes = [r for r in all_routes(app.routes) if isinstance(r, APIRoute)]
    assert len(routes) > 40
    checked = 0
    failures: list[str] = []
    for route in routes:
        policy = _policy(route)
        assert policy is not None
        method = sorted(route.methods - {"HEAD"})[0]
        path = _path(route, world["ids"])
        is_api = path.startswith(("/api/", "/v1/"))
        client.cookies.clear()
        anonymous = client.request(method, path, follow_redirects=False)
        if not policy.public:
            want = 401 if is_api else 303
            if anonymous.status_code != want:
                failures.append(f"anonymous {method} {path}: {anonymous.status_code} != {want}")
        for who, account in world["roles"].items():
            cookies, csrf = browser_session(app, account)
            client.cookies.clear()
            for name, value in cookies.items():
                client.cookies.set(name, value)
            response = client.request(method, path, headers=csrf, follow_redirects=False)
            expected = _expected_denial(policy, who)
            got = response.status_code
            if expected is not None and got != expected:
                failures.append(f"{who} {method} {path}: {got}, policy wants {expected}")
            # A public route may still refuse a form without its login CSRF token (403).
            denials = (401,) if policy.public else (401, 403)
            if (
                expected is None
                and got in denials
                or (expected is None and policy.case_scoped and got == 404)
            ):
                failures.append(f"{who} {method} {path}: denied with {got}")
            checked += 1
    client.cookies.clear()
    assert failures == [], "\n".join(failures)
    assert checked >= 5 * len(routes)


def _socket_close(client: TestClient, path: str, headers: dict[str, str]) -> int | None:
    """The close code a WebSocket route answers with before taking audio, or None when it
    lets the caller through (it then waits for the client's first message)."""
    try:
        with client.websocket_connect(path, headers=headers) as ws:
            ws.send_text("{}")  # not a valid start: an admitted caller gets an error message
            ws.receive_text()
    except WebSocketDisconnect as closed:
        return None if closed.code < 4000 else closed.code
    return None


def test_websocket_routes_as_each_role(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    """WebSocket routes close with 4000 + the HTTP status the policy demands."""
    routes = [r for r in all_routes(app.routes) if isinstance(r, APIWebSocketRoute)]
    assert routes
    failures: list[str] = []
    for route in routes:
        policy = policy_of(route.endpoint)
        assert policy is not None
        path = _path(route, world["ids"])
        client.cookies.clear()
        got = _socket_close(client, path, {})
        if not policy.public and got != 4401:
            failures.append(f"anonymous WS {path}: {got} != 4401")
        for who, account in world["roles"].items():
            cookies, _ = browser_session(app, account)
            cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
            headers = {"cookie": cookie, "origin": "http://testserver"}
            expected = _expected_denial(policy, who)
            got = _socket_close(client, path, headers)
            if got != (None if expected is None else 4000 + expected):
                failures.append(f"{who} WS {path}: {got}, policy wants {expected}")
    assert failures == [], "\n".join(failures)


def test_denied_case_answers_like_a_missing_case(client: TestClient, world: dict[str, Any]) -> None:
    outsider = world["roles"]["outsider"]
    cid = world["ids"]["case_id"]
    denied = client.get(f"/api/v1/cases/{cid}", headers=bearer(outsider))
    missing = client.get("/api/v1/cases/987654", headers=bearer(outsider))
    assert denied.status_code == missing.status_code == 404
    assert denied.json()["detail"] == missing.json()["detail"]
    listed = client.get("/api/v1/cases", headers=bearer(outsider)).json()
    assert listed["total"] == 0
