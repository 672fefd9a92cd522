"""API of interview recordings and the transcription queue."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, SIGNED_IN, require
from interp_service.api.deps import Principal, get_db
from interp_service.errors import NotFound
from interp_service.evidence.routes import UPLOAD_SCHEMA
from interp_service.evidence.service import read_whole, uploaded_file
from interp_service.glossary.recordings import consent_given
from interp_service.interviews.service import get_interview
from interp_service.speech import audio, intake, processing, queue, readback
from interp_service.speech.models import SpeechModels
from interp_service.speech.orm import Recording, SpeechSegment
from interp_service.speech.schemas import (
    ReadbackIn,
    RecordingDetail,
    RecordingOut,
    SegmentOut,
    TranscriptIn,
    TranscriptOut,
)
from interp_service.web.forms import posted_form

router = APIRouter(prefix="/api/v1", tags=["speech"])
AROUND_MAX_S = 10.0


def speech_models(request: Request) -> SpeechModels:
    models: SpeechModels = request.app.state.speech_models
    return models


async def accept_upload(
    request: Request, db: Session, me: Principal, case_id: int, interview_id: int, posted: FormData
) -> Recording:
    """Check, store and queue an uploaded recording (shared by the API and the page)."""
    settings = request.app.state.settings
    interview = get_interview(db, case_id, interview_id)
    upload = uploaded_file(posted)
    data = await run_in_threadpool(read_whole, upload.file, settings.max_upload_bytes)

    def refuse_repeat() -> None:
        # Early, before the decoding; `add_recording` checks again under the interview lock.
        intake.check_not_duplicate(db, interview, hashlib.sha256(data).hexdigest())

    await run_in_threadpool(refuse_repeat)
    decoded = await run_in_threadpool(audio.decode, data, max_duration_s=settings.max_audio_seconds)

    def store() -> Recording:
        item = intake.add_recording(
            db,
            request.app.state.evidence_store,
            me.user,
            interview,
            data=data,
            decoded=decoded,
            filename=upload.filename or "",
            speech_data_consent=consent_given(posted.get("speech_data_consent")),
        )
        db.commit()
        processing.start(
            request.app.state.job_runner,
            request.app.state.session_factory,
            request.app.state.evidence_store,
            speech_models(request),
            item,
            me.user.id,
        )
        db.commit()
        return item

    return await run_in_threadpool(store)


@router.post(
    "/cases/{case_id}/interviews/{interview_id}/recordings",
    status_code=202,
    openapi_extra=UPLOAD_SCHEMA,
)
async def upload_recording(
    case_id: int,
    interview_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> RecordingOut:
    """Store an interview recording (wav, mp3, ogg/opus, webm, m4a, flac) and start the job
    that segments it; poll the recording (or `/api/v1/jobs/{job_id}`) for progress. The same
    file (SHA-256) again for this interview is 409 with `existing_recording_id` and
    `recording_url`, and nothing is stored."""
    item = await accept_upload(request, db, me, case_id, interview_id, posted)
    return RecordingOut.model_validate(item)


@router.get("/cases/{case_id}/interviews/{interview_id}/recordings")
def list_recordings(
    case_id: int,
    interview_id: int,
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> list[RecordingOut]:
    interview = get_interview(db, case_id, interview_id)
    rows = db.scalars(
        select(Recording).where(Recording.interview_id == interview.id).order_by(Recording.id)
    ).all()
    return [RecordingOut.model_validate(r) for r in rows]


def get_recording(db: Session, case_id: int, recording_id: int) -> Recording:
    item = db.get(Recording, recording_id)
    if item is None or item.case_id != case_id:
        raise NotFound("录音不存在")
    return item


def segments_of(db: Session, recording_id: int) -> list[SpeechSegment]:
    return list(
        db.scalars(
            select(SpeechSegment)
            .where(SpeechSegment.recording_id == recording_id)
            .order_by(SpeechSegment.sequence)
        ).all()
    )


@router.get("/cases/{case_id}/recordings/{recording_id}")
def show_recording(
    case_id: int,
    recording_id: int,
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> RecordingDetail:
    item = get_recording(db, case_id, recording_id)
    detail = RecordingDetail.model_validate(item)
    detail.segments = [SegmentOut.model_validate(s) for s in segments_of(db, item.id)]
    return detail


def wav_response(request: Request, sha256: str, start_s: float, end_s: float) -> Response:
    data = b"".join(request.app.state.evidence_store.read_verified(sha256))
    samples = audio.decode_range(data, start_s, end_s)
    return Response(
        audio.to_wav(samples),
        media_type="audio/wav",
        headers={"cache-control": "private, max-age=300"},
    )


def reprocess(request: Request, db: Session, me: Principal, item: Recording) -> Recording:
    """Start a failed recording's job again (shared by the API and the page)."""
    processing.restart(
        request.app.state.job_runner,
        request.app.state.session_factory,
        request.app.state.evidence_store,
        speech_models(request),
        item,
        me.user.id,
    )
    db.commit()
    return item


