"""Pages of the case register: list, new case, case page and its forms."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from interp_service.api.access import (
    CASE_CREATORS,
    CASE_LEAD,
    CASE_READ,
    CASE_WRITE,
    SIGNED_IN,
    require,
)
from interp_service.api.deps import Principal, get_db, get_settings
from interp_service.cases import assignments, deadlines, service
from interp_service.cases import repository as repo
from interp_service.cases.schemas import (
    STAGES,
    AssignmentCreate,
    CaseCreate,
    CaseUpdate,
    DeadlineCreate,
    InterviewCreate,
    PartyCreate,
)
from interp_service.config import Settings
from interp_service.errors import AppError
from interp_service.evidence import repository as evidence_repo
from interp_service.evidence import service as evidence
from interp_service.evidence.routes import get_store
from interp_service.evidence.store import EvidenceStore
from interp_service.users import repository as users_repo
from interp_service.users.service import actor_of
from interp_service.web.forms import FormErrors, blank_to_none, error_of, form_values, parse
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/cases")
def case_list(
    request: Request,
    q: str = Query("", max_length=100),
    status: str = "",
    stage: str = "",
    language: str = "",
    page: int = Query(1, ge=1),
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
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
async def new_case_submit(
    request: Request, me: Principal = require(CASE_CREATORS), db: Session = Depends(get_db)
) -> Response:
    values = await form_values(request)
    data, errors = parse(CaseCreate, blank_to_none(values, "closed_on"))
    if data is not None:
        try:
            lead = me.user.id if me.user.has_role("prosecutor") else None
            case = service.create_case(db, actor_of(me.user), data, lead=lead)
            db.commit()
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
    users, _ = users_repo.list_users(db, active=True, limit=500)
    return render(
        request,
        "case.html",
        status=status,
        case=detail,
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
    case_id: int, request: Request, _: Principal = require(CASE_READ), db: Session = Depends(get_db)
) -> Response:
    return case_page(request, db, case_id)


async def _submit(
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
            db.commit()
            return RedirectResponse(f"/cases/{case_id}?notice={done}#{form}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    raw = shown if shown is not None else {k: v for k, v in values.items() if isinstance(v, str)}
    return case_page(request, db, case_id, status=422, form=form, errors=errors, values=raw)


@router.post("/cases/{case_id}/edit")
async def edit_case(
    case_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    values = blank_to_none(await form_values(request), "closed_on")
    return await _submit(
        request,
        db,
        case_id,
        "edit",
        CaseUpdate,
        lambda d: service.update_case(db, actor_of(me.user), case_id, d),
        values,
        "saved",
    )


@router.post("/cases/{case_id}/parties")
async def add_party(
    case_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    values = await form_values(request)
    values["needs_interpreter"] = values.get("needs_interpreter") == "on"
    return await _submit(
        request,
        db,
        case_id,
        "parties",
        PartyCreate,
        lambda d: service.add_party(db, actor_of(me.user), case_id, d),
        values,
        "party",
    )


@router.post("/cases/{case_id}/assignments")
async def add_assignment(
    case_id: int,
    request: Request,
    me: Principal = require(CASE_LEAD),
    db: Session = Depends(get_db),
) -> Response:
    values = await form_values(request)
    data: dict[str, Any] = {
        "user_id": values.get("user_id") or None,
        "role_on_case": values.get("role_on_case"),
    }
    if values.get("role_on_case") == "interpreter" and values.get("has_conflict") in ("yes", "no"):
        data["declaration"] = {
            "has_conflict": values["has_conflict"] == "yes",
            "statement": values.get("statement", ""),
        }
    return await _submit(
        request,
        db,
        case_id,
        "assignments",
        AssignmentCreate,
        lambda d: assignments.assign(db, actor_of(me.user), case_id, d),
        data,
        "assigned",
        shown=values,
    )


@router.post("/cases/{case_id}/assignments/{assignment_id}/end")
def end_assignment(
    case_id: int,
    assignment_id: int,
    me: Principal = require(CASE_LEAD),
    db: Session = Depends(get_db),
) -> Response:
    assignments.end_assignment(db, actor_of(me.user), case_id, assignment_id)
    db.commit()
    return RedirectResponse(f"/cases/{case_id}#assignments", status_code=303)


@router.post("/cases/{case_id}/interviews")
async def add_interview(
    case_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    values = await form_values(request)
    data = dict(values)
    data["participants"] = [
        p.strip() for p in values.get("participants", "").split("\n") if p.strip()
    ]
    if values.get("scheduled_at"):
        data["scheduled_at"] = values["scheduled_at"] + values.get("tz", "+08:00")
    data.pop("tz", None)
    return await _submit(
        request,
        db,
        case_id,
        "interviews",
        InterviewCreate,
        lambda d: service.add_interview(db, actor_of(me.user), case_id, d),
        data,
        "interview",
        shown=values,
    )


@router.post("/cases/{case_id}/deadlines")
async def add_deadline(
    case_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    values = await form_values(request)
    data = blank_to_none(values, "rule_code", "due_on")
    data["extended"] = values.get("extended") == "on"
    return await _submit(
        request,
        db,
        case_id,
        "deadlines",
        DeadlineCreate,
        lambda d: deadlines.add_deadline(db, actor_of(me.user), case_id, d),
        data,
        "deadline",
    )


@router.post("/cases/{case_id}/deadlines/{deadline_id}/complete")
def complete_deadline(
    case_id: int,
    deadline_id: int,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    deadlines.complete_deadline(db, actor_of(me.user), case_id, deadline_id)
    db.commit()
    return RedirectResponse(f"/cases/{case_id}#deadlines", status_code=303)


@router.post("/cases/{case_id}/evidence")
def upload_evidence(
    case_id: int,
    request: Request,
    file: UploadFile = File(...),
    description: str = Form(""),
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
    store: EvidenceStore = Depends(get_store),
    settings: Settings = Depends(get_settings),
) -> Response:
    try:
        evidence.add_file(
            db,
            store,
            actor_of(me.user),
            case_id,
            source=file.file,
            filename=file.filename or "",
            description=description,
            max_bytes=settings.max_upload_bytes,
        )
        db.commit()
    except AppError as exc:
        db.rollback()
        return case_page(
            request,
            db,
            case_id,
            status=exc.status,
            form="evidence",
            errors=error_of(exc),
            values={"description": description},
        )
    return RedirectResponse(f"/cases/{case_id}?notice=file#evidence", status_code=303)
