"""Interview page forms beside the exchanges: insert a standard notice from the phrasebook,
note the legal terms the interpreter explained, record the read-back statement. Each
returns to the interview page, with the message beside the form on error."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, require
from interp_service.api.deps import DbSession, Principal, get_services
from interp_service.api.ids import Id, parse_id
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.interviews import rendering, service
from interp_service.interviews.flow import UnknownNotice, notice_request, record_exchange
from interp_service.interviews.schemas import ExplainedIn, ReadBackIn
from interp_service.web.forms import form_values, parse
from interp_service.web.pages_interview import back, interview_page

router = APIRouter(include_in_schema=False)
PAGE = "/cases/{case_id}/interviews/{interview_id}"


@router.post(PAGE + "/notices")
async def say_notice(
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
    posted: FormData = Depends(posted_form),
) -> Response:
    """The prosecutor reads a standard notice or question: it becomes an exchange."""
    values = form_values(posted)
    entry_id = parse_id(values.get("phrase_entry_id")) or 0
    try:
        said = await run_in_threadpool(notice_request, db, case_id, interview_id, entry_id)
        exchange = await record_exchange(
            get_services(request),
            db,
            me.user,
            case_id,
            interview_id,
            said,
            phrase_entry_id=entry_id,
        )
        return back(case_id, interview_id, f"exchange-{exchange.sequence}")
    except AppError as exc:
        db.rollback()
        errors = {"notice": exc.detail}
        # The phrase is a form value: a wrong one is a form error, not a missing page.
        status = 422 if isinstance(exc, UnknownNotice) else exc.status
    return await run_in_threadpool(
        lambda: interview_page(request, db, case_id, interview_id, status=status, errors=errors)
    )


@router.post(PAGE + "/exchanges/{exchange_id}/explained")
def mark_explained(
    case_id: Id,
    interview_id: Id,
    exchange_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Tick the legal terms the interpreter explained orally."""
    values = form_values(posted)
    ticked = [i for v in posted.getlist("concept_id") if (i := parse_id(v)) is not None]
    data, errors = parse(ExplainedIn, {"concept_ids": ticked, "version": values.get("version")})
    if data is not None:
        try:
            interview = service.get_interview(db, case_id, interview_id)
            exchange = service.get_exchange(db, interview, exchange_id)
            rendering.mark_explained(db, me.user, interview, exchange, data)
            return back(case_id, interview_id, f"exchange-{exchange.sequence}")
        except AppError as exc:
            db.rollback()
            errors = {"_": exc.detail}
            status = exc.status
    else:
        errors = {"_": "请勾选译员已解释的术语"}
        status = 422
    return interview_page(
        request,
        db,
        case_id,
        interview_id,
        status=status,
        errors={f"explained-{exchange_id}": "；".join(errors.values())},
    )


@router.post(PAGE + "/read-back")
def record_read_back(
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
    posted: FormData = Depends(posted_form),
) -> Response:
    """The interpreter states that the record was read back in the party's language."""
    values = form_values(posted)
    if values.get("read_back") != "on":
        errors = {"read_back": "请勾选译员已宣读笔录的声明"}
        return interview_page(request, db, case_id, interview_id, status=422, errors=errors)
    data, errors = parse(ReadBackIn, {"interpreter": values.get("interpreter") or ""})
    if data is not None:
        try:
            interview = service.get_interview(db, case_id, interview_id)
            rendering.record_read_back(db, me.user, interview, data)
            return back(case_id, interview_id, "read-back")
        except AppError as exc:
            db.rollback()
            errors = {"read_back": exc.detail}
            return interview_page(
                request, db, case_id, interview_id, status=exc.status, errors=errors
            )
    errors = {"read_back": "请选择作出声明的译员"}
    return interview_page(request, db, case_id, interview_id, status=422, errors=errors)
