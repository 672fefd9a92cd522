"""Ids from outside are bounded: out of range they answer 422, never a database error."""

from __future__ import annotations

import typing
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.api.ids import MAX_ID
from tests.conftest import Account, bearer, new_case, sign_in
from tests.test_access_policies import all_routes

TOO_BIG = (2**31, 2**63, 10**30)


def _int_params(app: FastAPI) -> list[tuple[str, str, Any]]:
    """(route path, parameter name, field) of every int path or query parameter."""
    found = []
    for route in all_routes(app.routes):
        stack = [getattr(route, "dependant", None)]
        while stack:
            dep = stack.pop()
            if dep is None:
                continue
            for field in [*dep.path_params, *dep.query_params]:
                annotation = field.field_info.annotation
                if annotation is int or int in typing.get_args(annotation):
                    found.append((route.path, field.name, field))
            stack.extend(dep.dependencies)
    return found


def test_every_int_path_and_query_parameter_is_bounded(app: FastAPI) -> None:
    params = _int_params(app)
    assert any(name == "case_id" for _, name, _ in params)  # the walk sees path ids
    unbounded = [
        f"{path} {name}"
        for path, name, field in params
        if not any(getattr(m, "le", MAX_ID + 1) <= MAX_ID for m in field.field_info.metadata)
    ]
    assert unbounded == []
    ids = [(path, name, field) for path, name, field in params if name.endswith("_id")]
    assert ids and all(
        any(getattr(m, "ge", 0) == 1 for m in field.field_info.metadata) for _, _, field in ids
    )


def _is_422_problem(r: Any, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["title"] == "输入有误"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert "2147483647" in problem["detail"]


def test_out_of_range_path_ids_answer_422(client: TestClient, admin: Account) -> None:
    case_id = new_case(client, admin)["id"]
    for big in TOO_BIG:
        _is_422_problem(client.get(f"/api/v1/cases/{big}", headers=bearer(admin)), "case_id")
        _is_422_problem(client.get(f"/api/v1/users/{big}", headers=bearer(admin)), "user_id")
        _is_422_problem(
            client.post(
                f"/api/v1/cases/{big}/deadlines",
                headers=bearer(admin),
                json={"starts_on": "2026-11-02"},
            ),
            "case_id",
        )
        _is_422_problem(
            client.get(
                f"/api/v1/cases/{case_id}/interviews/{big}/export.docx", headers=bearer(admin)
            ),
            "interview_id",
        )
        _is_422_problem(
            client.get(f"/api/v1/audit?case_id={big}", headers=bearer(admin)), "case_id"
        )
    # The largest id is in range: it names no row, and the database says so without error.
    missing = client.get(f"/api/v1/cases/{MAX_ID}", headers=bearer(admin))
    assert missing.status_code == 404
    assert client.get("/api/v1/cases/0", headers=bearer(admin)).status_code == 422


def test_out_of_range_body_ids_answer_422(client: TestClient, admin: Account) -> None:
    case_id = new_case(client, admin)["id"]
    for big in TOO_BIG:
        r = client.post(
            "/api/v1/translate",
            headers=bearer(admin),
            json={
                "texts": ["你好"],
                "source_language": "cmn",
                "target_language": "mmr",
                "case_id": big,
            },
        )
        _is_422_problem(r, "case_id")
        r = client.post(
            f"/api/v1/cases/{case_id}/interviews",
            headers=bearer(admin),
            json={"party_id": big, "scheduled_at": "2026-11-20T09:00:00+08:00"},
        )
        _is_422_problem(r, "party_id")


def test_pages_answer_out_of_range_ids_without_error(
    client: TestClient, app: FastAPI, admin: Account
) -> None:
    sign_in(client, app, admin)
    big = 2**63
    page = client.get(f"/cases/{big}")
    assert page.status_code == 422 and "text/html" in page.headers["content-type"]
    assert "2147483647" in page.text
    # Form and query ids the pages read themselves: out of range they filter nothing.
    assert client.get(f"/admin/audit?case_id={big}").status_code == 200
    assert client.get(f"/admin/users?page={big}").status_code == 200
    assert client.get("/admin/users?page=abc").status_code == 200
