"""The OpenAPI document lists the statuses operations really answer, as problem+json."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from interp_service.api.openapi import FOREIGN
from tests.conftest import Account, bearer

PROBLEM = "application/problem+json"


def documented(client: TestClient, method: str, path: str) -> dict[str, Any]:
    schema = client.get("/openapi.json").json()
    responses: dict[str, Any] = schema["paths"][path][method.lower()]["responses"]
    return responses


def assert_documented(client: TestClient, method: str, path: str, answer: Response) -> None:
    """The answer's status is listed for the operation, with the answer's media type."""
    responses = documented(client, method, path)
    status = str(answer.status_code)
    assert status in responses, f"{method} {path} answered {status}, documented {sorted(responses)}"
    media = answer.headers["content-type"].split(";")[0]
    assert media in responses[status]["content"]


def test_a_request_without_a_token_gets_a_documented_401(client: TestClient) -> None:
    answer = client.get("/api/v1/cases")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith(PROBLEM)
    assert_documented(client, "GET", "/api/v1/cases", answer)


def test_a_role_refusal_is_a_documented_403(client: TestClient, make_user: Any) -> None:
    clerk: Account = make_user("clerk1", "clerk")
    answer = client.post(
        "/api/v1/users",
        headers=bearer(clerk),
        json={"username": "x1", "display_name": "X", "password": "a-long-password-1", "roles": []},
    )
    assert answer.status_code == 403
    assert_documented(client, "POST", "/api/v1/users", answer)


def test_a_missing_case_is_a_documented_404(client: TestClient, admin: Account) -> None:
    answer = client.get("/api/v1/cases/424242", headers=bearer(admin))
    assert answer.status_code == 404
    assert_documented(client, "GET", "/api/v1/cases/{case_id}", answer)


def test_validation_errors_are_documented_as_problems_not_fastapi_shapes(
    client: TestClient, admin: Account
) -> None:
    answer = client.post("/api/v1/cases", headers=bearer(admin), json={"title": 5})
    assert answer.status_code == 422
    assert answer.json()["errors"]
    assert_documented(client, "POST", "/api/v1/cases", answer)
    schema = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in schema["components"]["schemas"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for status, response in operation["responses"].items():
                foreign = f"{method.upper()} {path}" in FOREIGN and status != "413"
                if status.startswith(("4", "5")) and not foreign:
                    assert list(response["content"]) == [PROBLEM], (method, path, status)


def test_an_oversized_body_is_a_documented_413(client: TestClient, admin: Account) -> None:
    text = "案" * 400_000  # 1.2 MB of UTF-8, over the 1 MiB body limit
    answer = client.post("/api/v1/glossary/recognise", headers=bearer(admin), json={"text": text})
    assert answer.status_code == 413
    assert_documented(client, "POST", "/api/v1/glossary/recognise", answer)


def test_a_service_conflict_is_documented_where_the_service_raises_it(client: TestClient) -> None:
    # POST /api/v1/users raises Conflict for a taken username (users/service.py); the
    # document finds it by reading the code the route runs.
    assert "409" in documented(client, "POST", "/api/v1/users")
    # Public LibreTranslate routes need no login, so no 401 is listed for them.
    assert "401" not in documented(client, "GET", "/languages")


def test_libretranslate_errors_are_documented_in_their_own_shape(client: TestClient) -> None:
    answer = client.post("/translate", json={"q": "你好", "source": "zh", "target": "mmr"})
    assert answer.status_code == 403
    assert answer.json() == {"error": "Invalid API key"}
    assert_documented(client, "POST", "/translate", answer)
