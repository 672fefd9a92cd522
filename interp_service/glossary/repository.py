"""All SQL for the glossary."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from interp_service.glossary.orm import Concept, Proposal, Revision, Term, TermRecording


def concept_with_terms(session: Session, concept_id: int) -> Concept | None:
    return session.scalar(
        select(Concept).options(selectinload(Concept.terms)).where(Concept.id == concept_id)
    )


def list_concepts(
    session: Session,
    *,
    q: str = "",
    subject: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[Concept], int]:
    stmt = select(Concept)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Concept.external_id.ilike(like),
                Concept.definition.ilike(like),
                Concept.id.in_(select(Term.concept_id).where(Term.text.ilike(like))),
            )
        )
    if subject:
        stmt = stmt.where(Concept.subject_field == subject)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.options(selectinload(Concept.terms))
        .order_by(Concept.external_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return rows, total


def all_terms(session: Session) -> Sequence[Term]:
    return session.scalars(select(Term)).all()


def terms_by_id(session: Session, ids: list[int]) -> dict[int, Term]:
    if not ids:
        return {}
    rows = session.scalars(
        select(Term).options(selectinload(Term.concept)).where(Term.id.in_(ids))
    ).all()
    return {t.id: t for t in rows}


def proposals(
    session: Session, *, state: str | None, offset: int = 0, limit: int = 50
) -> tuple[Sequence[Proposal], int]:
    stmt = select(Proposal)
    if state:
        stmt = stmt.where(Proposal.state == state)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Proposal.id.desc()).offset(offset).limit(limit)).all()
    return rows, total


def revisions(
    session: Session, *, concept_id: int | None = None, offset: int = 0, limit: int = 50
) -> tuple[Sequence[Revision], int]:
    stmt = select(Revision)
    if concept_id is not None:
        stmt = stmt.where(Revision.concept_id == concept_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(Revision.id.desc()).offset(offset).limit(limit)).all()
    return rows, total


def concept_revisions_newest_first(session: Session, concept_id: int) -> Sequence[Revision]:
    """Every revision of the concept record itself (not its terms), newest first."""
    return session.scalars(
        select(Revision)
        .where(Revision.concept_id == concept_id, Revision.object_type == "concept")
        .order_by(Revision.id.desc())
    ).all()


def recordings_of(session: Session, term_ids: list[int]) -> Sequence[TermRecording]:
    if not term_ids:
        return []
    return session.scalars(
        select(TermRecording).where(TermRecording.term_id.in_(term_ids)).order_by(TermRecording.id)
    ).all()


def subject_fields(session: Session) -> list[str]:
    rows = session.scalars(select(Concept.subject_field).distinct()).all()
    return sorted(r for r in rows if r)


def concepts_by_id(session: Session, ids: list[int]) -> Sequence[Concept]:
    if not ids:
        return []
    return session.scalars(select(Concept).where(Concept.id.in_(set(ids)))).all()
