"""Curation rules: proposals, approval with language competence, direct edits, revert.

Approving text in a language other than Chinese (`cmn`) requires the approver's competence
in that language (and in the variety, when both name one). A Miao term that fails the
orthography check is stored as typed, unverified, with the reason beside it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.glossary.orm import Concept, Proposal, Revision, Term
from interp_service.glossary.releases import ChangeSet
from interp_service.glossary.schemas import (
    ConceptEdit,
    ConceptFields,
    ProposalCreate,
    TermEdit,
    TermFields,
)
from interp_service.glossary.snapshots import apply_snapshot, concept_snapshot, term_snapshot
from interp_service.glossary.spelling import spelling_issues
from interp_service.users.orm import User

NO_COMPETENCE_NEEDED = {"cmn"}


def has_competence(user: User, language: str, variety: str) -> bool:
    if language in NO_COMPETENCE_NEEDED:
        return True
    for c in user.competences:
        if c.language == language and (not variety or not c.variety or c.variety == variety):
            return True
    return False


def require_competence(user: User, language: str, variety: str) -> None:
    if not has_competence(user, language, variety):
        label = f"{language} {variety}".strip()
        raise Forbidden(f"批准该语言的文本需要具备相应语言能力（{label}）")


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


def _duplicate(
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
        if _duplicate(session, data.concept_id, data.term):
            raise Conflict("该概念下已有相同的术语", field="term")
    elif data.kind == "change_term":
        if data.term_id is None:
            raise ValidationFailed("请选择要修改的术语", field="term_id")
        term = get_term(session, data.term_id)
        data.concept_id = term.concept_id
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
        concept_id=data.concept_id,
        term_id=data.term_id,
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


def _pending(session: Session, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None:
        raise NotFound("提议不存在")
    if proposal.state != "pending":
        raise Conflict(f"该提议已处理（{proposal.state}）")
    return proposal


def _set_term_fields(term: Term, fields: dict[str, Any], approver: User) -> None:
    for name in ("language", "variety", "text", "part_of_speech", "status", "usage_note", "source"):
        if name in fields:
            setattr(term, name, fields[name])
    issues = spelling_issues(term.language, term.text)
    term.orthography_issues = issues
    if issues:
        term.verification, term.approved_by, term.approved_at = "unverified", None, None
    else:
        term.verification, term.approved_by, term.approved_at = "approved", approver.id, utcnow()


def approve(session: Session, admin: User, proposal_id: int, note: str = "") -> Proposal:
    """Apply a proposal as one release. The approver needs competence in its language."""
    proposal = _pending(session, proposal_id)
    actor = Actor(admin.id, admin.username)
    changes = ChangeSet(session, actor, f"proposal {proposal.id}", proposal_id=proposal.id)
    term_fields = proposal.payload.get("term", {})
    require_competence(admin, term_fields.get("language", ""), term_fields.get("variety", ""))
    if proposal.kind == "new_concept":
        concept = Concept(
            external_id=f"c-{utcnow():%Y%m%d%H%M%S}-{proposal.id}",
            **ConceptFields(**proposal.payload["concept"]).model_dump(),
        )
        session.add(concept)
        session.flush()
        changes.add(
            object_type="concept",
            action="create",
            concept_id=concept.id,
            term_id=None,
            before=None,
            after=concept_snapshot(concept),
        )
        proposal.concept_id = concept.id
    if proposal.kind in ("new_term", "new_concept"):
        assert proposal.concept_id is not None
        fields = TermFields(**term_fields)
        if _duplicate(session, proposal.concept_id, fields):
            raise Conflict("该概念下已有相同的术语")
        term = Term(concept_id=proposal.concept_id)
        _set_term_fields(term, fields.model_dump(), admin)
        session.add(term)
        session.flush()
        proposal.term_id = term.id
        changes.add(
            object_type="term",
            action="create",
            concept_id=term.concept_id,
            term_id=term.id,
            before=None,
            after=term_snapshot(term),
        )
    else:
        term = get_term(session, proposal.term_id or 0)
        before = term_snapshot(term)
        if before != proposal.payload.get("before"):
            raise Conflict("该术语在提议之后已被修改，请重新提议")
        _set_term_fields(term, term_fields, admin)
        if _duplicate(session, term.concept_id, TermFields(**term_fields), except_id=term.id):
            raise Conflict("该概念下已有相同的术语")
        session.flush()
        changes.add(
            object_type="term",
            action="update",
            concept_id=term.concept_id,
            term_id=term.id,
            before=before,
            after=term_snapshot(term),
        )
    proposal.state = "approved"
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
    proposal = _pending(session, proposal_id)
    proposal.state = "rejected"
    proposal.decided_by, proposal.decided_at, proposal.decision_note = admin.id, utcnow(), note
    session.flush()
    record(session, Actor(admin.id, admin.username), "glossary.reject", "proposal", proposal.id)
    return proposal


def edit_term(session: Session, admin: User, term_id: int, fields: TermEdit) -> Term:
    """An admin's direct edit; like an approved proposal, it needs the competence."""
    require_competence(admin, fields.language, fields.variety)
    term = get_term(session, term_id)
    if term.version != fields.version:
        raise Conflict(
            "该术语已被他人修改，请刷新后再改", field="version", current_version=term.version
        )
    if _duplicate(session, term.concept_id, fields, except_id=term.id):
        raise Conflict("该概念下已有相同的术语", field="text")
    before = term_snapshot(term)
    _set_term_fields(term, fields.model_dump(exclude={"version"}), admin)
    session.flush()
    changes = ChangeSet(session, Actor(admin.id, admin.username), f"edit term {term.id}")
    changes.add(
        object_type="term",
        action="update",
        concept_id=term.concept_id,
        term_id=term.id,
        before=before,
        after=term_snapshot(term),
    )
    changes.close()
    return term


