"""Glossary pages: search and term recognition, concept details, proposals, import/export."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, get_services
from interp_service.api.ids import Id
from interp_service.errors import AppError
from interp_service.evidence import service as evidence
from interp_service.evidence.uploads import posted_form
from interp_service.glossary import repository as repo
from interp_service.glossary import service
from interp_service.glossary.exchange import importing
from interp_service.glossary.orm import Concept
from interp_service.glossary.releases import current_release
from interp_service.glossary.search import searching
from interp_service.users import competence
from interp_service.users.orm import User
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 30


@router.get("/glossary")
def glossary_home(
    request: Request,
    db: DbSession,
    q: str = Query("", max_length=200),
    language: str = Query("", pattern=r"^([a-z]{3})?$"),
    sentence: str = Query("", max_length=2000),
    sentence_language: str = Query("cmn", pattern=r"^[a-z]{3}$"),
    _: Principal = require(SIGNED_IN),
) -> Response:
    hits = (
        searching.lookup(get_services(request).glossary_index, db, q, language or None, 30)
        if q.strip()
        else []
    )
    pieces: list[tuple[str, Any]] = []
    if sentence.strip():
        found = searching.recognise(
            get_services(request).glossary_index, db, sentence, sentence_language
        )
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


def _may_review(request: Request) -> bool:
    """Whether the caller holds the legal-review competence (cmn:法律审核)."""
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal is not None and competence.has_legal_review(principal.user)


def _citations_as_shipped(db: Session, concept: Concept) -> bool:
    """Whether the concept's citations are still those the project's draft glossary came
    with (each checked by the test suite to name an existing article): last set by an
    import, and its terms say `project draft`. Citations typed or edited since are not."""
    if not concept.citations or not any(
        t.source.strip().casefold() == "project draft" for t in concept.terms
    ):
        return False
    for r in repo.concept_revisions_newest_first(db, concept.id):
        if r.before is None or r.before.get("citations") != (r.after or {}).get("citations"):
            return r.action == "import"
    return False


def legal_review_state(request: Request, db: Session, concept: Concept) -> dict[str, Any]:
    """What the concept page says about the legal review of the definition and citations."""
    reviewer = db.get(User, concept.verified_by) if concept.verified_by else None
    return {
        "legal_text": service.has_legal_text(concept.definition, concept.citations),
        "reviewer": reviewer,
        # A stamp from before the rule, or from someone without the competence, is no review.
        "reviewed": concept.verification == "approved"
        and reviewer is not None
        and competence.has_legal_review(reviewer),
        "may_review": _may_review(request),
        "citations_checked": _citations_as_shipped(db, concept),
        "refused": competence.LEGAL_REVIEW_REFUSED,
    }


def concept_page(
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
        review=legal_review_state(request, db, concept),
        **ctx,
    )


@router.get("/glossary/concepts/{concept_id}")
def concept_view(
    concept_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(SIGNED_IN),
) -> Response:
    return concept_page(request, db, concept_id)


@router.get("/glossary/proposals")
def proposals_page(
    request: Request,
    db: DbSession,
    state: str = Query("pending", pattern="^(pending|approved|rejected)$"),
    _: Principal = require(SIGNED_IN),
) -> Response:
    return _proposals(request, db, state)


def _proposals(
    request: Request, db: Session, state: str, status: int = 200, **ctx: Any
) -> Response:
    rows, total = repo.proposals(db, state=state, limit=200)
    ids = [p.concept_id for p in rows if p.concept_id]
    concepts = {c.id: c for c in repo.concepts_by_id(db, ids)}
    return render(
        request,
        "proposals.html",
        status,
        proposals=rows,
        total=total,
        state=state,
        concepts=concepts,
        may_review=_may_review(request),
        refused=competence.LEGAL_REVIEW_REFUSED,
        **ctx,
    )


@router.post("/glossary/proposals/{proposal_id}/{decision}")
def decide(
    proposal_id: Id,
    decision: str,
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    note = str(posted.get("note") or "")[:2000]
    try:
        if decision == "approve":
            service.approve(db, me.user, proposal_id, note)
        elif decision == "reject":
            service.reject(db, me.user, proposal_id, note)
        else:
            return render(request, "error.html", 404, title="未找到", detail="未知操作")
    except AppError as exc:
        db.rollback()
        return _proposals(
            request, db, "pending", exc.status, decision_error={proposal_id: exc.detail}
        )
    return RedirectResponse("/glossary/proposals", status_code=303)


@router.get("/glossary/import")
def import_page(
    request: Request,
    db: DbSession,
    _: Principal = require(ADMIN),
) -> Response:
    return render(request, "glossary_import.html", report=None, release=current_release(db))


@router.post("/glossary/import")
def import_submit(
    request: Request,
    db: DbSession,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    dry_run = posted.get("action") != "import"
    try:
        upload = evidence.uploaded_file(posted)
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
    if dry_run or not report.ok:
        db.rollback()  # a dry run or a refused file leaves nothing behind
    return render(
        request,
        "glossary_import.html",
        200 if report.ok else 422,
        report=report,
        release=current_release(db),
    )
