"""API routes for login, the caller's own account and tokens, and user administration."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request, Response

from interp_service.api.access import ADMIN, PUBLIC, SIGNED_IN, SIGNED_IN_BROWSER, require
from interp_service.api.deps import AppSettings, DbSession, Principal
from interp_service.api.ids import Id
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.users import repository as repo
from interp_service.users import service
from interp_service.users.cookies import clear_session_cookie, set_session_cookie
from interp_service.users.orm import User
from interp_service.users.schemas import (
    CompetenceOut,
    LoginIn,
    PasswordChange,
    TokenCreate,
    TokenCreated,
    TokenOut,
    UserCreate,
    UserOut,
    UserUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["accounts"])


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        roles=sorted(user.role_names),
        competences=[CompetenceOut.model_validate(c) for c in user.competences],
        is_active=user.is_active,
        locked_until=user.locked_until,
        created_at=user.created_at,
    )


@router.post("/auth/login")
def login(
    body: LoginIn,
    request: Request,
    response: Response,
    db: DbSession,
    settings: AppSettings,
    _: Principal | None = require(PUBLIC),
) -> dict[str, object]:
    """Open a browser session (cookie). Scripts should use API tokens instead."""
    try:
        user = service.authenticate(db, settings, body.username, body.password)
    finally:
        db.commit()  # failed attempts count even when the login is refused
    outcome = service.open_session(db, settings, user)
    set_session_cookie(response, request, settings, outcome.session_token)
    return {"user": user_out(user), "csrf_token": outcome.login_session.csrf_token}


@router.post("/auth/logout", status_code=204)
def logout(
    request: Request,
    response: Response,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> None:
    if me.login_session is not None:
        service.close_session(db, me.login_session)
    clear_session_cookie(response)


@router.get("/me")
def whoami(me: Principal = require(SIGNED_IN)) -> UserOut:
    return user_out(me.user)


@router.post("/me/password", status_code=204)
def change_password(
    body: PasswordChange,
    db: DbSession,
    me: Principal = require(SIGNED_IN_BROWSER),
) -> None:
    """Change your own password; your other sessions and all your API tokens end."""
    keep = me.login_session.id if me.login_session else None
    service.change_own_password(db, me.user, body, keep)


@router.get("/me/tokens")
def my_tokens(db: DbSession, me: Principal = require(SIGNED_IN)) -> list[TokenOut]:
    return [TokenOut.model_validate(t) for t in repo.list_tokens(db, me.user.id)]


@router.post("/me/tokens", status_code=201)
def create_token(
    body: TokenCreate,
    db: DbSession,
    me: Principal = require(SIGNED_IN_BROWSER),
) -> TokenCreated:
    """Create an API token; its value is in this answer only."""
    token, raw = service.create_api_token(db, me.user, body)
    return TokenCreated(**TokenOut.model_validate(token).model_dump(), token=raw)


@router.delete("/me/tokens/{token_id}", status_code=204)
def revoke_token(
    token_id: Id,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> None:
    service.revoke_api_token(db, me.user, token_id)


@router.get("/users")
def list_users(
    db: DbSession,
    q: str = Query("", max_length=64),
    role: str | None = None,
    active: bool | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(ADMIN),
) -> Page[UserOut]:
    rows, total = repo.list_users(
        db, q=q, role=role, active=active, offset=paging.offset, limit=paging.size
    )
    return Page.of([user_out(u) for u in rows], paging, total)


@router.post("/users", status_code=201)
def create_user(
    body: UserCreate,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> UserOut:
    user = service.create_user(db, service.actor_of(me.user), body)
    return user_out(user)


@router.get("/users/{user_id}")
def get_user(user_id: Id, db: DbSession, _: Principal = require(ADMIN)) -> UserOut:
    return user_out(service.get_user_or_404(db, user_id))


@router.patch("/users/{user_id}")
def update_user(
    user_id: Id,
    body: UserUpdate,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> UserOut:
    """Change a user; disabling one ends their sessions and tokens at once."""
    user = service.update_user(db, service.actor_of(me.user), user_id, body)
    return user_out(user)
