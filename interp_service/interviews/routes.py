"""API of the interview record: exchanges (what was said, the suggestion with its receipt,
the interpreter's rendering), finishing, and the DOCX/PDF export."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session

from interp_service.api.access import CASE_READ, CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, get_services
from interp_service.api.ids import Id
from interp_service.cases import interpreters
from interp_service.cases.schemas import InterviewOut
from interp_service.interviews import rendering, service
from interp_service.interviews.export import export_file
from interp_service.interviews.flow import notice_request, record_exchange
from interp_service.interviews.orm import Exchange
from interp_service.interviews.schemas import (
    ExchangeCreate,
    ExchangeOut,
    ExplainedIn,
    NoticeIn,
    ReadBackIn,
    RenderingIn,
)

router = APIRouter(prefix="/api/v1/cases/{case_id}/interviews/{interview_id}", tags=["interviews"])


def exchanges_out(db: Session, exchanges: Sequence[Exchange]) -> list[ExchangeOut]:
    """Exchanges with the names of who interpreted and who typed, and the legal terms still
    to be explained."""
    out = []
    for e in exchanges:
        interpreter = interpreters.name_of(db, e.interpreter_id, e.external_interpreter_id)
        typist = interpreters.name_of(db, e.recorded_by, None)
        out.append(
            ExchangeOut.model_validate(e).model_copy(
                update={
                    "interpreter_name": interpreter[0] if interpreter else None,
                    "recorded_by_name": typist[0] if typist else None,
                    "unexplained_terms": rendering.unexplained_terms(e),
                }
            )
        )
    return out


@router.get("/exchanges")
def list_exchanges(
    case_id: Id,
    interview_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> list[ExchangeOut]:
    interview = service.get_interview(db, case_id, interview_id)
    return exchanges_out(db, service.exchanges_of(db, interview.id))


@router.post("/exchanges", status_code=201)
async def add_exchange(
    case_id: Id,
    interview_id: Id,
    body: ExchangeCreate,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> ExchangeOut:
    """Translate what was said and store it with the suggestion and its receipt."""
    exchange = await record_exchange(
        get_services(request), db, me.user, case_id, interview_id, body
    )
    return await run_in_threadpool(lambda: exchanges_out(db, [exchange])[0])


@router.post("/notices", status_code=201)
async def say_notice(
    case_id: Id,
    interview_id: Id,
    body: NoticeIn,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> ExchangeOut:
    """Insert a phrasebook notice or standard question as the prosecutor's utterance, with
    its statute citation; the suggestion is the approved rendering when one exists."""
    said = await run_in_threadpool(notice_request, db, case_id, interview_id, body.phrase_entry_id)
    exchange = await record_exchange(
        get_services(request), db, me.user, case_id, interview_id, said,
        phrase_entry_id=body.phrase_entry_id,
    )  # fmt: skip
    return await run_in_threadpool(lambda: exchanges_out(db, [exchange])[0])


@router.put("/exchanges/{exchange_id}/rendering")
def give_rendering(
    case_id: Id,
    interview_id: Id,
    exchange_id: Id,
    body: RenderingIn,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> ExchangeOut:
    """What the interpreter said, typed by the caller (记录人), attributed to `interpreter`.
    A gloss suggestion cannot be taken as it is (422 `gloss-not-a-rendering`)."""
    interview = service.get_interview(db, case_id, interview_id)
    exchange = service.get_exchange(db, interview, exchange_id)
    rendering.give_rendering(db, me.user, interview, exchange, body)
    return exchanges_out(db, [exchange])[0]


@router.post("/exchanges/{exchange_id}/explained")
def mark_explained(
    case_id: Id,
    interview_id: Id,
    exchange_id: Id,
    body: ExplainedIn,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> ExchangeOut:
    """Note that the interpreter explained these legal terms (no approved Miao term)."""
    interview = service.get_interview(db, case_id, interview_id)
    exchange = service.get_exchange(db, interview, exchange_id)
    rendering.mark_explained(db, me.user, interview, exchange, body)
    return exchanges_out(db, [exchange])[0]


@router.post("/read-back")
def record_read_back(
    case_id: Id,
    interview_id: Id,
    body: ReadBackIn,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> InterviewOut:
    """The interpreter states the record was read back in the party's language (art. 122)."""
    interview = service.get_interview(db, case_id, interview_id)
    rendering.record_read_back(db, me.user, interview, body)
    return InterviewOut.model_validate(interview)


@router.post("/finish")
def finish_interview(
    case_id: Id,
    interview_id: Id,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> InterviewOut:
    interview = service.get_interview(db, case_id, interview_id)
    service.finish(db, me.user, interview)
    return InterviewOut.model_validate(interview)


@router.get("/export.{fmt}")
def export_record(
    case_id: Id,
    interview_id: Id,
    fmt: str,
    db: DbSession,
    me: Principal = require(CASE_READ),
) -> Response:
    """The bilingual record for signature, as `docx` or `pdf`."""
    interview = service.get_interview(db, case_id, interview_id)
    data, media_type, filename = export_file(db, me.user, interview, fmt)
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"},
    )
