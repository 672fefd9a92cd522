"""Speech pages: an interview's recordings (upload, progress, segments with times) and
the transcription queue, where someone competent in the party's language plays a
segment (and the seconds around it), types what was said and approves it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.errors import AppError
from interp_service.evidence.service import uploaded_file
from interp_service.evidence.uploads import posted_form
from interp_service.glossary.recordings import consent_given
from interp_service.speech import queue, service
from interp_service.web.forms import form_values
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
KIND_LABELS = {
    "mandarin": "普通话·机器识别",
    "unconfirmed": "语言未确认·待人工转写",
    "no_speech": "无语音",
}
STATE_LABELS = {
    "machine": "机器识别，仅供参考",
    "none": "—",
    "waiting": "待转写",
    "transcribed": "已转写，待批准",
    "approved": "已批准",
}
RECORDING_STATES = {"queued": "排队中", "processing": "处理中", "done": "已完成", "failed": "失败"}


def _recordings_page(
    request: Request,
    db: Session,
    case_id: int,
    interview_id: int,
    status: int = 200,
    **ctx: Any,
) -> Response:
    view = service.recordings_view(db, case_id, interview_id)
    principal: Principal = request.state.principal
    return render(
        request,
        "speech_recordings.html",
        status,
        case=view.case,
        interview=view.interview,
        party=view.party,
        recordings=view.recordings,
        segments=view.segments,
        kinds=KIND_LABELS,
        states=STATE_LABELS,
        recording_states=RECORDING_STATES,
        can_upload=principal.is_admin or bool(principal.case_roles & CASE_WRITE.case_roles),
        **ctx,
    )


@router.get("/cases/{case_id}/interviews/{interview_id}/recordings")
def recordings_page(
    case_id: Id,
    interview_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> Response:
    return _recordings_page(request, db, case_id, interview_id)


@router.post("/cases/{case_id}/interviews/{interview_id}/recordings")
async def upload_recording(
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
        item = await run_in_threadpool(
            service.receive_recording,
            db,
            services.evidence_store,
            me.user,
            case_id,
            interview_id,
            source=upload.file,
            filename=upload.filename or "",
            speech_data_consent=consent_given(posted.get("speech_data_consent")),
            max_upload_bytes=services.settings.max_upload_bytes,
            max_audio_seconds=services.settings.max_audio_seconds,
        )
        # The job reads the recording in its own session: commit it before the job starts.
        await run_in_threadpool(db.commit)
        await run_in_threadpool(
            service.start_processing,
            services.job_runner,
            services.session_factory,
            services.evidence_store,
            services.speech_models,
            item,
            me.user.id,
        )
    except AppError as exc:
        await run_in_threadpool(db.rollback)
        return _recordings_page(
            request,
            db,
            case_id,
            interview_id,
            exc.status,
            upload_error=exc.detail,
            # A repeated file: the message links to the recording already on the page.
            existing_recording_id=exc.extra.get("existing_recording_id"),
        )
    return RedirectResponse(
        f"/cases/{case_id}/interviews/{interview_id}/recordings?uploaded={item.id}",
        status_code=303,
    )


@router.post("/cases/{case_id}/recordings/{recording_id}/reprocess")
def reprocess_recording(
    case_id: Id,
    recording_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    item = service.get_recording(db, case_id, recording_id)
    try:
        service.reprocess(
            db,
            services.job_runner,
            services.session_factory,
            services.evidence_store,
            services.speech_models,
            case_id,
            recording_id,
            me.user.id,
        )
    except AppError as exc:
        db.rollback()
        return _recordings_page(
            request, db, case_id, item.interview_id, exc.status, upload_error=exc.detail
        )
    return RedirectResponse(
        f"/cases/{case_id}/interviews/{item.interview_id}/recordings?uploaded={item.id}",
        status_code=303,
    )


@router.get("/cases/{case_id}/recordings/{recording_id}/status")
def recording_status(
    case_id: Id,
    recording_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> dict[str, Any]:
    """State and progress for the page's progress bar (polled by speech.js)."""
    item = service.get_recording(db, case_id, recording_id)
    return {"state": item.state, "progress": item.progress, "error": item.error}


def _queue_page(
    request: Request, db: Session, me: Principal, status: int = 200, **ctx: Any
) -> Response:
    view = service.queue_view(db, me.user)
    ctx.setdefault("segment_error", {})
    ctx.setdefault("segment_values", {})
    ctx.setdefault("segment_warnings", {})
    return render(
        request,
        "speech_queue.html",
        status,
        items=view.items,
        recordings=view.recordings,
        cases=view.cases,
        interviews=view.interviews,
        states=STATE_LABELS,
        **ctx,
    )


@router.get("/speech/queue")
def queue_page(request: Request, db: DbSession, me: Principal = require(SIGNED_IN)) -> Response:
    return _queue_page(request, db, me)


@router.post("/speech/segments/{segment_id}/transcript")
def save_transcript(
    segment_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    approve = values.get("action") == "approve"
    version = values.get("version", "")
    try:
        segment, check = queue.save_transcript(
            db,
            me.user,
            segment_id,
            text=values.get("transcript", ""),
            approve=approve,
            expected_version=int(version) if version.isdigit() else None,
        )
    except AppError as exc:
        db.rollback()
        return _queue_page(
            request,
            db,
            me,
            exc.status,
            segment_error={segment_id: exc.detail},
            segment_values={segment_id: values},
        )
    if check.warnings and not approve:
        return _queue_page(
            request,
            db,
            me,
            segment_warnings={segment_id: check.warnings},
            saved=segment.id,
        )
    done = "approved" if approve else "saved"
    return RedirectResponse(f"/speech/queue?{done}={segment.id}", status_code=303)
