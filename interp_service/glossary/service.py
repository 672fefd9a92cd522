"""Curation rules: proposals, approval with language competence, direct edits, revert.

Approving text in a language other than Chinese (`cmn`) requires the approver's competence
in that language (and in the variety, when both name one). A Miao term that fails the
orthography check is stored as typed, unverified, with the reason beside it.

A concept's Chinese definition and statute citations are legal text: approving them (the
concept's verification) requires the legal-review competence `cmn:法律审核`
(`has_legal_review`, `settle_legal_review`), whoever is admin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.glossary.lexicon.spelling import spelling_issues
from interp_service.glossary.orm import Concept, Proposal, Term
from interp_service.glossary.releases import ChangeSet
from interp_service.glossary.schemas import (
    ConceptFields,
    ProposalCreate,
    TermFields,
)
from interp_service.glossary.snapshots import term_snapshot
from interp_service.users.competence import (
    LEGAL_REVIEW_REFUSED,
    has_legal_review,
    require_competence,
)
from interp_service.users.orm import User


def has_legal_text(definition: str | None, citations: list[str] | None) -> bool:
    """Whether there is anything for a legal reviewer to approve."""
    return bool((definition or "").strip() or citations)


def settle_legal_review(
    concept: Concept,
    user: User,
    before: Mapping[str, Any] | None,
    *,
    lenient: bool = False,
) -> Literal["", "demoted", "kept"]:
    """Apply the legal-review rule after `user` changed `concept` (from the snapshot
    `before`, None for a new concept); call it after every change of a concept.

    Giving the concept `approved` verification, or changing the definition or citations of
    an approved concept, approves legal text; withdrawing the approval speaks for it too.
    Either needs `has_legal_review(user)` when the concept has (or had) a definition or
    citations. Without it: 403 (`Forbidden`), or with `lenient` (an import) the change is
    softened instead: an approval becomes `unverified` ("demoted"), a withdrawal of an
    approval whose text is unchanged is not applied ("kept"). The approver is stamped in
    `verified_by`/`verified_at`; an unverified concept carries no stamp.
    """
    was_approved = before is not None and before.get("verification") == "approved"
    approved = concept.verification == "approved"
    text_changed = (
        before is None
        or before.get("definition") != concept.definition
        or list(before.get("citations") or []) != list(concept.citations or [])
    )
    approves = approved and (not was_approved or text_changed)
    withdraws = was_approved and not approved
    legal = has_legal_text(concept.definition, concept.citations) or (
        before is not None and has_legal_text(before.get("definition"), before.get("citations"))
    )
    outcome: Literal["", "demoted", "kept"] = ""
    if (approves or withdraws) and legal and not has_legal_review(user):
        if not lenient:
            raise Forbidden(LEGAL_REVIEW_REFUSED)
        if withdraws and not text_changed:
            concept.verification = "approved"
            return "kept"  # the stamp of whoever approved it stays
        if approves:
            concept.verification, approves, outcome = "unverified", False, "demoted"
    if concept.verification != "approved":
        concept.verified_by, concept.verified_at = None, None
    elif approves:
        concept.verified_by, concept.verified_at = user.id, utcnow()
    return outcome


def get_concept(session: Session, concept_id: int) -> Concept:
    concept = session.get(Concept, concept_id)
    if concept is None:
        raise NotFound("概念不存在")
    return concept


def get_term(session: Session, term_id: int) -> Term:
    term = session.get(Term, term_id)
    if term is None:
        raise NotFound("术语不存在")
    return term


def duplicate_term(
    session: Session, concept_id: int, fields: TermFields, except_id: int | None = None
) -> bool:
    stmt = select(Term.id).where(
        Term.concept_id == concept_id,
        Term.language == fields.language,
        Term.variety == fields.variety,
        Term.text == fields.text,
    )
    found = session.scalar(stmt)
    return found is not None and found != except_id


def propose(session: Session, user: User, data: ProposalCreate) -> Proposal:
    """Record a proposal for an admin to decide; nothing in the glossary changes yet."""
    payload: dict[str, Any] = {}
    language = variety = ""
    if data.kind in ("new_term", "change_term"):
        if data.term is None:
            raise ValidationFailed("请填写术语", field="term")
        payload["term"] = data.term.model_dump()
        language, variety = data.term.language, data.term.variety
    if data.kind == "new_term":
        if data.concept_id is None:
            raise ValidationFailed("请选择概念", field="concept_id")
        get_concept(session, data.concept_id)
        assert data.term is not None
        if duplicate_term(session, data.concept_id, data.term):
            raise Conflict("该概念下已有相同的术语", field="term")
    elif data.kind == "change_term":
        if data.term_id is None:
            raise ValidationFailed("请选择要修改的术语", field="term_id")
        term = get_term(session, data.term_id)
        data.concept_id = term.concept_id
        assert data.term is not None
        if duplicate_term(session, term.concept_id, data.term, except_id=term.id):
            raise Conflict("该概念下已有相同的术语", field="text")
        payload["before"] = term_snapshot(term)
    else:
        if data.concept is None:
            raise ValidationFailed("请填写概念", field="concept")
        if data.term is None or data.term.language != "cmn":
            raise ValidationFailed("新概念至少需要一个汉语术语", field="term")
        payload["concept"] = data.concept.model_dump()
        payload["term"] = data.term.model_dump()
    proposal = Proposal(
        kind=data.kind,
        concept_id=None if data.kind == "new_concept" else data.concept_id,
        term_id=data.term_id if data.kind == "change_term" else None,
        language=language,
        variety=variety,
        payload=payload,
        comment=data.comment,
        proposed_by=user.id,
    )
    session.add(proposal)
    session.flush()
    record(
        session,
        Actor(user.id, user.username),
        "glossary.propose",
        "proposal",
        proposal.id,
        details={"kind": data.kind, "language": language},
    )
    return proposal


def _claim(session: Session, proposal_id: int, decision: str) -> Proposal:
    """Move a pending proposal to `decision` in one conditional UPDATE: of two admins
    deciding at once, the second finds it no longer pending (409)."""
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("提议不存在")
    claimed = session.execute(
        update(Proposal)
        .where(Proposal.id == proposal_id, Proposal.state == "pending")
        .values(state=decision)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(proposal)
        raise Conflict(f"该提议已处理（{proposal.state}）")
    session.refresh(proposal)
    return proposal


def set_term_fields(term: Term, fields: dict[str, Any], approver: User) -> None:
    for name in ("language", "variety", "text", "part_of_speech", "status", "usage_note", "source"):
        if name in fields:
            setattr(term, name, fields[name])
    issues = spelling_issues(term.language, term.text)
    term.orthography_issues = issues
    term.verification = "unverified" if issues else "approved"
    stamp_approval(term, approver)


def stamp_approval(term: Term, user: User) -> None:
    """Name `user` as the approver of an approved term; clear the stamp otherwise."""
    if term.verification == "approved":
        term.approved_by, term.approved_at = user.id, utcnow()
    else:
        term.approved_by, term.approved_at = None, None


def approve(session: Session, admin: User, proposal_id: int, note: str = "") -> Proposal:
    """Apply a proposal as one release. The approver needs competence in its language."""
    proposal = _claim(session, proposal_id, "approved")
    actor = Actor(admin.id, admin.username)
    changes = ChangeSet(session, actor, f"proposal {proposal.id}", proposal_id=proposal.id)
    term_fields = proposal.payload.get("term", {})
    require_competence(admin, term_fields.get("language", ""), term_fields.get("variety", ""))
    if proposal.kind == "new_concept":
        concept = Concept(
            external_id=f"c-{utcnow():%Y%m%d%H%M%S}-{proposal.id}",
            verification="approved",
            **ConceptFields(**proposal.payload["concept"]).model_dump(),
        )
        # Approving the proposal approves its definition and citations: legal review.
        settle_legal_review(concept, admin, None)
        session.add(concept)
        session.flush()
        changes.concept_changed(concept, "create", None)
        proposal.concept_id = concept.id
    if proposal.kind in ("new_term", "new_concept"):
        assert proposal.concept_id is not None
        fields = TermFields(**term_fields)
        if duplicate_term(session, proposal.concept_id, fields):
            raise Conflict("该概念下已有相同的术语")
        term = Term(concept_id=proposal.concept_id)
        set_term_fields(term, fields.model_dump(), admin)
        session.add(term)
        session.flush()
        proposal.term_id = term.id
        changes.term_changed(term, "create", None)
    else:
        term = get_term(session, proposal.term_id or 0)
        require_competence(admin, term.language, term.variety)
        before = term_snapshot(term)
        if before != proposal.payload.get("before"):
            raise Conflict("该术语在提议之后已被修改，请重新提议")
        if duplicate_term(session, term.concept_id, TermFields(**term_fields), except_id=term.id):
            raise Conflict("该概念下已有相同的术语")
        set_term_fields(term, term_fields, admin)
        session.flush()
        changes.term_changed(term, "update", before)
    proposal.decided_by, proposal.decided_at, proposal.decision_note = admin.id, utcnow(), note
    changes.close()
    record(
        session,
        actor,
        "glossary.approve",
        "proposal",
        proposal.id,
        details={"term_id": proposal.term_id, "concept_id": proposal.concept_id},
    )
    return proposal


def reject(session: Session, admin: User, proposal_id: int, note: str) -> Proposal:
    proposal = _claim(session, proposal_id, "rejected")
    proposal.decided_by, proposal.decided_at, proposal.decision_note = admin.id, utcnow(), note
    session.flush()
    record(session, Actor(admin.id, admin.username), "glossary.reject", "proposal", proposal.id)
    return proposal
