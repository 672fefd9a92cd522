"""The interview page: the operator's two-pane bilingual form (a prosecutor or a clerk types
while the interpreter speaks). Forms work without JavaScript (each post saves at once and
returns to the page, keeping the chosen direction and interpreter); `interview.js` adds the
term lookup panel and keeps the input focused. Approved recordings play beside the record:
of the party-language terms marked in suggestions, and of the phrasebook entries. Notices,
explained terms and the read-back statement are in `pages_interview_parts.py`."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, get_services
from interp_service.api.ids import Id
from interp_service.cases import interpreters
from interp_service.cases.orm import Case, Party
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.glossary import recordings as term_recordings
from interp_service.glossary.orm import Term, TermRecording
from interp_service.interviews import attribution, rendering, service
from interp_service.interviews.flow import record_exchange
from interp_service.interviews.schemas import ExchangeCreate, RenderingIn
from interp_service.interviews.view import ExchangeView, exchange_view, people_of
from interp_service.memory import repository as memory_repo
from interp_service.memory import service as memory
from interp_service.memory.recordings import interview_ready
from interp_service.memory.schemas import SubmissionCreate
from interp_service.speech import readback
from interp_service.web.forms import FormErrors, error_of, form_values, parse
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
    exchanges = service.exchanges_of(db, interview.id)
    names = attribution.People(db)
    views = [exchange_view(e, people_of(names, e)) for e in exchanges]
    miao = party.language not in ("cmn", "zho")
    phrasebook = memory_repo.phrasebook(db)
    eligible = interpreters.eligible_interpreters(db, case_id)
    # Preselect who interpreted last (or the only interpreter): one operator, one interpreter.
    last = next(
        (
            f"user:{e.interpreter_id}"
            if e.interpreter_id
            else f"external:{e.external_interpreter_id}"
            for e in reversed(exchanges)
            if e.interpreter_id or e.external_interpreter_id
        ),
        eligible[0].ref if len(eligible) == 1 else "",
    )
    chosen = request.query_params.get("interpreter") or last
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
        interpreters=eligible,
        chosen_interpreter=chosen,
        direction=(values or {}).get("direction") or request.query_params.get("direction", ""),
        read_back=who_read_back(db, interview),
        phrasebook=phrasebook,
        # Recordings: only approved ones are listed (the play routes refuse others).
        phrase_audio={e.id for e in phrasebook if interview_ready(e)},
        term_recordings=recordings_for(db, views, party.language) if miao else [],
        readback=readback.available(),
        errors=errors or {},
        values=values or {},
        notice=notice,
    )


def who_read_back(db: Session, interview: Any) -> dict[str, str] | None:
    """The read-back statement as the page shows it, or None when none is recorded."""
    if interview.read_back_at is None:
        return None
    people = interpreters.name_of(
        db, interview.read_back_interpreter_id, interview.read_back_external_interpreter_id
    )
    typist = interpreters.name_of(db, interview.read_back_recorded_by, None)
    return {"interpreter": people[0] if people else "", "recorder": typist[0] if typist else ""}


def back(case_id: int, interview_id: int, anchor: str = "", **keep: str) -> RedirectResponse:
    """Back to the page, keeping the operator's choices (direction, interpreter)."""
    query = "&".join(f"{k}={quote(v)}" for k, v in keep.items() if v)
    url = f"/cases/{case_id}/interviews/{interview_id}" + (f"?{query}" if query else "")
    return RedirectResponse(url + (f"#{anchor}" if anchor else ""), status_code=303)


@router.get("/cases/{case_id}/interviews/{interview_id}")
def show_interview(
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> Response:
    notice = CORRECTED if request.query_params.get("corrected") else ""
    return interview_page(request, db, case_id, interview_id, notice=notice)


@router.post("/cases/{case_id}/interviews/{interview_id}/exchanges")
async def add_exchange(
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
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
            "confirm_language": values.get("confirm_language") == "on",
        },
    )
    if data is not None:
        try:
            await record_exchange(get_services(request), db, me.user, case_id, interview_id, data)
            direction = "from-party" if not to_party else "to-party"
            return back(case_id, interview_id, "say", direction=direction)
        except AppError as exc:
            errors = error_of(exc)
            if exc.kind == "language-mismatch":
                errors["confirm_language"] = "1"  # offer the confirmation box
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
    case_id: Id,
    interview_id: Id,
    exchange_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    data, errors = parse(
        RenderingIn,
        {
            "kind": values.get("kind"),
            "text": values.get("text"),
            "version": values.get("version"),
            "interpreter": values.get("interpreter") or "",
            "confirm_language": values.get("confirm_language") == "on",
        },
    )
    if data is not None:
        try:
            interview = service.get_interview(db, case_id, interview_id)
            exchange = service.get_exchange(db, interview, exchange_id)
            rendering.give_rendering(db, me.user, interview, exchange, data)
            return back(
                case_id,
                interview_id,
                f"exchange-{exchange.sequence}",
                interpreter=data.interpreter,
            )
        except AppError as exc:
            db.rollback()
            errors = {f"rendering-{exchange_id}": exc.detail}
            if exc.kind == "language-mismatch":
                errors[f"confirm-{exchange_id}"] = "1"
            return interview_page(
                request, db, case_id, interview_id, status=exc.status, errors=errors,
                values={f"rendering-text-{exchange_id}": values.get("text") or ""},
            )  # fmt: skip
    errors = {f"rendering-{exchange_id}": "；".join(errors.values())}
    return interview_page(request, db, case_id, interview_id, status=422, errors=errors)


@router.post("/cases/{case_id}/interviews/{interview_id}/exchanges/{exchange_id}/correction")
def send_correction(
    case_id: Id,
    interview_id: Id,
    exchange_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_READ),
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
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        interview = service.get_interview(db, case_id, interview_id)
        service.finish(db, me.user, interview)
    except AppError as exc:
        db.rollback()
        return interview_page(
            request, db, case_id, interview_id, status=exc.status, errors=error_of(exc)
        )
    return back(case_id, interview_id)
