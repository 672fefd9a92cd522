"""The interview page: the prosecutor's two-pane bilingual form. Forms work without
JavaScript (each post saves at once and returns to the page); `interview.js` adds the term
lookup panel and keeps the input focused. Approved recordings play beside the record: of
the party-language terms marked in suggestions, and of the phrasebook entries."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, require
from interp_service.api.deps import Principal, get_db
from interp_service.cases.orm import Case, Party
from interp_service.errors import AppError
from interp_service.glossary import recordings as term_recordings
from interp_service.glossary.curation import has_competence
from interp_service.glossary.orm import Term, TermRecording
from interp_service.interviews import service
from interp_service.interviews.flow import record_exchange
from interp_service.interviews.schemas import ExchangeCreate, RenderingIn
from interp_service.interviews.view import ExchangeView, exchange_view
from interp_service.memory import repository as memory_repo
from interp_service.memory import service as memory
from interp_service.memory.recordings import interview_ready
from interp_service.memory.schemas import SubmissionCreate
from interp_service.speech import readback
from interp_service.web.forms import FormErrors, error_of, form_values, parse, posted_form
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)

CORRECTED = "更正已提交，等待具备该语言能力的审核人核准。"
DIRECTIONS = {"to-party": "汉语 → 当事人语言", "from-party": "当事人语言 → 汉语"}


def recordings_for(
    db: Session, views: list[ExchangeView], language: str
) -> list[tuple[TermRecording, Term]]:
    """Approved recordings of the terms in `language` marked in the suggestions shown."""
    term_ids = {
        term[key]
        for view in views
        for sentence in view.exchange.receipt.get("sentences", [])
        for term in sentence.get("terms", [])
        for key in ("source_term_id", "target_term_id")
        if isinstance(term.get(key), int)
    }
    return list(term_recordings.approved_for_terms(db, sorted(term_ids), language))


def interview_page(
    request: Request,
    db: Session,
    case_id: int,
    interview_id: int,
    *,
    status: int = 200,
    errors: FormErrors | None = None,
    values: dict[str, Any] | None = None,
    notice: str = "",
) -> Response:
    principal: Principal = request.state.principal
    interview = service.get_interview(db, case_id, interview_id)
    case = db.get(Case, case_id)
    party = db.get(Party, interview.party_id)
    assert case is not None and party is not None
    views = [exchange_view(e) for e in service.exchanges_of(db, interview.id)]
    miao = party.language not in ("cmn", "zho")
    phrasebook = memory_repo.phrasebook(db)
    return render(
        request,
        "interview.html",
        status=status,
        case=case,
        interview=interview,
        party=party,
        views=views,
        directions=DIRECTIONS,
        open=interview.status in service.OPEN_STATUSES,
        can_finish=principal.is_admin or bool(principal.case_roles & CASE_WRITE.case_roles),
        can_render_party=not miao or has_competence(principal.user, party.language, party.variety),
        phrasebook=phrasebook,
        # Recordings: only approved ones are listed (the play routes refuse others).
        phrase_audio={e.id for e in phrasebook if interview_ready(e)},
        term_recordings=recordings_for(db, views, party.language) if miao else [],
        readback=readback.available(),
        errors=errors or {},
        values=values or {},
        notice=notice,
    )


def _back(case_id: int, interview_id: int, anchor: str = "") -> RedirectResponse:
    url = f"/cases/{case_id}/interviews/{interview_id}" + (f"#{anchor}" if anchor else "")
    return RedirectResponse(url, status_code=303)


@router.get("/cases/{case_id}/interviews/{interview_id}")
def show_interview(
    case_id: int,
    interview_id: int,
    request: Request,
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> Response:
    notice = CORRECTED if request.query_params.get("corrected") else ""
    return interview_page(request, db, case_id, interview_id, notice=notice)


@router.post("/cases/{case_id}/interviews/{interview_id}/exchanges")
async def add_exchange(
    case_id: int,
    interview_id: int,
    request: Request,
    me: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)

    def party_side() -> tuple[str, str]:
        interview = service.get_interview(db, case_id, interview_id)
        party = db.get(Party, interview.party_id)
        assert party is not None
        return party.language, party.variety

    language, variety = await run_in_threadpool(party_side)
    to_party = values.get("direction", "to-party") != "from-party"
    data, errors = parse(
        ExchangeCreate,
        {
            "speaker_role": "prosecutor" if to_party else "party",
            "source_language": "cmn" if to_party else language,
            "target_language": language if to_party else "cmn",
            "target_variety": variety if to_party else "",
            "text": (values.get("text") or "").strip(),
        },
    )
    if data is not None:
        try:
            exchange = await record_exchange(request.app, db, me.user, case_id, interview_id, data)
            return _back(case_id, interview_id, f"exchange-{exchange.sequence}")
        except AppError as exc:
            errors = error_of(exc)
            status = exc.status
    else:
        status = 422
    return await run_in_threadpool(
        lambda: interview_page(
            request, db, case_id, interview_id, status=status, errors=errors, values=values
        )
    )


@router.post("/cases/{case_id}/interviews/{interview_id}/exchanges/{exchange_id}/rendering")
def give_rendering(
    case_id: int,
    interview_id: int,
    exchange_id: int,
    request: Request,
    me: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data, errors = parse(
        RenderingIn,
        {"kind": values.get("kind"), "text": values.get("text"), "version": values.get("version")},
    )
    if data is not None:
        try:
            interview = service.get_interview(db, case_id, interview_id)
            exchange = service.get_exchange(db, interview, exchange_id)
            service.give_rendering(db, me.user, interview, exchange, data)
            db.commit()
            return _back(case_id, interview_id, f"exchange-{exchange.sequence}")
        except AppError as exc:
            db.rollback()
            errors = {f"rendering-{exchange_id}": exc.detail}
            return interview_page(
                request, db, case_id, interview_id, status=exc.status, errors=errors
            )
    errors = {f"rendering-{exchange_id}": "；".join(errors.values())}
    return interview_page(request, db, case_id, interview_id, status=422, errors=errors)


@router.post("/cases/{case_id}/interviews/{interview_id}/exchanges/{exchange_id}/correction")
def send_correction(
    case_id: int,
    interview_id: int,
    exchange_id: int,
    request: Request,
    me: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Offer the pair (what was said, the corrected rendering) for review into memory."""
    values = form_values(posted)
    interview = service.get_interview(db, case_id, interview_id)
    exchange = service.get_exchange(db, interview, exchange_id)
    party = db.get(Party, interview.party_id)
    variety = party.variety if party is not None else ""
    data, errors = parse(
        SubmissionCreate,
        {
            "source_language": exchange.source_language,
            "source_variety": "" if exchange.source_language == "cmn" else variety,
            "source_text": exchange.receipt.get("text") or exchange.source_text,
            "target_language": exchange.target_language,
            "target_variety": exchange.target_variety
            or ("" if exchange.target_language == "cmn" else variety),
            "target_text": (values.get("text") or "").strip(),
            "origin": "interview",
            "case_id": case_id,
            "interview_id": interview_id,
            "exchange_id": exchange_id,
        },
    )
    if data is not None:
        try:
            memory.submit(db, me.user, data)
            db.commit()
            # Redirect, so reloading the page does not submit the correction twice.
            url = f"/cases/{case_id}/interviews/{interview_id}?corrected=1"
            return RedirectResponse(f"{url}#exchange-{exchange.sequence}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors, status = error_of(exc), exc.status
    else:
        status = 422
    errors = {f"correction-{exchange_id}": "；".join(errors.values())}
    return interview_page(request, db, case_id, interview_id, status=status, errors=errors)


@router.post("/cases/{case_id}/interviews/{interview_id}/finish")
def finish_interview(
    case_id: int,
    interview_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        interview = service.get_interview(db, case_id, interview_id)
        service.finish(db, me.user, interview)
        db.commit()
    except AppError as exc:
        db.rollback()
        return interview_page(
            request, db, case_id, interview_id, status=exc.status, errors=error_of(exc)
        )
    return _back(case_id, interview_id)
