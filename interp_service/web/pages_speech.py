"""Speech pages: an interview's recordings (upload, progress, segments with times) and
the transcription queue, where someone competent in the party's language plays a
segment (and the seconds around it), types what was said and approves it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, SIGNED_IN, require
from interp_service.api.deps import Principal, get_db
from interp_service.cases.orm import Case, Interview, Party
from interp_service.cases.service import get_case
from interp_service.errors import AppError
from interp_service.interviews.service import get_interview
from interp_service.speech import queue
from interp_service.speech.orm import Recording
from interp_service.speech.routes import accept_upload, get_recording, reprocess, segments_of
from interp_service.web.forms import form_values, posted_form
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
    case = get_case(db, case_id)
    interview = get_interview(db, case_id, interview_id)
    party = db.get(Party, interview.party_id)
    rows = db.scalars(
        select(Recording).where(Recording.interview_id == interview.id).order_by(Recording.id)
    ).all()
    segments = {r.id: segments_of(db, r.id) for r in rows}
    principal: Principal = request.state.principal
    return render(
        request,
        "speech_recordings.html",
        status,
        case=case,
        interview=interview,
        party=party,
        recordings=rows,
        segments=segments,
        kinds=KIND_LABELS,
        states=STATE_LABELS,
        recording_states=RECORDING_STATES,
        can_upload=principal.is_admin or bool(principal.case_roles & CASE_WRITE.case_roles),
        **ctx,
    )


@router.get("/cases/{case_id}/interviews/{interview_id}/recordings")
def recordings_page(
    case_id: int,
    interview_id: int,
    request: Request,
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> Response:
    return _recordings_page(request, db, case_id, interview_id)


@router.post("/cases/{case_id}/interviews/{interview_id}/recordings")
async def upload_recording(
    case_id: int,
    interview_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        item = await accept_upload(request, db, me, case_id, interview_id, posted)
    except AppError as exc:
        db.rollback()
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
    case_id: int,
    recording_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> Response:
    item = get_recording(db, case_id, recording_id)
    try:
        reprocess(request, db, me, item)
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
    case_id: int,
    recording_id: int,
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> dict[str, Any]:
    """State and progress for the page's progress bar (polled by speech.js)."""
    item = get_recording(db, case_id, recording_id)
    return {"state": item.state, "progress": item.progress, "error": item.error}


def _queue_page(
    request: Request, db: Session, me: Principal, status: int = 200, **ctx: Any
) -> Response:
    items = queue.queue_for(db, me.user)
    recordings = {s.recording_id: db.get(Recording, s.recording_id) for s in items}
    cases = {r.case_id: db.get(Case, r.case_id) for r in recordings.values() if r}
    interviews = {
        r.interview_id: db.get(Interview, r.interview_id) for r in recordings.values() if r
    }
    ctx.setdefault("segment_error", {})
    ctx.setdefault("segment_values", {})
    ctx.setdefault("segment_warnings", {})
    return render(
        request,
        "speech_queue.html",
        status,
        items=items,
        recordings=recordings,
        cases=cases,
        interviews=interviews,
        states=STATE_LABELS,
        **ctx,
    )


@router.get("/speech/queue")
def queue_page(
    request: Request, me: Principal = require(SIGNED_IN), db: Session = Depends(get_db)
) -> Response:
    return _queue_page(request, db, me)


@router.post("/speech/segments/{segment_id}/transcript")
def save_transcript(
    segment_id: int,
    request: Request,
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
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
        db.commit()
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
