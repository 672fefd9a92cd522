"""Direct changes by admins: edit a term or concept, verify a drafted concept, revert a
revision. Each is one numbered release with its revisions."""

from __future__ import annotations

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor
from interp_service.errors import Conflict, NotFound, ValidationFailed
from interp_service.glossary import repository as repo
from interp_service.glossary.orm import Concept, Revision, Term
from interp_service.glossary.releases import ChangeSet
from interp_service.glossary.schemas import ConceptEdit, TermEdit, TermFields
from interp_service.glossary.service import (
    duplicate_term,
    get_concept,
    get_term,
    set_term_fields,
    settle_legal_review,
    stamp_approval,
)
from interp_service.glossary.snapshots import apply_snapshot, concept_snapshot, term_snapshot
from interp_service.users.competence import require_competence
from interp_service.users.orm import User


def edit_term(session: Session, admin: User, term_id: int, fields: TermEdit) -> Term:
    """An admin's direct edit; like an approved proposal, it needs the competence."""
    require_competence(admin, fields.language, fields.variety)
    term = get_term(session, term_id)
    # Changing a term's language or variety also speaks for the text as it is now.
    require_competence(admin, term.language, term.variety)
    if term.version != fields.version:
        raise Conflict(
            "该术语已被他人修改，请刷新后再改", field="version", current_version=term.version
        )
    if duplicate_term(session, term.concept_id, fields, except_id=term.id):
        raise Conflict("该概念下已有相同的术语", field="text")
    before = term_snapshot(term)
    wanted = fields.model_dump(exclude={"version"})
    if all(before.get(k) == v for k, v in wanted.items()):
        return term  # nothing to change: no release, no new approval stamp
    set_term_fields(term, wanted, admin)
    session.flush()
    changes = ChangeSet(session, Actor(admin.id, admin.username), f"edit term {term.id}")
    changes.term_changed(term, "update", before)
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
    # A changed definition or citation of a legally reviewed concept needs legal review.
    settle_legal_review(concept, admin, before)
    session.flush()
    changes = ChangeSet(session, Actor(admin.id, admin.username), f"edit concept {concept.id}")
    changes.concept_changed(concept, "update", before)
    changes.close()
    return concept


def verify_concept(session: Session, admin: User, concept_id: int) -> Concept:
    """An admin confirms a concept's definition and citations (the draft becomes verified);
    when it has either, the admin needs the legal-review competence."""
    concept = get_concept(session, concept_id)
    if concept.verification != "approved":
        before = concept_snapshot(concept)
        concept.verification = "approved"
        settle_legal_review(concept, admin, before)
        session.flush()
        changes = ChangeSet(
            session, Actor(admin.id, admin.username), f"verify concept {concept.id}"
        )
        changes.concept_changed(concept, "verify", before)
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
        if before != revision.after:
            raise Conflict("该概念在此修订之后又有改动；请先撤销之后的修订，或直接修改")
        apply_snapshot(concept, revision.before)
        settle_legal_review(concept, admin, before)
        session.flush()
        changes.concept_changed(concept, "revert", before, reverts=revision.id)
    if changes.close() is None:
        raise Conflict("当前状态已与该修订之前相同，无需撤销")
    return changes.revisions[-1]


def _revert_term(session: Session, admin: User, revision: Revision, changes: ChangeSet) -> None:
    """Write the term back to `revision.before`, only if it is still as the revision left
    it (`revision.after`); otherwise later work would be lost, so refuse (409)."""
    target = revision.before
    term = session.get(Term, revision.term_id) if revision.term_id else None
    current = term_snapshot(term) if term is not None else None
    if current != revision.after:
        raise Conflict("该术语在此修订之后又有改动；请先撤销之后的修订，或直接修改")
    for snap in (target, current):
        if snap is not None:
            require_competence(admin, snap.get("language", ""), snap.get("variety", ""))
    if target is None:  # the revision created the term: remove it
        assert term is not None
        if repo.recordings_of(session, [term.id]):
            raise Conflict("该术语已有录音，不能撤销其创建；请将其标记为已弃用")
        session.delete(term)
        session.flush()
        changes.add(
            object_type="term",
            action="revert",
            concept_id=revision.concept_id,
            term_id=revision.term_id,
            before=current,
            after=None,
            reverts=revision.id,
        )
        return
    concept_id = int(target["concept_id"])
    if duplicate_term(
        session,
        concept_id,
        TermFields(**{k: target[k] for k in ("language", "variety", "text")}),
        except_id=revision.term_id,
    ):
        raise Conflict("该概念下已有相同的术语，不能恢复")
    if term is None:  # the revision removed it: bring it back under its old id
        term = Term(id=revision.term_id)
        session.add(term)
    apply_snapshot(term, target)
    stamp_approval(term, admin)  # the reverting admin vouches for it now
    session.flush()
    changes.term_changed(term, "revert", current, reverts=revision.id)
