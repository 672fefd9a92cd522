"""Pages of the case register: list, new case, case page and its forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import (
    CASE_CREATORS,
    CASE_LEAD,
    CASE_READ,
    CASE_WRITE,
    SIGNED_IN,
    require,
)
from interp_service.api.deps import DbSession, Principal
from interp_service.api.ids import Id
from interp_service.cases import repository as repo
from interp_service.cases import service
from interp_service.cases.schemas import (
    STAGES,
    CaseCreate,
)
from interp_service.errors import AppError
from interp_service.evidence import repository as evidence_repo
from interp_service.evidence.uploads import posted_form
from interp_service.users import repository as users_repo
from interp_service.users.service import actor_of
from interp_service.web.forms import FormErrors, blank_to_none, error_of, form_values, parse
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/cases")
def case_list(
    request: Request,
    db: DbSession,
    q: str = Query("", max_length=100),
    status: str = "",
    stage: str = "",
    language: str = "",
    page: int = Query(1, ge=1, le=1_000_000),
    me: Principal = require(SIGNED_IN),
) -> Response:
    rows, total = repo.search_cases(
        db,
        visible_to=None if me.is_admin else me.user.id,
        q=q,
        status=status or None,
        stage=stage or None,
        language=language or None,
        offset=(page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    pages = max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE)
    return render(
        request,
        "cases.html",
        cases=rows,
        total=total,
        page=page,
        pages=pages,
        filters={"q": q, "status": status, "stage": stage, "language": language},
        stages=STAGES,
    )


@router.get("/cases/new")
def new_case_form(request: Request, _: Principal = require(CASE_CREATORS)) -> Response:
    return render(
        request,
        "case_new.html",
        stages=STAGES,
        values={"opened_on": date.today().isoformat(), "status": "open"},
    )


@router.post("/cases/new")
def new_case_submit(
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_CREATORS),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data, errors = parse(CaseCreate, blank_to_none(values, "closed_on"))
    if data is not None:
        try:
            lead = me.user.id if me.user.has_role("prosecutor") else None
            case = service.create_case(db, actor_of(me.user), data, lead=lead)
            return RedirectResponse(f"/cases/{case.id}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    return render(request, "case_new.html", 422, stages=STAGES, errors=errors, values=values)


def case_page(
    request: Request,
    db: Session,
    case_id: int,
    *,
    status: int = 200,
    form: str = "",
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    notice: str = "",
) -> Response:
    detail = service.case_detail(db, case_id)
    principal: Principal = request.state.principal
    held = principal.case_roles
    can_edit = principal.is_admin or bool(held & CASE_WRITE.case_roles)
    can_assign = principal.is_admin or bool(held & CASE_LEAD.case_roles)
    # Only those who assign staff see the staff directory.
    users = users_repo.list_users(db, active=True, limit=500)[0] if can_assign else []
    return render(
        request,
        "case.html",
        status=status,
        case=detail,
        can_edit=can_edit,
        can_assign=can_assign,
        stages=STAGES,
        parties={p.id: p for p in detail.parties},
        users=users,
        rules=repo.rules(db),
        files=evidence_repo.files_of_case(db, case_id),
        form=form,
        errors=errors or {},
        values=values or {},
        notice=notice,
        today=date.today().isoformat(),
    )


@router.get("/cases/{case_id}")
def case_view(
    case_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> Response:
    return case_page(request, db, case_id)


def submit(
    request: Request,
    db: Session,
    case_id: int,
    form: str,
    model: Any,
    action: Any,
    values: dict[str, Any],
    done: str,
    shown: dict[str, Any] | None = None,
) -> Response:
    """Validate, run the service action and commit, or re-render with messages and input."""
    data, errors = parse(model, values)
    if data is not None:
        try:
            action(data)
            return RedirectResponse(f"/cases/{case_id}?notice={done}#{form}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    raw = shown if shown is not None else {k: v for k, v in values.items() if isinstance(v, str)}
    return case_page(request, db, case_id, status=422, form=form, errors=errors, values=raw)
