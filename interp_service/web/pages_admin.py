"""Admin pages: users, the audit trail, deadline rules."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, require
from interp_service.api.deps import DbSession, Principal
from interp_service.api.ids import Id, parse_id
from interp_service.audit import chain
from interp_service.audit import repository as audit_repo
from interp_service.cases import deadlines
from interp_service.cases import repository as cases_repo
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.users import repository as users_repo
from interp_service.users import service as users
from interp_service.users.schemas import UserCreate, UserUpdate
from interp_service.web.forms import error_of, parse
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50


def _competences(text: str) -> list[dict[str, str]]:
    """Parse lines like `mmr 花垣 native` (language, optional variety, optional level)."""
    out = []
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        level = (
            parts[-1] if len(parts) > 1 and parts[-1] in ("native", "fluent", "working") else None
        )
        variety = " ".join(parts[1:-1] if level else parts[1:])
        item = {"language": parts[0], "variety": variety}
        if level:
            item["level"] = level
        out.append(item)
    return out


def _user_form(form: FormData) -> tuple[dict[str, Any], dict[str, Any]]:
    shown: dict[str, Any] = {
        k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"
    }
    shown["roles"] = [r for r in form.getlist("roles") if isinstance(r, str)]
    data: dict[str, Any] = {
        "display_name": shown.get("display_name", ""),
        "roles": [r for r in form.getlist("roles") if isinstance(r, str)],
        "competences": _competences(str(shown.get("competences", ""))),
    }
    return shown, data


def _users_page(request: Request, db: Session, status: int = 200, **ctx: Any) -> Response:
    q = request.query_params.get("q", "")
    page = parse_id(request.query_params.get("page")) or 1
    rows, total = users_repo.list_users(db, q=q, offset=(page - 1) * PAGE_SIZE, limit=PAGE_SIZE)
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "users.html",
        status=status,
        users=rows,
        total=total,
        q=q,
        page=page,
        pages=pages,
        **ctx,
    )


@router.get("/admin/users")
def users_page(
    request: Request,
    db: DbSession,
    _: Principal = require(ADMIN),
) -> Response:
    return _users_page(request, db, values={"roles": []})


@router.post("/admin/users")
def create_user(
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    shown, data = _user_form(posted)
    data.update(username=shown.get("username", ""), password=shown.get("password", ""))
    parsed, errors = parse(UserCreate, data)
    if parsed is not None:
        try:
            user = users.create_user(db, users.actor_of(me.user), parsed)
            return RedirectResponse(f"/admin/users?created={user.username}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    shown.pop("password", None)
    return _users_page(request, db, 422, errors=errors, values=shown)


@router.get("/admin/users/{user_id}")
def edit_user_page(
    user_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(ADMIN),
) -> Response:
    user = users.get_user_or_404(db, user_id)
    return render(request, "user_edit.html", user=user, values=_values_of(user))


def _values_of(user: Any) -> dict[str, Any]:
    return {
        "display_name": user.display_name,
        "roles": sorted(user.role_names),
        "competences": "\n".join(
            f"{c.language} {c.variety} {c.level}".replace("  ", " ") for c in user.competences
        ),
        "is_active": "on" if user.is_active else "",
    }


@router.post("/admin/users/{user_id}")
def edit_user(
    user_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    user = users.get_user_or_404(db, user_id)
    shown, data = _user_form(posted)
    data["is_active"] = shown.get("is_active") == "on"
    data["unlock"] = shown.get("unlock") == "on"
    if shown.get("password"):
        data["password"] = shown["password"]
    parsed, errors = parse(UserUpdate, data)
    if parsed is not None:
        try:
            users.update_user(db, users.actor_of(me.user), user_id, parsed)
            return RedirectResponse(f"/admin/users/{user_id}?saved=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    shown.pop("password", None)
    return render(request, "user_edit.html", 422, user=user, errors=errors, values=shown)


@router.get("/admin/audit")
def audit_page(
    request: Request,
    db: DbSession,
    actor: str = "",
    action: str = "",
    case_id: str = "",
    page: int = Query(1, ge=1, le=1_000_000),
    verify: bool = False,
    _: Principal = require(ADMIN),
) -> Response:
    case_filter = parse_id(case_id)
    rows, total = audit_repo.search(
        db,
        actor=actor or None,
        action=action or None,
        case_id=case_filter,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    result = chain.verify(db) if verify else None
    return render(
        request,
        "audit.html",
        entries=rows,
        total=total,
        page=page,
        pages=pages,
        filters={"actor": actor, "action": action, "case_id": case_id},
        result=result,
    )


@router.get("/admin/deadline-rules")
def rules_page(
    request: Request,
    db: DbSession,
    _: Principal = require(ADMIN),
) -> Response:
    return render(request, "rules.html", rules=cases_repo.rules(db))


@router.post("/admin/deadline-rules/{rule_id}/confirm")
def confirm_rule(
    rule_id: Id,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> Response:
    deadlines.confirm_rule(db, users.actor_of(me.user), rule_id)
    return RedirectResponse("/admin/deadline-rules", status_code=303)
