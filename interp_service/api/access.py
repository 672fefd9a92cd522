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
from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.api.deps import Principal, get_db, resolve_principal
from interp_service.cases.orm import Assignment, Case
from interp_service.errors import CsrfFailed, Forbidden, NotAuthenticated, NotFound

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class AccessPolicy:
    name: str
    public: bool = False
    roles: frozenset[str] = field(default_factory=frozenset)
    case_scoped: bool = False
    case_roles: frozenset[str] = field(default_factory=frozenset)


PUBLIC = AccessPolicy("public", public=True)
SIGNED_IN = AccessPolicy("signed-in")
ADMIN = AccessPolicy("admin", roles=frozenset({"admin"}))
CASE_CREATORS = AccessPolicy("case-creators", roles=frozenset({"prosecutor", "admin"}))
CASE_READ = AccessPolicy("case-member", case_scoped=True)
CASE_WRITE = AccessPolicy(
    "case-editor", case_scoped=True, roles=frozenset({"prosecutor", "clerk", "admin"})
)
CASE_LEAD = AccessPolicy(
    "case-lead",
    case_scoped=True,
    roles=frozenset({"prosecutor", "admin"}),
    case_roles=frozenset({"lead_prosecutor"}),
)


def case_roles_of(db: Session, case_id: int, user_id: int) -> set[str]:
    """Active roles a user holds on a case (empty when not assigned)."""
    rows = db.scalars(
        select(Assignment.role_on_case).where(
            Assignment.case_id == case_id,
            Assignment.user_id == user_id,
            Assignment.state == "active",
        )
    ).all()
    return set(rows)


async def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session":
        return
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, principal.csrf_token):
        raise CsrfFailed("表单已过期或来源不明（CSRF 校验失败），请刷新页面后重试")


def require(policy: AccessPolicy) -> Any:
    """A FastAPI dependency enforcing `policy`; it returns the Principal (None if public)."""

    async def enforce(request: Request, db: Session = Depends(get_db)) -> Principal | None:
        principal = resolve_principal(request, db)
        if policy.public:
            return principal
        if principal is None:
            raise NotAuthenticated("请先登录")
        await _check_csrf(request, principal)
        request.state.principal = principal
        user = principal.user
        if policy.case_scoped:
            case_id = _case_id(request)
            if db.get(Case, case_id) is None:
                raise NotFound("案件不存在")
            if principal.is_admin:
                return principal
            held = case_roles_of(db, case_id, user.id)
            if not held:
                raise NotFound("案件不存在")
            if policy.roles and not user.has_role(*policy.roles):
                raise Forbidden("您的角色无权进行此操作")
            if policy.case_roles and not held & policy.case_roles:
                raise Forbidden("只有本案承办检察官或管理员可以进行此操作")
            return principal
        if policy.roles and not user.has_role(*policy.roles):
            raise Forbidden("您的角色无权进行此操作")
        return principal

    enforce.access_policy = policy  # type: ignore[attr-defined]
    return Depends(enforce)


def _case_id(request: Request) -> int:
    raw = request.path_params.get("case_id")
    try:
        return int(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise NotFound("案件不存在") from None


def policy_of(call: Callable[..., Awaitable[Any]] | Callable[..., Any]) -> AccessPolicy | None:
    return getattr(call, "access_policy", None)
