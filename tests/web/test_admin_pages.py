"""Admin and account pages: user administration, deadline rules, audit trail, tokens."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from tests.conftest import Account, bearer, new_case, sign_in


def test_admin_creates_a_user_with_competences(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
    form = {
        "csrf_token": csrf,
        "username": "long",
        "display_name": "龙译员",
        "password": "long-password-1",
        "roles": ["clerk"],
        "competences": "mmr 花垣 native\nmuq",
    }
    r = client.post("/admin/users", data=form, follow_redirects=True)
    assert r.status_code == 200 and "已创建用户 long" in r.text
    user = client.get("/api/v1/users", params={"q": "long"}, headers=bearer(admin)).json()
    assert user["items"][0]["competences"] == [
        {"language": "mmr", "variety": "花垣", "level": "native"},
        {"language": "muq", "variety": "", "level": "fluent"},
    ]


def test_user_form_errors_keep_input_and_never_echo_the_password(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
    r = client.post(
        "/admin/users",
        data={
            "csrf_token": csrf,
            "username": "bad name!",
            "display_name": "石某",
            "password": "short",
            "competences": "miao",
        },
    )
    assert r.status_code == 422
    for field in ("username", "password", "roles", "competences"):
        assert f'data-field="{field}"' in r.text, field
    assert 'value="石某"' in r.text and "short" not in r.text


def test_disabling_through_the_page(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    clerk = make_user("shi", "clerk")
    csrf = sign_in(client, app, admin)
    r = client.post(
        f"/admin/users/{clerk.id}",
        data={"csrf_token": csrf, "display_name": "石某", "roles": ["clerk"], "competences": ""},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert client.get("/api/v1/me", headers=bearer(clerk)).status_code == 401
    own = client.post(
        f"/admin/users/{admin.id}",
        data={"csrf_token": csrf, "display_name": "管理员", "roles": ["clerk"], "is_active": "on"},
    )
    assert own.status_code == 422 and "管理员角色" in own.text


def test_rules_page_marks_drafts_and_confirms(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
    page = client.get("/admin/deadline-rules")
    assert page.text.count("草稿，未确认") == 3
    rule_id = re.search(r"/admin/deadline-rules/(\d+)/confirm", page.text).group(1)  # type: ignore[union-attr]
    client.post(f"/admin/deadline-rules/{rule_id}/confirm", data={"csrf_token": csrf})
    assert client.get("/admin/deadline-rules").text.count("草稿，未确认") == 2


def test_audit_page_shows_a_broken_chain(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any, db: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead)
    sign_in(client, app, admin)
    assert "哈希链完整" in client.get("/admin/audit", params={"verify": 1}).text
    db.execute(text("UPDATE audit_entries SET object_id = '999' WHERE seq = 3"))
    db.commit()
    page = client.get("/admin/audit", params={"verify": 1})
    assert "哈希链在第 3 条处断裂" in page.text


def test_token_page_shows_the_token_once(app: FastAPI, client: TestClient, make_user: Any) -> None:
    clerk = make_user("shi", "clerk")
    csrf = sign_in(client, app, clerk)
    created = client.post(
        "/account/tokens", data={"csrf_token": csrf, "name": "导出脚本", "expires_in_days": "30"}
    )
    raw = re.search(r'data-testid="new-token">([^<]+)<', created.text).group(1)  # type: ignore[union-attr]
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert raw not in client.get("/account").text


def test_dashboard_lists_due_deadlines_of_my_cases(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    from datetime import date, timedelta

    lead = make_user("lead", "prosecutor")
    other = make_user("other", "prosecutor")
    mine = new_case(client, lead, "M-1")
    theirs = new_case(client, other, "T-1")
    start = (date.today() - timedelta(days=3)).isoformat()
    for case, who in ((mine, lead), (theirs, other)):
        client.post(
            f"/api/v1/cases/{case['id']}/deadlines",
            headers=bearer(who),
            json={"rule_code": "arrest_review", "starts_on": start},
        )
    sign_in(client, app, lead)
    page = client.get("/").text
    assert "M-1" in page and "T-1" not in page and "规则未确认" in page
