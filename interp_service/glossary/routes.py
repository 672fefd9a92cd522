"""API routes of the glossary: browse, propose, decide, edit, revert, import, export,
lookup, term recognition and recordings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal, get_services
from interp_service.api.ids import Id
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.evidence.service import uploaded_file
from interp_service.evidence.uploads import posted_form
from interp_service.glossary import editing, recordings, service
from interp_service.glossary import repository as repo
from interp_service.glossary.exchange import importing
from interp_service.glossary.releases import current_release
from interp_service.glossary.schemas import (
    ConceptEdit,
    ConceptOut,
    Decision,
    ImportReport,
    LookupHitOut,
    ProposalCreate,
    ProposalOut,
    RecogniseIn,
    RecogniseOut,
    RecordingOut,
    RevisionOut,
    TermEdit,
    TermOut,
)
from interp_service.glossary.search import searching

router = APIRouter(prefix="/api/v1/glossary", tags=["glossary"])


@router.get("/concepts")
def list_concepts(
    db: DbSession,
    q: str = Query("", max_length=100),
    subject: str | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
) -> Page[ConceptOut]:
    rows, total = repo.list_concepts(
        db, q=q, subject=subject, offset=paging.offset, limit=paging.size
    )
    return Page.of([ConceptOut.model_validate(c) for c in rows], paging, total)


@router.get("/concepts/{concept_id}")
def get_concept(
    concept_id: Id,
    db: DbSession,
    _: Principal = require(SIGNED_IN),
) -> ConceptOut:
    return ConceptOut.model_validate(service.get_concept(db, concept_id))


@router.put("/concepts/{concept_id}")
def edit_concept(
    concept_id: Id,
    body: ConceptEdit,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> ConceptOut:
    concept = editing.edit_concept(db, me.user, concept_id, body)
    return ConceptOut.model_validate(concept)


@router.post("/concepts/{concept_id}/verify")
def verify_concept(
    concept_id: Id,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> ConceptOut:
    """An admin confirms a drafted definition and its citations."""
    concept = editing.verify_concept(db, me.user, concept_id)
    return ConceptOut.model_validate(concept)


@router.put("/terms/{term_id}")
def edit_term(
    term_id: Id,
    body: TermEdit,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> TermOut:
    term = editing.edit_term(db, me.user, term_id, body)
    return TermOut.model_validate(term)


@router.post("/proposals", status_code=201)
def propose(
    body: ProposalCreate,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> ProposalOut:
    """Propose a new term, a change, or a new concept; an admin decides."""
    proposal = service.propose(db, me.user, body)
    return ProposalOut.model_validate(proposal)


@router.get("/proposals")
def list_proposals(
    db: DbSession,
    state: str | None = Query("pending", pattern="^(pending|approved|rejected)?$"),
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
) -> Page[ProposalOut]:
    rows, total = repo.proposals(db, state=state or None, offset=paging.offset, limit=paging.size)
    return Page.of([ProposalOut.model_validate(p) for p in rows], paging, total)


@router.post("/proposals/{proposal_id}/approve")
def approve(
    proposal_id: Id,
    body: Decision,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> ProposalOut:
    proposal = service.approve(db, me.user, proposal_id, body.note)
    return ProposalOut.model_validate(proposal)


@router.post("/proposals/{proposal_id}/reject")
def reject(
    proposal_id: Id,
    body: Decision,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> ProposalOut:
    proposal = service.reject(db, me.user, proposal_id, body.note)
    return ProposalOut.model_validate(proposal)


@router.get("/revisions")
def list_revisions(
    db: DbSession,
    concept_id: Id | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
) -> Page[RevisionOut]:
    rows, total = repo.revisions(db, concept_id=concept_id, offset=paging.offset, limit=paging.size)
    return Page.of([RevisionOut.model_validate(r) for r in rows], paging, total)


@router.post("/revisions/{revision_id}/revert")
def revert(
    revision_id: Id,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> RevisionOut:
    revision = editing.revert(db, me.user, revision_id)
    return RevisionOut.model_validate(revision)


@router.get("/release")
def release(db: DbSession, _: Principal = require(SIGNED_IN)) -> dict[str, int]:
    return {"release": current_release(db)}


@router.post("/import")
def import_file(
    db: DbSession,
    dry_run: bool = False,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> ImportReport:
    """Check (and unless `dry_run`, apply) a TBX, TSV or CSV file; all or nothing."""
    upload = uploaded_file(posted)
    fmt = str(posted.get("format") or "") or importing.guess_format(upload.filename or "")
    outcome = importing.import_glossary(db, me.user, upload.file.read(), fmt, dry_run=dry_run)
    importing.raise_for_problems(outcome)
    report = importing.report(outcome, fmt, dry_run)
    if dry_run:
        db.rollback()  # a dry run only checks: nothing it staged is kept
    return report


@router.get("/export")
def export_file(
    db: DbSession,
    format: str = Query("tbx", pattern="^(tbx|tsv|csv)$"),
    _: Principal = require(SIGNED_IN),
) -> Response:
    data = importing.export_glossary(db, format)
    media = {"tbx": "application/x-tbx+xml", "tsv": "text/tab-separated-values", "csv": "text/csv"}[
        format
    ]
    name = f"glossary-r{current_release(db)}.{format}"
    return Response(
        data, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get("/lookup")
def lookup(
    request: Request,
    db: DbSession,
    q: str = Query(min_length=1, max_length=200),
    language: str | None = Query(None, pattern=r"^[a-z]{3}$"),
    limit: int = Query(20, ge=1, le=100),
    _: Principal = require(SIGNED_IN),
) -> list[LookupHitOut]:
    """Ranked terms for a Chinese, Miao or English query, with status and verification."""
    return searching.lookup(get_services(request).glossary_index, db, q, language, limit)


@router.post("/recognise")
def recognise(
    request: Request,
    body: RecogniseIn,
    db: DbSession,
    _: Principal = require(SIGNED_IN),
) -> RecogniseOut:
    """Every glossary term in a sentence, with spans, longest first, overlaps resolved."""
    return searching.recognise(get_services(request).glossary_index, db, body.text, body.language)


@router.post("/terms/{term_id}/recordings", status_code=201)
def add_recording(
    term_id: Id,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> RecordingOut:
    item = recordings.add(db, store, me.user, term_id, posted, settings.max_upload_bytes)
    return RecordingOut.model_validate(item)


@router.post("/recordings/{recording_id}/approve")
def approve_recording(
    recording_id: Id,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> RecordingOut:
    """Approve a term recording; needs competence in the term's language."""
    item = recordings.approve(db, me.user, recording_id)
    return RecordingOut.model_validate(item)


@router.get("/recordings/{recording_id}/content")
def play_recording(
    recording_id: Id,
    db: DbSession,
    store: Evidence,
    me: Principal = require(SIGNED_IN),
) -> StreamingResponse:
    """An approved recording for everyone; an unapproved one only for admins."""
    item = recordings.playable(db, me.user, recording_id)
    return StreamingResponse(
        store.read_verified(item.sha256),
        media_type=item.media_type,
        headers={"x-content-sha256": item.sha256},
    )
