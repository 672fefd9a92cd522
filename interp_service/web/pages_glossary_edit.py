"""Glossary pages that change things: propose and edit terms, edit and verify concepts,
revert revisions, attach recordings. Errors re-render the concept page beside the field."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal
from interp_service.api.ids import Id
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.glossary import editing, recordings, service
from interp_service.glossary.schemas import ConceptEdit, ProposalCreate, TermEdit
from interp_service.web.forms import error_of, form_values, parse
from interp_service.web.pages_glossary import concept_page

router = APIRouter(include_in_schema=False)


@router.post("/glossary/concepts/{concept_id}/propose")
def propose_term(
    concept_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    fields = ("language", "variety", "text", "part_of_speech", "status", "usage_note", "source")
    term = {k: values[k] for k in fields if values.get(k)}
    data, errors = parse(
        ProposalCreate,
        {
            "kind": "new_term",
            "concept_id": concept_id,
            "term": term,
            "comment": values.get("comment", ""),
        },
    )
    if data is not None:
        try:
            service.propose(db, me.user, data)
            return RedirectResponse(f"/glossary/concepts/{concept_id}?proposed=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    if "term" in errors:
        errors.setdefault("text", errors.pop("term"))
    return concept_page(request, db, concept_id, 422, errors=errors, values=values)


@router.post("/glossary/concepts/{concept_id}/verify")
def verify_concept(
    concept_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> Response:
    """Verify a concept; with a definition or citations, that is their legal review."""
    try:
        editing.verify_concept(db, me.user, concept_id)
    except AppError as exc:
        db.rollback()
        return concept_page(request, db, concept_id, exc.status, verify_error=exc.detail)
    return RedirectResponse(f"/glossary/concepts/{concept_id}", status_code=303)


@router.post("/glossary/terms/{term_id}/recordings")
def add_recording(
    term_id: Id,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    term = service.get_term(db, term_id)
    try:
        recordings.add(db, store, me.user, term_id, posted, settings.max_upload_bytes)
    except AppError as exc:
        db.rollback()
        return concept_page(
            request,
            db,
            term.concept_id,
            exc.status,
            recording_error={term_id: exc.detail},
            recording_values={term_id: form_values(posted)},
        )
    return RedirectResponse(f"/glossary/concepts/{term.concept_id}", status_code=303)


@router.post("/glossary/recordings/{recording_id}/approve")
def approve_recording(
    recording_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> Response:
    item = recordings.get(db, recording_id)
    term = service.get_term(db, item.term_id)
    try:
        recordings.approve(db, me.user, recording_id)
    except AppError as exc:
        db.rollback()
        return concept_page(
            request, db, term.concept_id, exc.status, recording_error={term.id: exc.detail}
        )
    return RedirectResponse(f"/glossary/concepts/{term.concept_id}", status_code=303)


@router.post("/glossary/revisions/{revision_id}/revert")
def revert(
    revision_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> Response:
    revision = editing.revert(db, me.user, revision_id)
    target = f"/glossary/concepts/{revision.concept_id}" if revision.concept_id else "/glossary"
    return RedirectResponse(target, status_code=303)


def _term_form(values: dict[str, Any]) -> dict[str, Any]:
    fields = ("language", "variety", "text", "part_of_speech", "status", "usage_note", "source")
    return {k: values[k] for k in fields if values.get(k) not in (None,)}


@router.post("/glossary/terms/{term_id}/edit")
def edit_term(
    term_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Admins change a term directly; everyone else files a change proposal."""
    term = service.get_term(db, term_id)
    concept_id = term.concept_id
    values = form_values(posted)
    fields = _term_form(values)
    try:
        if me.is_admin:
            data, errors = parse(TermEdit, {**fields, "version": values.get("version")})
            if data is not None:
                editing.edit_term(db, me.user, term_id, data)
        else:
            proposal, errors = parse(
                ProposalCreate,
                {
                    "kind": "change_term",
                    "term_id": term_id,
                    "term": fields,
                    "comment": values.get("comment", ""),
                },
            )
            if proposal is not None:
                service.propose(db, me.user, proposal)
        if not errors:
            done = "saved" if me.is_admin else "proposed"
            return RedirectResponse(f"/glossary/concepts/{concept_id}?{done}=1", status_code=303)
    except AppError as exc:
        db.rollback()
        errors = error_of(exc)
    return concept_page(
        request, db, concept_id, 422, term_errors={term_id: errors}, term_values={term_id: values}
    )


@router.post("/glossary/concepts/{concept_id}/edit")
def edit_concept(
    concept_id: Id,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    values = form_values(posted)
    citations = [c.strip() for c in values.get("citations", "").splitlines() if c.strip()]
    data, errors = parse(
        ConceptEdit,
        {
            "subject_field": values.get("subject_field", ""),
            "definition": values.get("definition", ""),
            "citations": citations,
            "note": values.get("note", ""),
            "version": values.get("version"),
        },
    )
    if data is not None:
        try:
            editing.edit_concept(db, me.user, concept_id, data)
            return RedirectResponse(f"/glossary/concepts/{concept_id}?saved=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    return concept_page(request, db, concept_id, 422, concept_errors=errors, concept_values=values)
