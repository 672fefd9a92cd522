"""Glossary pages: search and term recognition, concept details, proposals, import/export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import Principal, get_db, get_settings
from interp_service.config import Settings
from interp_service.errors import AppError
from interp_service.evidence.routes import get_store
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary import curation, importing, recordings, searching
from interp_service.glossary import repository as repo
from interp_service.glossary.releases import current_release
from interp_service.glossary.schemas import ConceptEdit, ProposalCreate, TermEdit
from interp_service.web.forms import error_of, form_values, parse, posted_form
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


@router.get("/glossary")
def glossary_home(
    request: Request,
    q: str = Query("", max_length=200),
    language: str = Query("", pattern=r"^([a-z]{3})?$"),
    sentence: str = Query("", max_length=2000),
    sentence_language: str = Query("cmn", pattern=r"^[a-z]{3}$"),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Response:
    hits = searching.lookup(request.app, db, q, language or None, 30) if q.strip() else []
    pieces: list[tuple[str, Any]] = []
    if sentence.strip():
        found = searching.recognise(request.app, db, sentence, sentence_language)
        pieces = searching.highlight(sentence, found.matches)
    return render(
        request,
        "glossary.html",
        q=q,
        language=language,
        hits=hits,
        sentence=sentence,
        sentence_language=sentence_language,
        pieces=pieces,
        release=current_release(db),
    )


def _concept_page(
    request: Request, db: Session, concept_id: int, status: int = 200, **ctx: Any
) -> Response:
    concept = repo.concept_with_terms(db, concept_id)
    if concept is None:
        return render(request, "error.html", 404, title="未找到", detail="概念不存在")
    term_ids = [t.id for t in concept.terms]
    recs: dict[int, list[Any]] = {}
    for item in repo.recordings_of(db, term_ids):
        recs.setdefault(item.term_id, []).append(item)
    revisions, _ = repo.revisions(db, concept_id=concept_id, limit=20)
    for name in (
        "errors",
        "values",
        "term_errors",
        "term_values",
        "concept_errors",
        "concept_values",
    ):
        ctx.setdefault(name, {})
    return render(
        request,
        "concept.html",
        status=status,
        concept=concept,
        recordings=recs,
        revisions=revisions,
        **ctx,
    )


@router.get("/glossary/concepts/{concept_id}")
def concept_view(
    concept_id: int,
    request: Request,
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Response:
    return _concept_page(request, db, concept_id)


@router.post("/glossary/concepts/{concept_id}/propose")
def propose_term(
    concept_id: int,
    request: Request,
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
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
            curation.propose(db, me.user, data)
            db.commit()
            return RedirectResponse(f"/glossary/concepts/{concept_id}?proposed=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    if "term" in errors:
        errors.setdefault("text", errors.pop("term"))
    return _concept_page(request, db, concept_id, 422, errors=errors, values=values)


@router.post("/glossary/concepts/{concept_id}/verify")
def verify_concept(
    concept_id: int, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> Response:
    curation.verify_concept(db, me.user, concept_id)
    db.commit()
    return RedirectResponse(f"/glossary/concepts/{concept_id}", status_code=303)


@router.post("/glossary/terms/{term_id}/recordings")
def add_recording(
    term_id: int,
    request: Request,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
    store: EvidenceStore = Depends(get_store),
    settings: Settings = Depends(get_settings),
    posted: FormData = Depends(posted_form),
) -> Response:
    term = curation.get_term(db, term_id)
    try:
        recordings.add(db, store, me.user, term_id, posted, settings.max_upload_bytes)
        db.commit()
    except AppError as exc:
        db.rollback()
        return _concept_page(
            request, db, term.concept_id, exc.status, recording_error={term_id: exc.detail}
        )
    return RedirectResponse(f"/glossary/concepts/{term.concept_id}", status_code=303)


@router.post("/glossary/revisions/{revision_id}/revert")
def revert(
    revision_id: int,
    request: Request,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
) -> Response:
    revision = curation.revert(db, me.user, revision_id)
    db.commit()
    target = f"/glossary/concepts/{revision.concept_id}" if revision.concept_id else "/glossary"
    return RedirectResponse(target, status_code=303)


@router.get("/glossary/proposals")
def proposals_page(
    request: Request,
    state: str = Query("pending", pattern="^(pending|approved|rejected)$"),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Response:
    rows, total = repo.proposals(db, state=state, limit=200)
    concepts = {
        c.id: c for c in repo.concepts_by_id(db, [p.concept_id for p in rows if p.concept_id])
    }
    return render(
        request, "proposals.html", proposals=rows, total=total, state=state, concepts=concepts
    )


@router.post("/glossary/proposals/{proposal_id}/{decision}")
def decide(
    proposal_id: int,
    decision: str,
    request: Request,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    note = str(posted.get("note") or "")[:2000]
    try:
        if decision == "approve":
            curation.approve(db, me.user, proposal_id, note)
        elif decision == "reject":
            curation.reject(db, me.user, proposal_id, note)
        else:
            return render(request, "error.html", 404, title="未找到", detail="未知操作")
        db.commit()
    except AppError as exc:
        db.rollback()
        rows, total = repo.proposals(db, state="pending", limit=200)
        concepts = {
            c.id: c for c in repo.concepts_by_id(db, [p.concept_id for p in rows if p.concept_id])
        }
        return render(
            request,
            "proposals.html",
            exc.status,
            proposals=rows,
            total=total,
            state="pending",
            concepts=concepts,
            decision_error={proposal_id: exc.detail},
        )
    return RedirectResponse("/glossary/proposals", status_code=303)


@router.get("/glossary/import")
def import_page(
    request: Request, _: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> Response:
    return render(request, "glossary_import.html", report=None, release=current_release(db))


@router.post("/glossary/import")
def import_submit(
    request: Request,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    dry_run = posted.get("action") != "import"
    try:
        upload = recordings.form_file(posted)
        fmt = str(posted.get("format") or "") or importing.guess_format(upload.filename or "")
        outcome = importing.import_glossary(db, me.user, upload.file.read(), fmt, dry_run=dry_run)
    except AppError as exc:
        db.rollback()
        return render(
            request,
            "glossary_import.html",
            exc.status,
            report=None,
            error=exc.detail,
            release=current_release(db),
        )
    report = importing.report(outcome, fmt, dry_run)
    if report.ok and not dry_run:
        db.commit()
    else:
        db.rollback()
    return render(
        request,
        "glossary_import.html",
        200 if report.ok else 422,
        report=report,
        release=current_release(db),
    )


def _term_form(values: dict[str, Any]) -> dict[str, Any]:
    fields = ("language", "variety", "text", "part_of_speech", "status", "usage_note", "source")
    return {k: values[k] for k in fields if values.get(k) not in (None,)}


@router.post("/glossary/terms/{term_id}/edit")
def edit_term(
    term_id: int,
    request: Request,
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Admins change a term directly; everyone else files a change proposal."""
    term = curation.get_term(db, term_id)
    concept_id = term.concept_id
    values = form_values(posted)
    fields = _term_form(values)
    try:
        if me.is_admin:
            data, errors = parse(TermEdit, {**fields, "version": values.get("version")})
            if data is not None:
                curation.edit_term(db, me.user, term_id, data)
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
                curation.propose(db, me.user, proposal)
        if not errors:
            db.commit()
            done = "saved" if me.is_admin else "proposed"
            return RedirectResponse(f"/glossary/concepts/{concept_id}?{done}=1", status_code=303)
    except AppError as exc:
        db.rollback()
        errors = error_of(exc)
    return _concept_page(
        request, db, concept_id, 422, term_errors={term_id: errors}, term_values={term_id: values}
    )


@router.post("/glossary/concepts/{concept_id}/edit")
def edit_concept(
    concept_id: int,
    request: Request,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
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
            curation.edit_concept(db, me.user, concept_id, data)
            db.commit()
            return RedirectResponse(f"/glossary/concepts/{concept_id}?saved=1", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
    return _concept_page(request, db, concept_id, 422, concept_errors=errors, concept_values=values)
