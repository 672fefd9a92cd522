"""Pages: login, logout, dashboard, and the user's own API tokens."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import PUBLIC, SIGNED_IN, SIGNED_IN_BROWSER, require
from interp_service.api.deps import AppSettings, DbSession, Principal
from interp_service.api.ids import Id
from interp_service.cases import deadlines
from interp_service.cases import repository as cases_repo
from interp_service.config import Settings
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.users import repository as users_repo
from interp_service.users import service as users
from interp_service.users.cookies import clear_session_cookie, is_https, set_session_cookie
from interp_service.users.schemas import PasswordChange, TokenCreate
from interp_service.users.security import new_secret
from interp_service.web.forms import error_of, form_values, parse
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF_COOKIE = "interp_login_csrf"


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def _login_page(request: Request, settings: Settings, status: int = 200, **ctx: Any) -> Response:
    token = new_secret(24)
    posted_next = ctx.pop("next", None)
    target = _safe_next(posted_next or request.query_params.get("next"))
    response = render(request, "login.html", status=status, login_csrf=token, next=target, **ctx)
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=is_https(request, settings),
        path="/login",
        max_age=3600,
    )
    return response


@router.get("/login")
def login_form(
    request: Request,
    settings: AppSettings,
    _: Principal | None = require(PUBLIC),
) -> Response:
    return _login_page(request, settings)


@router.post("/login")
def login_submit(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    _: Principal | None = require(PUBLIC),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = {k: v for k, v in posted.items() if isinstance(v, str)}
    sent, expected = values.get("csrf_token", ""), request.cookies.get(LOGIN_CSRF_COOKIE, "")
    username = values.get("username", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        return _login_page(
            request,
            settings,
            403,
            error="登录表单已过期，请重新输入",
            username=username,
            next=values.get("next"),
        )
    try:
        user = users.authenticate(db, settings, username, values.get("password", ""))
    except AppError as exc:
        # The failed attempt is counted: the session commits when the page is returned.
        return _login_page(
            request,
            settings,
            exc.status,
            error=exc.detail,
            username=username,
            next=values.get("next"),
        )
    outcome = users.open_session(db, settings, user)
    response = RedirectResponse(_safe_next(values.get("next")), status_code=303)
    set_session_cookie(response, request, settings, outcome.session_token)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
def logout(db: DbSession, me: Principal = require(SIGNED_IN)) -> Response:
    if me.login_session is not None:
        users.close_session(db, me.login_session)
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


@router.get("/", response_class=HTMLResponse)
def dashboard(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(SIGNED_IN),
) -> Response:
    my_cases, total = cases_repo.search_cases(db, visible_to=me.user.id, status="open", limit=10)
    due = deadlines.due_soon(db, me.user.id, settings.due_soon_days)
    return render(
        request,
        "dashboard.html",
        cases=my_cases,
        total_cases=total,
        due=due,
        due_days=settings.due_soon_days,
    )


@router.get("/account")
def account(
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> Response:
    return render(request, "account.html", tokens=users_repo.list_tokens(db, me.user.id))


@router.post("/account/tokens")
def create_token(
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN_BROWSER),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data, errors = parse(TokenCreate, values)
    if data is None:
        return render(
            request,
            "account.html",
            422,
            tokens=users_repo.list_tokens(db, me.user.id),
            errors=errors,
            values=values,
        )
    token, raw = users.create_api_token(db, me.user, data)
    return render(
        request,
        "account.html",
        201,
        tokens=users_repo.list_tokens(db, me.user.id),
        new_token=raw,
        new_token_name=token.name,
    )


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    token_id: Id,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> Response:
    users.revoke_api_token(db, me.user, token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN_BROWSER),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data, errors = parse(PasswordChange, values)
    if data is not None:
        try:
            keep = me.login_session.id if me.login_session else None
            users.change_own_password(db, me.user, data, keep)
            return RedirectResponse("/account?password=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    return render(
        request,
        "account.html",
        422,
        tokens=users_repo.list_tokens(db, me.user.id),
        password_errors=errors,
    )
