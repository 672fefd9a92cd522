"""Login, cookies, CSRF, API tokens, throttling and disabling accounts."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from interp_service.users.cookies import SESSION_COOKIE
from interp_service.users.orm import ApiToken, User
from tests.conftest import ADMIN_PASSWORD, PASSWORD, Account, bearer, browser_session


def _login(client: TestClient, username: str, password: str, **headers: str) -> Any:
    return client.post(
        "/api/v1/auth/login", json={"username": username, "password": password}, headers=headers
    )


def test_login_sets_a_strict_httponly_cookie(client: TestClient) -> None:
    r = _login(client, "admin", ADMIN_PASSWORD)
    assert r.status_code == 200
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback
    me = client.get("/api/v1/me")
    assert me.json()["username"] == "admin"


def test_cookie_is_secure_behind_https(client: TestClient) -> None:
    r = _login(client, "admin", ADMIN_PASSWORD, **{"X-Forwarded-Proto": "https"})
    assert "Secure" in r.headers["set-cookie"]


def test_passwords_are_stored_as_argon2(db: Any) -> None:
    user = db.scalar(select(User).where(User.username == "admin"))
    assert user.password_hash.startswith("$argon2id$")
    assert ADMIN_PASSWORD not in user.password_hash


def test_cookie_requests_that_change_data_need_the_csrf_token(client: TestClient) -> None:
    csrf = _login(client, "admin", ADMIN_PASSWORD).json()["csrf_token"]
    body = {"name": "script"}
    refused = client.post("/api/v1/me/tokens", json=body)
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/csrf")
    wrong = client.post("/api/v1/me/tokens", json=body, headers={"X-CSRF-Token": "x" * 32})
    assert wrong.status_code == 403
    ok = client.post("/api/v1/me/tokens", json=body, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 201


def test_page_forms_without_csrf_are_refused(client: TestClient) -> None:
    _login(client, "admin", ADMIN_PASSWORD)
    r = client.post(
        "/cases/new", data={"case_number": "X-1", "title": "t", "opened_on": "2026-11-01"}
    )
    assert r.status_code == 403
    assert "CSRF" in r.text
    listed = client.get("/api/v1/cases").json()
    assert listed["total"] == 0


def test_api_token_is_shown_once_stored_hashed_and_revocable(
    app: FastAPI, client: TestClient, admin: Account, db: Any
) -> None:
    cookies, csrf = browser_session(app, admin)
    client.cookies.update(cookies)
    created = client.post(
        "/api/v1/me/tokens", json={"name": "nightly", "expires_in_days": 5}, headers=csrf
    )
    client.cookies.clear()
    assert created.status_code == 201
    raw = created.json()["token"]
    stored = db.scalar(select(ApiToken).where(ApiToken.name == "nightly"))
    assert stored.token_hash != raw and raw not in stored.token_hash
    listed = client.get("/api/v1/me/tokens", headers=bearer(admin)).json()
    assert all("token" not in t for t in listed)
    auth = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/me", headers=auth).status_code == 200
    token_id = created.json()["id"]
    assert client.delete(f"/api/v1/me/tokens/{token_id}", headers=auth).status_code == 204
    assert client.get("/api/v1/me", headers=auth).status_code == 401


def test_expired_token_is_refused(client: TestClient, admin: Account, db: Any) -> None:
    from datetime import timedelta

    from interp_service.db.base import utcnow

    token = db.scalar(select(ApiToken).where(ApiToken.user_id == admin.id))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.commit()
    r = client.get("/api/v1/me", headers=bearer(admin))
    assert r.status_code == 401
    assert r.headers["content-type"] == "application/problem+json"


def test_token_use_is_recorded_at_most_once_a_minute(
    client: TestClient, admin: Account, db: Any
) -> None:
    from datetime import timedelta

    from interp_service.db.base import utcnow

    def last_used() -> Any:
        db.expire_all()
        return db.scalar(select(ApiToken).where(ApiToken.user_id == admin.id)).last_used_at

    assert client.get("/api/v1/me", headers=bearer(admin)).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/v1/me", headers=bearer(admin)).status_code == 200
    assert last_used() == first  # a second call within the minute writes nothing

    token = db.scalar(select(ApiToken).where(ApiToken.user_id == admin.id))
    token.last_used_at = utcnow() - timedelta(minutes=2)
    db.commit()
    assert client.get("/api/v1/me", headers=bearer(admin)).status_code == 200
    assert last_used() > utcnow() - timedelta(minutes=1)


def test_failed_logins_slow_down_then_lock(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    make_user("wu", "clerk")
    settings = app.state.services.settings
    for _ in range(settings.login_backoff_after):
        assert _login(client, "wu", "wrong-password").status_code == 401
    # The next attempt comes too soon, even with the right password.
    slowed = _login(client, "wu", PASSWORD)
    assert slowed.status_code == 429
    assert int(slowed.headers["Retry-After"]) > 0


def test_account_locks_after_repeated_failures(
    app: FastAPI, client: TestClient, make_user: Any, admin: Account
) -> None:
    app.state.services.settings.login_backoff_base_s = 0.0
    make_user("yang", "clerk")
    for _ in range(app.state.services.settings.login_lock_after):
        assert _login(client, "yang", "wrong-password").status_code == 401
    locked = _login(client, "yang", PASSWORD)
    assert locked.status_code == 423
    assert "锁定" in locked.json()["detail"]
    user = client.get("/api/v1/users", params={"q": "yang"}, headers=bearer(admin)).json()
    uid = user["items"][0]["id"]
    client.patch(f"/api/v1/users/{uid}", json={"unlock": True}, headers=bearer(admin))
    assert _login(client, "yang", PASSWORD).status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(client: TestClient) -> None:
    a = _login(client, "nobody", "whatever-password")
    b = _login(client, "admin", "wrong-password")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_disabling_a_user_ends_sessions_and_tokens_at_once(
    app: FastAPI, client: TestClient, make_user: Any, admin: Account
) -> None:
    clerk = make_user("shi", "clerk")
    browser = TestClient(app)
    assert _login(browser, "shi", PASSWORD).status_code == 200
    assert browser.get("/api/v1/me").status_code == 200
    assert client.get("/api/v1/me", headers=bearer(clerk)).status_code == 200
    r = client.patch(f"/api/v1/users/{clerk.id}", json={"is_active": False}, headers=bearer(admin))
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(clerk)).status_code == 401
    assert _login(browser, "shi", PASSWORD).status_code == 401


def test_admin_creates_and_changes_users(client: TestClient, admin: Account) -> None:
    body = {
        "username": "long",
        "display_name": "龙检察官",
        "password": "long-enough-pw",
        "roles": ["prosecutor", "clerk"],
        "competences": [{"language": "mmr", "variety": "花垣", "level": "native"}],
    }
    r = client.post("/api/v1/users", json=body, headers=bearer(admin))
    assert r.status_code == 201, r.text
    user = r.json()
    assert user["roles"] == ["clerk", "prosecutor"]
    assert user["competences"][0] == {"language": "mmr", "variety": "花垣", "level": "native"}
    dup = client.post("/api/v1/users", json=body, headers=bearer(admin))
    assert dup.status_code == 409 and dup.json()["errors"][0]["field"] == "username"
    bad = client.post(
        "/api/v1/users", json={**body, "username": "x2", "roles": ["judge"]}, headers=bearer(admin)
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"].startswith("roles")
    changed = client.patch(
        f"/api/v1/users/{user['id']}", json={"roles": ["clerk"]}, headers=bearer(admin)
    )
    assert changed.json()["roles"] == ["clerk"]


def test_first_admin_gets_a_random_password_when_none_is_configured(tmp_path: Any) -> None:
    from interp_service.config import Settings
    from interp_service.db.migrate import initialise

    first = initialise(Settings(data_dir=tmp_path / "a"))
    second = initialise(Settings(data_dir=tmp_path / "b"))
    assert first and second and first != second and len(first) >= 16
    assert initialise(Settings(data_dir=tmp_path / "a")) is None  # printed once only


def test_a_token_cannot_create_tokens(client: TestClient, admin: Account) -> None:
    r = client.post("/api/v1/me/tokens", json={"name": "successor"}, headers=bearer(admin))
    assert r.status_code == 403
    assert "浏览器" in r.json()["detail"]


def test_parallel_guesses_each_count(app: FastAPI, make_user: Any, db: Any) -> None:
    """Concurrent wrong passwords must not overwrite each other's failure count."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    app.state.services.settings.login_backoff_base_s = 0.0
    app.state.services.settings.login_lock_after = 100
    account = make_user("ma", "clerk")
    guesses = 6
    barrier = Barrier(guesses)

    def guess(n: int) -> int:
        with TestClient(app) as c:
            barrier.wait(timeout=30)
            return _login(c, "ma", f"wrong-{n}").status_code

    with ThreadPoolExecutor(guesses) as pool:
        statuses = list(pool.map(guess, range(guesses)))
    assert statuses == [401] * guesses
    user = db.get(User, account.id)
    db.refresh(user)
    assert user.failed_logins == guesses


def test_own_password_change_ends_other_sessions_and_tokens(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    clerk = make_user("pan", "clerk")
    other_browser = TestClient(app)
    assert _login(other_browser, "pan", PASSWORD).status_code == 200
    assert (
        client.post(
            "/api/v1/me/password",
            headers=bearer(clerk),
            json={"current_password": PASSWORD, "new_password": "a-new-password-1"},
        ).status_code
        == 403
    )
    cookies, csrf = browser_session(app, clerk)
    client.cookies.update(cookies)
    token = csrf["X-CSRF-Token"]
    wrong = client.post(
        "/account/password",
        data={
            "csrf_token": token,
            "current_password": "not-it",
            "new_password": "a-new-password-1",
        },
    )
    assert wrong.status_code == 422 and 'data-field="current_password"' in wrong.text
    ok = client.post(
        "/account/password",
        follow_redirects=False,
        data={
            "csrf_token": token,
            "current_password": PASSWORD,
            "new_password": "a-new-password-1",
        },
    )
    assert ok.status_code == 303
    assert client.get("/api/v1/me").status_code == 200  # this session goes on
    client.cookies.clear()
    assert other_browser.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers=bearer(clerk)).status_code == 401
    assert _login(client, "pan", "a-new-password-1").status_code == 200
