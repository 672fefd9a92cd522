"""API of interview recordings and the transcription queue."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.evidence.service import uploaded_file
from interp_service.evidence.uploads import UPLOAD_SCHEMA, posted_form
from interp_service.glossary.recordings import consent_given
from interp_service.speech import queue, readback, service
from interp_service.speech.schemas import (
    ReadbackIn,
    RecordingDetail,
    RecordingOut,
    SegmentOut,
    TranscriptIn,
    TranscriptOut,
)

router = APIRouter(prefix="/api/v1", tags=["speech"])
AROUND_MAX_S = 10.0
WAV_HEADERS = {"cache-control": "private, max-age=300"}


@router.post(
    "/cases/{case_id}/interviews/{interview_id}/recordings",
    status_code=202,
    openapi_extra=UPLOAD_SCHEMA,
)
async def upload_recording(
    case_id: Id,
    interview_id: Id,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> RecordingOut:
    """Store an interview recording (wav, mp3, ogg/opus, webm, m4a, flac) and start the job
    that segments it; poll the recording (or `/api/v1/jobs/{job_id}`) for progress. The same
    file (SHA-256) again for this interview is 409 with `existing_recording_id` and
    `recording_url`, and nothing is stored."""
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
    return RecordingOut.model_validate(item)


@router.get("/cases/{case_id}/interviews/{interview_id}/recordings")
def list_recordings(
    case_id: Id,
    interview_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> list[RecordingOut]:
    rows = service.list_recordings(db, case_id, interview_id)
    return [RecordingOut.model_validate(r) for r in rows]


@router.get("/cases/{case_id}/recordings/{recording_id}")
def show_recording(
    case_id: Id,
    recording_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> RecordingDetail:
    item, segments = service.recording_with_segments(db, case_id, recording_id)
    detail = RecordingDetail.model_validate(item)
    detail.segments = [SegmentOut.model_validate(s) for s in segments]
    return detail


@router.post("/cases/{case_id}/recordings/{recording_id}/reprocess", status_code=202)
def reprocess_recording(
    case_id: Id,
    recording_id: Id,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> RecordingOut:
    """Process a recording whose job failed or was interrupted by a restart (409 otherwise)."""
    item = service.reprocess(
        db,
        services.job_runner,
        services.session_factory,
        services.evidence_store,
        services.speech_models,
        case_id,
        recording_id,
        me.user.id,
    )
    return RecordingOut.model_validate(item)


@router.get("/cases/{case_id}/recordings/{recording_id}/audio")
def recording_audio(
    case_id: Id,
    recording_id: Id,
    services: Services,
    db: DbSession,
    start: float = Query(0.0, ge=0),
    end: float | None = Query(None, gt=0),
    _: Principal = require(CASE_READ),
) -> Response:
    """A stretch of the recording as 16 kHz WAV (seconds; at most 10 minutes)."""
    wav = service.recording_wav(db, services.evidence_store, case_id, recording_id, start, end)
    return Response(wav, media_type="audio/wav", headers=WAV_HEADERS)


@router.get("/speech/queue")
def transcription_queue(db: DbSession, me: Principal = require(SIGNED_IN)) -> list[SegmentOut]:
    """Segments waiting for a person competent in their language, on the caller's cases."""
    return [SegmentOut.model_validate(s) for s in queue.queue_for(db, me.user)]


@router.get("/speech/segments/{segment_id}/audio")
def segment_audio(
    segment_id: Id,
    services: Services,
    db: DbSession,
    around: float = Query(0.0, ge=0, le=AROUND_MAX_S),
    me: Principal = require(SIGNED_IN),
) -> Response:
    """The segment as WAV, with `around` seconds before and after it (to replay context)."""
    wav = service.segment_wav(db, services.evidence_store, me.user, segment_id, around)
    return Response(wav, media_type="audio/wav", headers=WAV_HEADERS)


@router.put("/speech/segments/{segment_id}/transcript")
def put_transcript(
    segment_id: Id,
    body: TranscriptIn,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
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
