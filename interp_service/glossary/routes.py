"""API routes of the glossary: browse, propose, decide, edit, revert, import, export,
lookup, term recognition and recordings."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response, StreamingResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import Principal, get_db, get_settings
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.config import Settings
from interp_service.evidence.routes import get_store
from interp_service.evidence.service import uploaded_file
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary import curation, editing, importing, recordings, searching
from interp_service.glossary import repository as repo
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
from interp_service.web.forms import posted_form

router = APIRouter(prefix="/api/v1/glossary", tags=["glossary"])


@router.get("/concepts")
def list_concepts(
    q: str = Query("", max_length=100),
    subject: str | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Page[ConceptOut]:
    rows, total = repo.list_concepts(
        db, q=q, subject=subject, offset=paging.offset, limit=paging.size
    )
    return Page.of([ConceptOut.model_validate(c) for c in rows], paging, total)


@router.get("/concepts/{concept_id}")
def get_concept(
    concept_id: int, _: Principal = require(SIGNED_IN), db: Session = Depends(get_db)
) -> ConceptOut:
    return ConceptOut.model_validate(curation.get_concept(db, concept_id))


@router.put("/concepts/{concept_id}")
def edit_concept(
    concept_id: int,
    body: ConceptEdit,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
) -> ConceptOut:
    concept = editing.edit_concept(db, me.user, concept_id, body)
    db.commit()
    return ConceptOut.model_validate(concept)


@router.post("/concepts/{concept_id}/verify")
def verify_concept(
    concept_id: int, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> ConceptOut:
    """An admin confirms a drafted definition and its citations."""
    concept = editing.verify_concept(db, me.user, concept_id)
    db.commit()
    return ConceptOut.model_validate(concept)


@router.put("/terms/{term_id}")
def edit_term(
    term_id: int, body: TermEdit, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> TermOut:
    term = editing.edit_term(db, me.user, term_id, body)
    db.commit()
    return TermOut.model_validate(term)


@router.post("/proposals", status_code=201)
def propose(
    body: ProposalCreate, me: Principal = require(SIGNED_IN), db: Session = Depends(get_db)
) -> ProposalOut:
    """Propose a new term, a change, or a new concept; an admin decides."""
    proposal = curation.propose(db, me.user, body)
    db.commit()
    return ProposalOut.model_validate(proposal)


@router.get("/proposals")
def list_proposals(
    state: str | None = Query("pending", pattern="^(pending|approved|rejected)?$"),
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Page[ProposalOut]:
    rows, total = repo.proposals(db, state=state or None, offset=paging.offset, limit=paging.size)
    return Page.of([ProposalOut.model_validate(p) for p in rows], paging, total)


@router.post("/proposals/{proposal_id}/approve")
def approve(
    proposal_id: int, body: Decision, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> ProposalOut:
    proposal = curation.approve(db, me.user, proposal_id, body.note)
    db.commit()
    return ProposalOut.model_validate(proposal)


@router.post("/proposals/{proposal_id}/reject")
def reject(
    proposal_id: int, body: Decision, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> ProposalOut:
    proposal = curation.reject(db, me.user, proposal_id, body.note)
    db.commit()
    return ProposalOut.model_validate(proposal)


@router.get("/revisions")
def list_revisions(
    concept_id: int | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> Page[RevisionOut]:
    rows, total = repo.revisions(db, concept_id=concept_id, offset=paging.offset, limit=paging.size)
    return Page.of([RevisionOut.model_validate(r) for r in rows], paging, total)


@router.post("/revisions/{revision_id}/revert")
def revert(
    revision_id: int, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> RevisionOut:
    revision = editing.revert(db, me.user, revision_id)
    db.commit()
    return RevisionOut.model_validate(revision)


@router.get("/release")
def release(_: Principal = require(SIGNED_IN), db: Session = Depends(get_db)) -> dict[str, int]:
    return {"release": current_release(db)}


@router.post("/import")
def import_file(
    dry_run: bool = False,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
    posted: FormData = Depends(posted_form),
) -> ImportReport:
    """Check (and unless `dry_run`, apply) a TBX, TSV or CSV file; all or nothing."""
    upload = uploaded_file(posted)
    fmt = str(posted.get("format") or "") or importing.guess_format(upload.filename or "")
    outcome = importing.import_glossary(db, me.user, upload.file.read(), fmt, dry_run=dry_run)
    importing.raise_for_problems(outcome)
    if not dry_run:
        db.commit()
    return importing.report(outcome, fmt, dry_run)


@router.get("/export")
def export_file(
    format: str = Query("tbx", pattern="^(tbx|tsv|csv)$"),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
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
    q: str = Query(min_length=1, max_length=200),
    language: str | None = Query(None, pattern=r"^[a-z]{3}$"),
    limit: int = Query(20, ge=1, le=100),
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> list[LookupHitOut]:
    """Ranked terms for a Chinese, Miao or English query, with status and verification."""
    return searching.lookup(request.app, db, q, language, limit)


@router.post("/recognise")
def recognise(
    request: Request,
    body: RecogniseIn,
    _: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
) -> RecogniseOut:
    """Every glossary term in a sentence, with spans, longest first, overlaps resolved."""
    return searching.recognise(request.app, db, body.text, body.language)


@router.post("/terms/{term_id}/recordings", status_code=201)
def add_recording(
    term_id: int,
    me: Principal = require(ADMIN),
    db: Session = Depends(get_db),
    store: EvidenceStore = Depends(get_store),
    settings: Settings = Depends(get_settings),
    posted: FormData = Depends(posted_form),
) -> RecordingOut:
    item = recordings.add(db, store, me.user, term_id, posted, settings.max_upload_bytes)
    db.commit()
    return RecordingOut.model_validate(item)


@router.post("/recordings/{recording_id}/approve")
def approve_recording(
    recording_id: int, me: Principal = require(ADMIN), db: Session = Depends(get_db)
) -> RecordingOut:
    """Approve a term recording; needs competence in the term's language."""
    item = recordings.approve(db, me.user, recording_id)
    db.commit()
    return RecordingOut.model_validate(item)


@router.get("/recordings/{recording_id}/content")
def play_recording(
    recording_id: int,
    me: Principal = require(SIGNED_IN),
    db: Session = Depends(get_db),
    store: EvidenceStore = Depends(get_store),
) -> StreamingResponse:
    """An approved recording for everyone; an unapproved one only for admins."""
    item = recordings.playable(db, me.user, recording_id)
    return StreamingResponse(
        store.read_verified(item.sha256),
        media_type=item.media_type,
        headers={"x-content-sha256": item.sha256},
    )