@router.post("/cases/{case_id}/recordings/{recording_id}/reprocess", status_code=202)
def reprocess_recording(
    case_id: int,
    recording_id: int,
    request: Request,
    me: Principal = require(CASE_WRITE),
    db: Session = Depends(get_db),
) -> RecordingOut:
    """Process a recording whose job failed or was interrupted by a restart (409 otherwise)."""
    item = reprocess(request, db, me, get_recording(db, case_id, recording_id))
    return RecordingOut.model_validate(item)


@router.get("/cases/{case_id}/recordings/{recording_id}/audio")
def recording_audio(
    case_id: int,
    recording_id: int,
    request: Request,
    start: float = Query(0.0, ge=0),
    end: float | None = Query(None, gt=0),
    _: Principal = require(CASE_READ),
    db: Session = Depends(get_db),
) -> Response:
    """A stretch of the recording as 16 kHz WAV (seconds; at most 10 minutes)."""
    item = get_recording(db, case_id, recording_id)
    stop = min(end if end is not None else item.duration_s, item.duration_s, start + 600.0)
    return wav_response(request, item.sha256, start, max(start, stop))


@router.get("/speech/queue")
def transcription_queue(
    me: Principal = require(SIGNED_IN), db: Session = Depends(get_db)
) -> list[SegmentOut]:
    """Segments waiting for a person competent in their language, on the caller's cases."""
    return [SegmentOut.model_validate(s) for s in queue.queue_for(db, me.user)]


@router.get("/speech/segments/{segment_id}/audio")
def segment_audio(
    segment_id: int,
    request: Request,
    around: float = Query(0.0, ge=0, le=AROUND_MAX_S),
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Response:
    """The segment as WAV, with `around` seconds before and after it (to replay context)."""
    segment, recording = queue.get_segment(db, me.user, segment_id)
    start = max(0.0, segment.start_s - around)
    end = min(recording.duration_s, segment.end_s + around)
    return wav_response(request, recording.sha256, start, end)


@router.put("/speech/segments/{segment_id}/transcript")
def put_transcript(
    segment_id: int,
    body: TranscriptIn,
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> TranscriptOut:
    """Type what was said; `approve` confirms it (competence in the language needed)."""
    segment, check = queue.save_transcript(
        db,
        me.user,
        segment_id,
        text=body.text,
        approve=body.approve,
        expected_version=body.version,
    )
    db.commit()
    return TranscriptOut(
        segment=SegmentOut.model_validate(segment),
        orthography_errors=check.errors,
        orthography_warnings=check.warnings,
    )


@router.post("/speech/readback")
async def read_back(body: ReadbackIn, _: Principal = require(SIGNED_IN)) -> Response:
    """Chinese text spoken by espeak-ng (voice cmn) as WAV; 503 where it is not installed."""
    wav = await run_in_threadpool(readback.speak_chinese, body.text)
    return Response(wav, media_type="audio/wav")
