"""Page forms that change one part of a case: details, parties, interviews, deadlines and
files (staff and interpreters: `pages_case_interpreters`, included here). Each re-renders
the case page with messages beside the fields."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_WRITE, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal
from interp_service.api.ids import Id
from interp_service.cases import deadlines, service
from interp_service.cases.schemas import (
    CaseUpdate,
    DeadlineCreate,
    InterviewCreate,
    InterviewStatusChange,
    PartyCreate,
)
from interp_service.errors import AppError, ValidationFailed
from interp_service.evidence import service as evidence
from interp_service.evidence.uploads import posted_form
from interp_service.interviews import service as interviews
from interp_service.users.service import actor_of
from interp_service.web.forms import blank_to_none, error_of, form_values, parse
from interp_service.web.pages_case_interpreters import router as interpreter_pages
from interp_service.web.pages_cases import case_page, submit

router = APIRouter(include_in_schema=False)
router.include_router(interpreter_pages)


@router.post("/cases/{case_id}/edit")
def edit_case(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = blank_to_none(form_values(posted), "closed_on")
    return submit(
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
def add_party(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    values["needs_interpreter"] = values.get("needs_interpreter") == "on"
    return submit(
        request,
        db,
        case_id,
        "parties",
        PartyCreate,
        lambda d: service.add_party(db, actor_of(me.user), case_id, d),
        values,
        "party",
    )


@router.post("/cases/{case_id}/interviews")
def add_interview(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data = dict(values)
    data["participants"] = [
        p.strip() for p in values.get("participants", "").split("\n") if p.strip()
    ]
    if values.get("scheduled_at"):
        data["scheduled_at"] = values["scheduled_at"] + values.get("tz", "+08:00")
    data.pop("tz", None)
    return submit(
        request,
        db,
        case_id,
        "interviews",
        InterviewCreate,
        lambda d: interviews.add_interview(db, actor_of(me.user), case_id, d),
        data,
        "interview",
        shown=values,
    )


@router.post("/cases/{case_id}/interviews/{interview_id}/status")
def change_interview_status(
    case_id: Id,
    interview_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    change, _ = parse(InterviewStatusChange, {"status": posted.get("status")})
    if change is None:
        raise ValidationFailed("无效的询问状态", field="status")
    interviews.set_interview_status(db, actor_of(me.user), case_id, interview_id, change.status)
    return RedirectResponse(f"/cases/{case_id}#interviews", status_code=303)


@router.post("/cases/{case_id}/deadlines")
def add_deadline(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data = blank_to_none(values, "rule_code", "due_on")
    data["extended"] = values.get("extended") == "on"
    return submit(
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
    case_id: Id,
    deadline_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    deadlines.complete_deadline(db, actor_of(me.user), case_id, deadline_id)
    return RedirectResponse(f"/cases/{case_id}#deadlines", status_code=303)


@router.post("/cases/{case_id}/evidence")
def upload_evidence(
    case_id: Id,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    description = str(posted.get("description") or "")
    try:
        upload = evidence.uploaded_file(posted)
        evidence.add_file(
            db,
            store,
            actor_of(me.user),
            case_id,
            source=upload.file,
            filename=upload.filename or "",
            description=description,
            max_bytes=settings.max_upload_bytes,
        )
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