def edit_concept(session: Session, admin: User, concept_id: int, data: ConceptEdit) -> Concept:
    concept = get_concept(session, concept_id)
    if concept.version != data.version:
        raise Conflict(
            "该概念已被他人修改，请刷新后再改", field="version", current_version=concept.version
        )
    before = concept_snapshot(concept)
    apply_snapshot(concept, data.model_dump(exclude={"version"}))
    session.flush()
    changes = ChangeSet(session, Actor(admin.id, admin.username), f"edit concept {concept.id}")
    changes.add(
        object_type="concept",
        action="update",
        concept_id=concept.id,
        term_id=None,
        before=before,
        after=concept_snapshot(concept),
    )
    changes.close()
    return concept


def verify_concept(session: Session, admin: User, concept_id: int) -> Concept:
    """An admin confirms a concept's definition and citations (the draft becomes verified)."""
    concept = get_concept(session, concept_id)
    if concept.verification != "approved":
        before = concept_snapshot(concept)
        concept.verification, concept.verified_by, concept.verified_at = (
            "approved",
            admin.id,
            utcnow(),
        )
        session.flush()
        changes = ChangeSet(
            session, Actor(admin.id, admin.username), f"verify concept {concept.id}"
        )
        changes.add(
            object_type="concept",
            action="verify",
            concept_id=concept.id,
            term_id=None,
            before=before,
            after=concept_snapshot(concept),
        )
        changes.close()
    return concept


def revert(session: Session, admin: User, revision_id: int) -> Revision:
    """Undo one revision by writing its `before` state back, as a new release."""
    revision = session.get(Revision, revision_id)
    if revision is None:
        raise NotFound("修订记录不存在")
    changes = ChangeSet(session, Actor(admin.id, admin.username), f"revert {revision.id}")
    if revision.object_type == "term":
        _revert_term(session, admin, revision, changes)
    else:
        concept = get_concept(session, revision.concept_id or 0)
        if revision.before is None:
            raise ValidationFailed("新建概念不能撤销；请删除其术语或将其标记为已弃用")
        before = concept_snapshot(concept)
        apply_snapshot(concept, revision.before)
        session.flush()
        changes.add(
            object_type="concept",
            action="revert",
            concept_id=concept.id,
            term_id=None,
            before=before,
            after=concept_snapshot(concept),
            reverts=revision.id,
        )
    if changes.close() is None:
        raise Conflict("当前状态已与该修订之前相同，无需撤销")
    return changes.revisions[-1]


def _revert_term(session: Session, admin: User, revision: Revision, changes: ChangeSet) -> None:
    target = revision.before
    term = session.get(Term, revision.term_id) if revision.term_id else None
    language = (target or revision.after or {}).get("language", "")
    variety = (target or revision.after or {}).get("variety", "")
    require_competence(admin, language, variety)
    if target is None:  # the revision created the term: remove it
        if term is None:
            raise Conflict("该术语已不存在")
        before = term_snapshot(term)
        session.delete(term)
        session.flush()
        changes.add(
            object_type="term",
            action="revert",
            concept_id=revision.concept_id,
            term_id=revision.term_id,
            before=before,
            after=None,
            reverts=revision.id,
        )
        return
    restored_from: dict[str, Any] | None = None
    if term is None:  # the revision deleted it: bring it back
        term = Term()
        apply_snapshot(term, target)
        session.add(term)
    else:
        restored_from = term_snapshot(term)
        apply_snapshot(term, target)
    session.flush()
    changes.add(
        object_type="term",
        action="revert",
        concept_id=term.concept_id,
        term_id=term.id,
        before=restored_from,
        after=term_snapshot(term),
        reverts=revision.id,
    )
