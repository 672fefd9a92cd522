"""Server-rendered pages: login, form errors beside fields, security headers, no inline JS."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import ADMIN_PASSWORD, bearer, browser_session, new_case

TEMPLATES = Path(__file__).parents[2] / "interp_service" / "web" / "templates"


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _login(client: TestClient, username: str = "admin", password: str = ADMIN_PASSWORD) -> Any:
    page = client.get("/login?next=/cases")
    return client.post(
        "/login",
        data={
            "username": username,
            "password": password,
            "csrf_token": _csrf(page.text),
            "next": "/cases",
        },
        follow_redirects=False,
    )


def test_login_page_round_trip(client: TestClient) -> None:
    r = _login(client)
    assert r.status_code == 303 and r.headers["location"] == "/cases"
    assert "案件" in client.get("/cases").text


def test_wrong_password_keeps_the_username(client: TestClient) -> None:
    r = _login(client, "admin", "not-the-password")
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text and 'value="admin"' in r.text


def test_login_without_its_form_token_is_refused(client: TestClient) -> None:
    r = client.post("/login", data={"username": "admin", "password": ADMIN_PASSWORD})
    assert r.status_code == 403 and "set-cookie" not in {
        k.lower() for k in r.headers if "interp_session" in r.headers[k]
    }


def test_open_redirect_is_not_followed(client: TestClient) -> None:
    page = client.get("/login")
    r = client.post(
        "/login",
        data={
            "username": "admin",
            "password": ADMIN_PASSWORD,
            "csrf_token": _csrf(page.text),
            "next": "//evil.example",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/"


def test_strict_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-frame-options"] == "DENY"


def test_templates_have_no_inline_scripts_or_handlers() -> None:
    for template in TEMPLATES.glob("*.html"):
        html = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag, f"inline script in {template.name}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"inline handler in {template.name}"
        assert "javascript:" not in html


def test_case_form_error_shows_beside_the_field_and_keeps_input(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead, "保检刑诉〔2026〕1号")
    cookies, _ = browser_session(app, lead)
    client.cookies.update(cookies)
    form = client.get("/cases/new")
    r = client.post(
        "/cases/new",
        data={
            "csrf_token": _csrf(form.text),
            "case_number": "保检刑诉〔2026〕1号",
            "title": "重复案",
            "opened_on": "2026-11-20",
            "closed_on": "2026-11-01",
            "status": "open",
            "stage": "",
        },
    )
    assert r.status_code == 422
    assert 'data-field="closed_on"' in r.text
    assert 'value="重复案"' in r.text
    r = client.post(
        "/cases/new",
        data={
            "csrf_token": _csrf(form.text),
            "case_number": "保检刑诉〔2026〕1号",
            "title": "重复案",
            "opened_on": "2026-11-20",
            "status": "open",
            "stage": "",
        },
    )
    assert r.status_code == 422 and 'data-field="case_number"' in r.text
    assert "已存在" in r.text


def test_unassigned_prosecutor_gets_not_found_page(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    outsider = make_user("outsider", "prosecutor")
    case = new_case(client, lead)
    client.cookies.update(browser_session(app, outsider)[0])
    r = client.get(f"/cases/{case['id']}")
    assert r.status_code == 404 and case["case_number"] not in r.text
    assert case["case_number"] not in client.get("/cases").text


def test_oversized_body_is_refused_before_reading(
    client: TestClient, app: FastAPI, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    limit = app.state.services.settings.max_body_bytes
    r = client.post(
        "/api/v1/cases",
        headers={**bearer(lead), "content-type": "application/json"},
        content=b"{" + b" " * (limit + 10) + b"}",
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"

    def chunks() -> Any:
        for _ in range(limit // 1000 + 5):
            yield b" " * 1000

    streamed = client.post(
        "/api/v1/cases",
        headers={**bearer(lead), "content-type": "application/json"},
        content=chunks(),
    )
    assert streamed.status_code == 413


def test_broken_json_is_a_problem(client: TestClient, make_user: Any) -> None:
    lead = make_user("lead", "prosecutor")
    r = client.post(
        "/api/v1/cases",
        headers={**bearer(lead), "content-type": "application/json"},
        content=b'{"case_number": "\xff\xfe',
    )
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 400
    assert client.get("/api/v1/cases", headers=bearer(lead)).json()["total"] == 0


def test_docs_are_served_locally(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and "/static/swagger/swagger-ui-bundle.js" in page.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    spec = client.get("/openapi.json").json()
    assert "/api/v1/cases" in spec["paths"]


def test_anonymous_upload_gets_only_the_small_limit(client: TestClient, app: FastAPI) -> None:
    body = b"x" * (app.state.services.settings.max_body_bytes + 1)
    r = client.post("/api/v1/cases/1/evidence", files={"file": ("a.txt", body, "text/plain")})
    assert r.status_code == 413


def test_outsider_upload_is_refused_before_storing(
    client: TestClient, app: FastAPI, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    outsider = make_user("outsider", "prosecutor")
    cid = new_case(client, lead)["id"]
    r = client.post(
        f"/api/v1/cases/{cid}/evidence",
        headers=bearer(outsider),
        files={"file": ("a.txt", b"statement\n", "text/plain")},
    )
    assert r.status_code == 404
    assert app.state.services.evidence_store.all_hashes() == []
