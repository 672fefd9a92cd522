"""Page forms for the people on a case: assigning staff and interpreters, the interpreter's
own conflict-of-interest declaration, and external interpreters (no login) whose signed
declaration case staff record on their behalf. Errors re-render the case page with the
message beside the field and the input kept."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_LEAD, CASE_MEMBER_SELF, CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal
from interp_service.api.ids import Id
from interp_service.cases import assignments, external_interpreters
from interp_service.cases.schemas import (
    AssignmentCreate,
    Declaration,
    ExternalInterpreterCreate,
    OnBehalfDeclaration,
)
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.users.service import actor_of
from interp_service.web.forms import error_of, form_values, parse
from interp_service.web.pages_cases import case_page, submit

router = APIRouter(include_in_schema=False)


def _declaration_fields(values: dict[str, Any]) -> dict[str, Any]:
    """The radios and statement of a declaration form (no choice: has_conflict missing)."""
    choice = values.get("has_conflict")
    return {
        "has_conflict": choice == "yes" if choice in ("yes", "no") else None,
        "statement": values.get("statement", ""),
    }


@router.post("/cases/{case_id}/assignments")
def add_assignment(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_LEAD),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Assign a user; an interpreter then files their own declaration under their login."""
    values = form_values(posted)
    data: dict[str, Any] = {
        "user_id": values.get("user_id") or None,
        "role_on_case": values.get("role_on_case"),
    }
    return submit(
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
    case_id: Id,
    assignment_id: Id,
    db: DbSession,
    me: Principal = require(CASE_LEAD),
) -> Response:
    assignments.end_assignment(db, actor_of(me.user), case_id, assignment_id)
    return RedirectResponse(f"/cases/{case_id}#assignments", status_code=303)


@router.post("/cases/{case_id}/assignments/{assignment_id}/declaration")
def declare_conflict(
    case_id: Id,
    assignment_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_MEMBER_SELF),
    posted: FormData = Depends(posted_form),
) -> Response:
    """An interpreter files their own declaration; declaring a conflict recuses at once
    (and the case then disappears from their list)."""
    values = form_values(posted)
    data, errors = parse(Declaration, _declaration_fields(values))
    if data is not None:
        try:
            assignment = assignments.declare(db, actor_of(me.user), case_id, assignment_id, data)
            if assignment.state == "recused":
                return RedirectResponse("/cases?recused=1", status_code=303)
            return RedirectResponse(f"/cases/{case_id}?notice=declared#assignments", 303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    return case_page(
        request, db, case_id, status=422, form="declaration", errors=errors, values=values
    )


@router.post("/cases/{case_id}/external-interpreters")
def engage_external(
    case_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    return submit(
        request,
        db,
        case_id,
        "external",
        ExternalInterpreterCreate,
        lambda d: external_interpreters.engage(db, actor_of(me.user), case_id, d),
        form_values(posted),
        "engaged",
    )


@router.post("/cases/{case_id}/external-interpreters/{external_id}/declaration")
def declare_for_external(
    case_id: Id,
    external_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Case staff record an external interpreter's signed declaration, form attached."""
    values = form_values(posted)
    fields = _declaration_fields(values)
    fields["form_evidence_id"] = values.get("form_evidence_id") or None
    data, errors = parse(OnBehalfDeclaration, fields)
    if data is not None:
        try:
            external_interpreters.declare_on_behalf(
                db, actor_of(me.user), case_id, external_id, data
            )
            return RedirectResponse(f"/cases/{case_id}?notice=declared#external", 303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    values["external_id"] = str(external_id)
    return case_page(
        request,
        db,
        case_id,
        status=422,
        form="external-declaration",
        errors=errors,
        values=values,
    )


@router.post("/cases/{case_id}/external-interpreters/{external_id}/end")
def end_external(
    case_id: Id,
    external_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    external_interpreters.end_engagement(db, actor_of(me.user), case_id, external_id)
    return RedirectResponse(f"/cases/{case_id}#external", status_code=303)
