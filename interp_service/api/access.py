"""Access policies. Every route declares one through `require(policy)`; a test enforces it.

A policy says who may call a route: anyone (public), any signed-in user, users holding one
of some roles, or, for case data, users assigned to the case (admins always). Callers who
may not see a case get 404, as if it did not exist, so case numbers do not leak.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from interp_service.api.deps import DbSession, Principal, resolve_principal
from interp_service.api.ids import MAX_ID, parse_id
from interp_service.cases.access import require_visible_case
from interp_service.errors import (
    CsrfFailed,
    Forbidden,
    NotAuthenticated,
    ValidationFailed,
)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class AccessPolicy:
    """Who may call a route. `roles`: account roles (any of); `case_roles`: roles held on
    the case in the path (any of), for case-scoped policies; admins pass both."""

    name: str
    public: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    case_scoped: bool = False
    case_roles: frozenset[str] = field(default_factory=frozenset)
    session_only: bool = False
    denial: str = "您的角色无权进行此操作"


PUBLIC = AccessPolicy("public", public=True)
# LibreTranslate-compatible routes: clients send the API token as `api_key` in the body,
# so the route itself checks it (an unknown key gets LibreTranslate's 403).
API_KEY_IN_BODY = AccessPolicy("api-key-in-body", public=True)
SIGNED_IN = AccessPolicy("signed-in")
# Creating API tokens or changing the password needs a browser session, so a token cannot
# mint its own successor or take the account over.
SIGNED_IN_BROWSER = AccessPolicy(
    "signed-in-browser", session_only=True, denial="此操作只能在浏览器登录会话中进行"
)
ADMIN = AccessPolicy("admin", roles=frozenset({"admin"}))
CASE_CREATORS = AccessPolicy("case-creators", roles=frozenset({"prosecutor", "admin"}))
CASE_READ = AccessPolicy("case-member", case_scoped=True)
# Interpreters read the case they work on; only case staff change it.
CASE_WRITE = AccessPolicy(
    "case-editor",
    case_scoped=True,
    case_roles=frozenset({"lead_prosecutor", "assistant", "clerk"}),
    denial="您在本案中的角色无权修改案件信息",
)
# Case members may call it; the service lets interpreters act only on their own record.
CASE_MEMBER_SELF = AccessPolicy("case-member-self", case_scoped=True)
CASE_LEAD = AccessPolicy(
    "case-lead",
    case_scoped=True,
    case_roles=frozenset({"lead_prosecutor"}),
    denial="只有本案承办检察官或管理员可以进行此操作",
)


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        # The same limits as the routes' own form parsing (Starlette caches this form).
        form = await request.form(max_files=1, max_fields=100)
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent.encode(), principal.csrf_token.encode()):
        raise CsrfFailed("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def _authorise(request: Request, db: Session, policy: AccessPolicy, principal: Principal) -> None:
    """Raise unless the principal passes `policy`; records the caller's roles on the case."""
    user = principal.user
    if policy.session_only and principal.via != "session":
        raise Forbidden(policy.denial)
    if policy.case_scoped:
        held = require_visible_case(db, user, _case_id(request))
        principal.case_roles = held
        if principal.is_admin:
            return
        if policy.case_roles and not held & policy.case_roles:
            raise Forbidden(policy.denial)
    if policy.roles and not user.has_role(*policy.roles):
        raise Forbidden(policy.denial)


def require(policy: AccessPolicy) -> Any:
    """A FastAPI dependency enforcing `policy`; it returns the Principal (None if public).

    The caller is identified before any form body is read, so an anonymous request
    never gets its upload parsed. Database work runs off the event loop.
    """

    async def enforce(request: Request, db: DbSession) -> Principal | None:
        principal = await run_in_threadpool(resolve_principal, request, db)
        if policy.public:
            return principal
        if principal is None:
            raise NotAuthenticated("请先登录")
        await _check_csrf(request, principal)
        request.state.principal = principal
        await run_in_threadpool(_authorise, request, db, policy, principal)
        return principal

    enforce.access_policy = policy  # type: ignore[attr-defined]
    return Depends(enforce)


def _case_id(request: Request) -> int:
    # The policy runs before the path is validated: an id no table can hold is refused
    # here as validation would refuse it (422), before it reaches the database.
    case_id = parse_id(request.path_params.get("case_id"))
    if case_id is None:
        raise ValidationFailed(f"须为 1 到 {MAX_ID} 之间的整数", field="case_id")
    return case_id


def policy_of(call: Callable[..., Awaitable[Any]] | Callable[..., Any]) -> AccessPolicy | None:
    return getattr(call, "access_policy", None)
