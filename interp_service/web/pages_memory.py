"""Translation-memory pages: the admins' review queue (approve, with an edited target, or
reject with a reason) and the phrasebook, where an admin competent in Miao fills in and
approves the Miao side of a shipped draft, and uploads (or records in the browser, with
`recorder.js`) and approves a recording of it. Errors re-render the page beside the item."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal
from interp_service.api.ids import Id
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.glossary.recordings import MAX_RECORDING_S
from interp_service.memory import entries, recordings, service, views
from interp_service.memory import repository as repo
from interp_service.memory.phrasebook import CATEGORY_LABELS
from interp_service.memory.schemas import EntryEdit
from interp_service.users.competence import has_competence
from interp_service.users.orm import User
from interp_service.web.forms import error_of, form_values, parse
from interp_service.web.labels import language
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
ORIGIN_LABELS = {
    "interview": "讯问/询问",
    "transcript": "笔录转写",
    "phrasebook": "常用语手册",
    "import": "导入",
}
QUEUE_SIZE = 100


def _competent(user: User, *sides: tuple[str, str]) -> bool:
    return all(has_competence(user, language, variety) for language, variety in sides)


def _lacking(user: User, *sides: tuple[str, str]) -> str:
    """The languages (with variety) the user lacks competence in, for a message; "" if none."""
    return "、".join(
        language(code) + (f"（{variety}）" if variety else "")
        for code, variety in sides
        if not has_competence(user, code, variety)
    )


def _review(
    request: Request, db: Session, me: Principal, status: int = 200, **ctx: Any
) -> Response:
    rows, total = repo.submissions(db, status="pending", limit=QUEUE_SIZE)
    items = views.queue_items(db, rows)
    names = repo.display_names(db, [s.submitted_by for s in rows])
    lacking = {
        s.id: _lacking(
            me.user,
            (s.source_language, s.source_variety),
            (s.target_language, s.target_variety),
        )
        for s in rows
    }
    ctx.setdefault("decision_error", {})
    ctx.setdefault("decision_values", {})
    return render(
        request,
        "memory_review.html",
        status,
        items=items,
        total=total,
        names=names,
        lacking=lacking,
        origins=ORIGIN_LABELS,
        **ctx,
    )


@router.get("/memory/review")
def review_page(
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> Response:
    return _review(request, db, me)


@router.post("/memory/review/{submission_id}/approve")
def approve(
    submission_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    note = values.get("note", "")[:2000]
    edited = values.get("edited_target", "").strip() or None
    try:
        service.approve(db, me.user, submission_id, note, edited)
    except AppError as exc:
        db.rollback()
        return _review(
            request,
            db,
            me,
            exc.status,
            decision_error={submission_id: exc.detail},
            decision_values={submission_id: values},
        )
    return RedirectResponse("/memory/review?approved=1", status_code=303)


@router.post("/memory/review/{submission_id}/reject")
def reject(
    submission_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    try:
        service.reject(db, me.user, submission_id, values.get("note", "")[:2000])
    except AppError as exc:
        db.rollback()
        return _review(
            request,
            db,
            me,
            exc.status,
            decision_error={submission_id: exc.detail},
            decision_values={submission_id: values},
        )
    return RedirectResponse("/memory/review?rejected=1", status_code=303)


def _phrasebook(
    request: Request, db: Session, me: Principal, status: int = 200, **ctx: Any
) -> Response:
    rows = repo.phrasebook(db)
    phrases = [views.phrase_out(e) for e in rows]
    recording_info = {
        e.id: {"speaker": e.recording_speaker, "consent": e.recording_consent}
        for e in rows
        if e.recording_sha256
    }
    names = repo.display_names(db, [p.approved_by for p in phrases if p.approved_by])
    may_edit = {
        p.id: me.is_admin
        and _competent(
            me.user,
            (p.source_language, p.source_variety),
            (p.target_language, p.target_variety),
        )
        for p in phrases
    }
    for name in ("phrase_errors", "phrase_values", "recording_errors", "recording_values"):
        ctx.setdefault(name, {})
    return render(
        request,
        "memory_phrasebook.html",
        status,
        phrases=phrases,
        names=names,
        may_edit=may_edit,
        recording_info=recording_info,
        max_recording_s=int(MAX_RECORDING_S),
        categories=CATEGORY_LABELS,
        **ctx,
    )


@router.get("/memory/phrasebook")
def phrasebook_page(
    request: Request,
    db: DbSession,
    category: str = Query("", pattern="^(rights_notice|duties_notice|standard_question)?$"),
    me: Principal = require(SIGNED_IN),
) -> Response:
    return _phrasebook(request, db, me, category=category)


@router.post("/memory/phrasebook/{entry_id}")
def fill_phrase(
    entry_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Fill in or correct the Miao side of a phrase; saving approves it in the admin's name."""
    values = form_values(posted)
    data, errors = parse(
        EntryEdit,
        {
            "version": values.get("version"),
            "target_text": values.get("target_text", ""),
            "target_variety": values.get("target_variety", ""),
        },
    )
    if data is not None:
        try:
            entries.edit_entry(db, me.user, entry_id, data)
            return RedirectResponse(f"/memory/phrasebook?saved={entry_id}", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
            status = exc.status
    else:
        status = 422
    return _phrasebook(
        request,
        db,
        me,
        status,
        category="",
        phrase_errors={entry_id: errors},
        phrase_values={entry_id: values},
    )


@router.post("/memory/phrasebook/{entry_id}/recording")
def add_recording(
    entry_id: Id,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Upload (or send the browser's recording of) the phrase's Miao side; it waits for an
    approval by an admin competent in the variety."""
    try:
        recordings.add(db, store, me.user, entry_id, posted, settings.max_upload_bytes)
    except AppError as exc:
        db.rollback()
        return _phrasebook(
            request,
            db,
            me,
            exc.status,
            category="",
            recording_errors={entry_id: error_of(exc)},
            recording_values={entry_id: form_values(posted)},
        )
    return RedirectResponse(
        f"/memory/phrasebook?recorded={entry_id}#phrase-{entry_id}", status_code=303
    )


@router.post("/memory/phrasebook/{entry_id}/recording/approve")
def approve_recording(
    entry_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Approve the recording the admin listened to (the form names its SHA-256)."""
    sha256 = form_values(posted).get("sha256") or None
    try:
        recordings.approve(db, me.user, entry_id, sha256)
    except AppError as exc:
        db.rollback()
        return _phrasebook(
            request,
            db,
            me,
            exc.status,
            category="",
            recording_errors={entry_id: error_of(exc)},
        )
    return RedirectResponse(
        f"/memory/phrasebook?recording_approved={entry_id}#phrase-{entry_id}", status_code=303
    )
