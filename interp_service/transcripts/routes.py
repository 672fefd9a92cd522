"""API of interview transcripts: upload, show, restore removed lines, correct segments,
confirm speakers, send reviewed pairs to the memory review queue, export."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_READ, CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.evidence.service import read_whole, uploaded_file
from interp_service.evidence.uploads import posted_form
from interp_service.transcripts import exports, service
from interp_service.transcripts.forms import UPLOAD_SCHEMA, limits_of, options_of
from interp_service.transcripts.schemas import (
    ChangeOut,
    EditOut,
    RestoreIn,
    SegmentEditIn,
    SegmentOut,
    SpeakerOut,
    SpeakerRoleIn,
    SubmitOut,
    TranscriptDetail,
    TranscriptOut,
    UploadOut,
)

router = APIRouter(prefix="/api/v1", tags=["transcripts"])
FORMAT = Path(pattern="^(docx|pdf|srt|vtt|json)$")


@router.post(
    "/cases/{case_id}/interviews/{interview_id}/transcripts",
    status_code=202,
    openapi_extra=UPLOAD_SCHEMA,
    responses={200: {"description": "The same file was already uploaded to this interview"}},
)
async def upload_transcript(
    case_id: Id,
    interview_id: Id,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Upload a transcript (.txt in UTF-8/UTF-16/GB18030/Big5, .docx, .srt, .vtt) or a
    recording; 202 with the queued transcript (follow `/api/v1/jobs/{job_id}`), or 200 with
    `already_uploaded` when this file is already a transcript of the interview."""
    upload = uploaded_file(posted)
    settings = services.settings
    data = await run_in_threadpool(read_whole, upload.file, settings.max_upload_bytes)
    item, created = await run_in_threadpool(
        service.upload,
        db,
        services.evidence_store,
        me.user,
        case_id,
        interview_id,
        data=data,
        filename=upload.filename or "",
        options=options_of(posted),
        limits=limits_of(settings),
    )
    out = UploadOut.model_validate(item)
    out.already_uploaded = not created
    return JSONResponse(out.model_dump(mode="json"), status_code=202 if created else 200)


@router.get("/cases/{case_id}/interviews/{interview_id}/transcripts")
def list_transcripts(
    case_id: Id, interview_id: Id, db: DbSession, _: Principal = require(CASE_READ)
) -> list[TranscriptOut]:
    return [
        TranscriptOut.model_validate(t) for t in service.list_transcripts(db, case_id, interview_id)
    ]


@router.get("/cases/{case_id}/transcripts/{transcript_id}")
def show_transcript(
    case_id: Id, transcript_id: Id, db: DbSession, _: Principal = require(CASE_READ)
) -> TranscriptDetail:
    seen = service.view(db, case_id, transcript_id)
    return TranscriptDetail(
        **TranscriptOut.model_validate(seen.transcript).model_dump(),
        speakers=[SpeakerOut.model_validate(s) for s in seen.speakers],
        changes=[ChangeOut.model_validate(c) for c in seen.changes],
        segments=[SegmentOut.model_validate(s) for s in seen.segments],
    )


@router.post("/cases/{case_id}/transcripts/{transcript_id}/restore", status_code=202)
def restore_lines(
    case_id: Id,
    transcript_id: Id,
    body: RestoreIn,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> TranscriptOut:
    """Put lines clean-up removed back and process the file again (409 once a segment was
    edited by a person)."""
    item = service.restore_lines(db, me.user, case_id, transcript_id, list(body.lines))
    return TranscriptOut.model_validate(item)


@router.patch("/cases/{case_id}/transcripts/{transcript_id}/segments/{segment_id}")
def edit_segment(
    case_id: Id,
    transcript_id: Id,
    segment_id: Id,
    body: SegmentEditIn,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> SegmentOut:
    """Correct a segment's text, speaker or translation, or mark it reviewed; a stale
    `version` is 409 and every change is kept with who and when."""
    segment = service.edit_segment(db, me.user, case_id, transcript_id, segment_id, body)
    return SegmentOut.model_validate(segment)


@router.get("/cases/{case_id}/transcripts/{transcript_id}/edits")
def list_edits(
    case_id: Id, transcript_id: Id, db: DbSession, _: Principal = require(CASE_READ)
) -> list[EditOut]:
    return [EditOut.model_validate(e) for e in service.edits(db, case_id, transcript_id)]


@router.put("/cases/{case_id}/transcripts/{transcript_id}/speakers")
def set_speaker_role(
    case_id: Id,
    transcript_id: Id,
    body: SpeakerRoleIn,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> SpeakerOut:
    """Confirm what a speaker label is (讯问人 / 当事人 / 译员 / 其他)."""
    speaker = service.set_speaker_role(db, me.user, case_id, transcript_id, body.label, body.role)
    return SpeakerOut.model_validate(speaker)


@router.post("/cases/{case_id}/transcripts/{transcript_id}/submit")
def submit_reviewed(
    case_id: Id, transcript_id: Id, db: DbSession, me: Principal = require(CASE_WRITE)
) -> SubmitOut:
    """Send every reviewed segment with a confirmed translation to the memory review
    queue in one step."""
    sent, skipped = service.submit_reviewed(db, me.user, case_id, transcript_id)
    return SubmitOut(submission_ids=sent, skipped=skipped)


@router.get("/cases/{case_id}/transcripts/{transcript_id}/export.{fmt}")
def export_transcript(
    case_id: Id,
    transcript_id: Id,
    db: DbSession,
    fmt: str = FORMAT,
    me: Principal = require(CASE_READ),
) -> Response:
    """The bilingual transcript as DOCX, PDF, SRT, VTT or JSON."""
    item = service.get_transcript(db, case_id, transcript_id)
    data, media, name = exports.export_file(db, me.user, item, fmt)
    return Response(
        data,
        media_type=media,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )
