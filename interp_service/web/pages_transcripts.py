"""Transcript pages of an interview: the list with the upload form and each transcript's
progress (transcripts.js follows the job; cancel and retry are forms), and one transcript
for review: what clean-up changed, who each speaker is, and every segment with its machine
suggestion kept apart from the translation a person gives. The review forms post to
`pages_transcript_review.py`. Forms work without JavaScript; bad input re-renders the page
with the service's message."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.cases.orm import Party
from interp_service.cases.service import get_case
from interp_service.errors import AppError, Conflict, NotFound
from interp_service.evidence.service import read_whole, uploaded_file
from interp_service.evidence.uploads import posted_form
from interp_service.interviews.service import get_interview
from interp_service.jobs import service as jobs
from interp_service.services import AppServices
from interp_service.transcripts import service
from interp_service.transcripts.forms import limits_of, options_of
from interp_service.transcripts.intake import ACCEPTED
from interp_service.web import transcript_view as view
from interp_service.web.forms import form_values
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
NOT_YOUR_JOB = "无法查看该笔录的处理任务，请刷新页面后重试"
ACCEPT = ".txt,.docx,.srt,.vtt,audio/*,.wav,.mp3,.m4a,.ogg,.opus,.webm,.flac"


def _can_write(principal: Principal) -> bool:
    return principal.is_admin or bool(principal.case_roles & CASE_WRITE.case_roles)


def _list_url(case_id: int, interview_id: int) -> str:
    return f"/cases/{case_id}/interviews/{interview_id}/transcripts"


def detail_url(case_id: int, transcript_id: int) -> str:
    return f"/cases/{case_id}/transcripts/{transcript_id}"


def _list_page(
    request: Request,
    db: Session,
    services: AppServices,
    case_id: int,
    interview_id: int,
    status: int = 200,
    **ctx: Any,
) -> Response:
    principal: Principal = request.state.principal
    interview = get_interview(db, case_id, interview_id)
    party = db.get(Party, interview.party_id)
    items = service.list_transcripts(db, case_id, interview_id)
    options = view.directions(party)
    ctx.setdefault("values", {"direction": next(iter(options))})
    return render(
        request,
        "transcripts.html",
        status,
        case=get_case(db, case_id),
        interview=interview,
        party=party,
        rows=[(t, view.processing(db, services.job_runner, principal.user, t)) for t in items],
        directions=options,
        accepted=ACCEPTED,
        accept=ACCEPT,
        can_write=_can_write(principal),
        notice=view.notice(request.query_params),
        **ctx,
    )


@router.get("/cases/{case_id}/interviews/{interview_id}/transcripts")
def transcripts_page(
    case_id: Id,
    interview_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> Response:
    return _list_page(request, db, services, case_id, interview_id)


@router.post("/cases/{case_id}/interviews/{interview_id}/transcripts")
async def upload_transcript(
    case_id: Id,
    interview_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        upload = uploaded_file(posted)
        data = await run_in_threadpool(read_whole, upload.file, services.settings.max_upload_bytes)
        item, created = await run_in_threadpool(
            service.upload,
            db,
            services.evidence_store,
            me.user,
            case_id,
            interview_id,
            data=data,
            filename=upload.filename or "",
            options=options_of(view.with_direction(posted)),
            limits=limits_of(services.settings),
        )
    except AppError as exc:
        await run_in_threadpool(db.rollback)
        return await run_in_threadpool(
            _list_page,
            request,
            db,
            services,
            case_id,
            interview_id,
            exc.status,
            upload_error=exc.detail,
            values=form_values(posted),
        )
    # The processing job is dispatched when the request's session commits, after this.
    done = "uploaded" if created else "existing"
    return RedirectResponse(
        f"{_list_url(case_id, interview_id)}?{done}={item.id}#transcript-{item.id}",
        status_code=303,
    )


def _job_action(
    request: Request,
    db: Session,
    services: AppServices,
    me: Principal,
    case_id: int,
    transcript_id: int,
    action: str,
) -> Response:
    """Cancel or retry the transcript's processing job, then back to the page it came from."""
    item = service.get_transcript(db, case_id, transcript_id)
    back = request.query_params.get("from")
    try:
        act = jobs.cancel if action == "cancelled" else jobs.retry
        try:
            job = act(db, services.job_runner, me.user, item.job_id or "")
        except NotFound:
            # The transcript is visible (the policy checked the case), so its job is too
            # (jobs/service.py); a job gone from the in-process runner's memory is not.
            raise Conflict(NOT_YOUR_JOB) from None
    except AppError as exc:
        db.rollback()
        if back == "detail":
            return detail_page(
                request, db, services, case_id, transcript_id, exc.status, page_error=exc.detail
            )
        return _list_page(
            request, db, services, case_id, item.interview_id, exc.status, page_error=exc.detail
        )
    if action == "cancelled" and job.state in ("succeeded", "failed"):
        action = "finished"  # it ended before the request arrived: nothing was cancelled
    if back == "detail":
        return RedirectResponse(f"{detail_url(case_id, transcript_id)}?{action}=1", status_code=303)
    return RedirectResponse(
        f"{_list_url(case_id, item.interview_id)}?{action}=1#transcript-{item.id}",
        status_code=303,
    )


@router.post("/cases/{case_id}/transcripts/{transcript_id}/cancel")
def cancel_processing(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    return _job_action(request, db, services, me, case_id, transcript_id, "cancelled")


@router.post("/cases/{case_id}/transcripts/{transcript_id}/retry")
def retry_processing(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    return _job_action(request, db, services, me, case_id, transcript_id, "retried")


def detail_page(
    request: Request,
    db: Session,
    services: AppServices,
    case_id: int,
    transcript_id: int,
    status: int = 200,
    **ctx: Any,
) -> Response:
    principal: Principal = request.state.principal
    seen = service.view(db, case_id, transcript_id)
    item = seen.transcript
    ctx.setdefault("segment_error", {})
    ctx.setdefault("segment_values", {})
    ctx.setdefault("segment_lost", {})
    return render(
        request,
        "transcript.html",
        status,
        case=get_case(db, case_id),
        interview=get_interview(db, case_id, item.interview_id),
        item=item,
        progress=view.processing(db, services.job_runner, principal.user, item),
        speakers=seen.speakers,
        changes=seen.changes,
        removed=[c for c in seen.changes if not c.after],
        segments=seen.segments,
        has_times=any(s.start_s is not None for s in seen.segments),
        can_write=_can_write(principal),
        notice=view.notice(request.query_params),
        **ctx,
    )


@router.get("/cases/{case_id}/transcripts/{transcript_id}")
def transcript_page(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> Response:
    return detail_page(request, db, services, case_id, transcript_id)
