"""The review forms of one transcript: restore lines clean-up removed, correct a segment
(a stale version shows the other person's text and keeps what this person typed), confirm
a speaker's role, and send the reviewed segments to the memory review queue. Each posts,
calls one service function and returns to the transcript page, or re-renders it with the
service's message beside the form."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.errors import AppError, Conflict
from interp_service.evidence.uploads import posted_form
from interp_service.transcripts import service
from interp_service.transcripts.schemas import RestoreIn, SegmentEditIn, SpeakerRoleIn
from interp_service.web import transcript_view as view
from interp_service.web.forms import form_values, parse
from interp_service.web.pages_transcripts import detail_page, detail_url

router = APIRouter(include_in_schema=False)


@router.post("/cases/{case_id}/transcripts/{transcript_id}/restore")
def restore_lines(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    ticked = view.restore_lines(posted)
    body, errors = parse(RestoreIn, {"lines": ticked})
    if body is None:
        reason = "；".join(errors.values()) if ticked else "请勾选要恢复的行"
        return detail_page(request, db, services, case_id, transcript_id, 422, restore_error=reason)
    try:
        service.restore_lines(db, me.user, case_id, transcript_id, list(body.lines))
    except AppError as exc:
        db.rollback()
        return detail_page(
            request, db, services, case_id, transcript_id, exc.status, restore_error=exc.detail
        )
    # The new processing job is dispatched when the request's session commits.
    return RedirectResponse(
        f"{detail_url(case_id, transcript_id)}?restored={len(set(body.lines))}",
        status_code=303,
    )


@router.post("/cases/{case_id}/transcripts/{transcript_id}/segments/{segment_id}")
def save_segment(
    case_id: Id,
    transcript_id: Id,
    segment_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    body, errors = parse(SegmentEditIn, view.segment_fields(values))
    try:
        if body is None:
            return detail_page(
                request,
                db,
                services,
                case_id,
                transcript_id,
                422,
                segment_error={segment_id: "；".join(errors.values())},
                segment_values={segment_id: values},
            )
        service.edit_segment(db, me.user, case_id, transcript_id, segment_id, body)
    except Conflict as exc:
        # Someone saved the row first: show theirs, and what this person typed beside it.
        db.rollback()
        return detail_page(
            request,
            db,
            services,
            case_id,
            transcript_id,
            exc.status,
            segment_error={segment_id: exc.detail},
            segment_lost={segment_id: values},
        )
    except AppError as exc:
        db.rollback()
        return detail_page(
            request,
            db,
            services,
            case_id,
            transcript_id,
            exc.status,
            segment_error={segment_id: exc.detail},
            segment_values={segment_id: values},
        )
    return RedirectResponse(
        f"{detail_url(case_id, transcript_id)}?saved={segment_id}#segment-{segment_id}",
        status_code=303,
    )


@router.post("/cases/{case_id}/transcripts/{transcript_id}/speakers")
def save_speaker(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    body, errors = parse(SpeakerRoleIn, {k: values.get(k, "") for k in ("label", "role")})
    try:
        if body is None:
            return detail_page(
                request,
                db,
                services,
                case_id,
                transcript_id,
                422,
                speaker_error="；".join(errors.values()),
            )
        service.set_speaker_role(db, me.user, case_id, transcript_id, body.label, body.role)
    except AppError as exc:
        db.rollback()
        return detail_page(
            request, db, services, case_id, transcript_id, exc.status, speaker_error=exc.detail
        )
    return RedirectResponse(
        f"{detail_url(case_id, transcript_id)}?speaker=1#speakers", status_code=303
    )


@router.post("/cases/{case_id}/transcripts/{transcript_id}/submit")
def submit_reviewed(
    case_id: Id,
    transcript_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
) -> Response:
    try:
        sent, skipped = service.submit_reviewed(db, me.user, case_id, transcript_id)
    except AppError as exc:
        db.rollback()
        return detail_page(
            request, db, services, case_id, transcript_id, exc.status, submit_error=exc.detail
        )
    return RedirectResponse(
        f"{detail_url(case_id, transcript_id)}?submitted={len(sent)}&skipped={skipped}",
        status_code=303,
    )
