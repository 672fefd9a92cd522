"""All SQL of the coverage domain: interview exchanges with their case and party, the
concepts and phrases still lacking approved text, recordings for the speech export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Party
from interp_service.glossary.orm import Concept, Term, TermRecording
from interp_service.interviews.orm import Exchange, Interview
from interp_service.memory.orm import MemoryEntry
from interp_service.speech.orm import Recording, SpeechSegment

UNUSABLE_STATUSES = ("deprecated", "forbidden")


def exchange_rows(session: Session, language: str, since: datetime) -> Sequence[Any]:
    """Exchanges into or out of `language` since `since`, oldest first, as rows of
    (id, interview_id, case_id, created_at, source_language, source_variety,
    target_language, target_variety, receipt, party_language, party_variety)."""
    e = Exchange
    return session.execute(
        select(
            e.id,
            e.interview_id,
            Interview.case_id,
            e.created_at,
            e.source_language,
            e.source_variety,
            e.target_language,
            e.target_variety,
            e.receipt,
            Party.language,
            Party.variety,
        )
        .join(Interview, Interview.id == e.interview_id)
        .join(Party, Party.id == Interview.party_id)
        .where(
            or_(e.source_language == language, e.target_language == language),
            e.created_at >= since,
        )
        .order_by(e.created_at, e.id)
    ).all()


def _approved_in(language: str, variety: str) -> Any:
    """SQL condition: the concept has an approved, usable term in the language that fits
    the variety (a term without a variety fits every variety)."""
    conditions = [
        Term.concept_id == Concept.id,
        Term.language == language,
        Term.verification == "approved",
        Term.status.not_in(UNUSABLE_STATUSES),
    ]
    if variety:
        conditions.append(or_(Term.variety == "", Term.variety == variety))
    return exists().where(and_(*conditions))


def concepts_lacking(session: Session, language: str, variety: str) -> Sequence[Any]:
    """Rows (id, external_id, subject_field) of concepts without an approved term."""
    return session.execute(
        select(Concept.id, Concept.external_id, Concept.subject_field).where(
            ~_approved_in(language, variety)
        )
    ).all()


def terms_of(session: Session, concept_ids: list[int], languages: list[str]) -> Sequence[Term]:
    if not concept_ids:
        return []
    return session.scalars(
        select(Term)
        .where(Term.concept_id.in_(concept_ids), Term.language.in_(languages))
        .order_by(Term.id)
    ).all()


def phrase_entries(session: Session, language: str) -> Sequence[MemoryEntry]:
    """Phrasebook entries into `language` that are not retired."""
    return session.scalars(
        select(MemoryEntry)
        .where(
            MemoryEntry.is_phrase.is_(True),
            MemoryEntry.target_language == language,
            MemoryEntry.status != "retired",
        )
        .order_by(MemoryEntry.phrase_category, MemoryEntry.phrase_code, MemoryEntry.id)
    ).all()


def term_recordings(
    session: Session, language: str | None, variety: str | None
) -> Sequence[tuple[TermRecording, Term]]:
    stmt = select(TermRecording, Term).join(Term, Term.id == TermRecording.term_id)
    if language:
        stmt = stmt.where(Term.language == language)
    if variety:
        stmt = stmt.where(Term.variety == variety)
    rows = session.execute(stmt.order_by(TermRecording.id)).all()
    return [(row[0], row[1]) for row in rows]


def entry_recordings(
    session: Session, language: str | None, variety: str | None
) -> Sequence[MemoryEntry]:
    """Memory entries (phrasebook entries today) that carry a recording of their target."""
    stmt = select(MemoryEntry).where(MemoryEntry.recording_sha256.is_not(None))
    if language:
        stmt = stmt.where(MemoryEntry.target_language == language)
    if variety:
        stmt = stmt.where(MemoryEntry.target_variety == variety)
    return session.scalars(stmt.order_by(MemoryEntry.id)).all()


def segment_recordings(
    session: Session, language: str | None, variety: str | None
) -> Sequence[tuple[SpeechSegment, Recording]]:
    """Interview segments that went to people (not Mandarin), with their recordings."""
    stmt = (
        select(SpeechSegment, Recording)
        .join(Recording, Recording.id == SpeechSegment.recording_id)
        .where(SpeechSegment.kind == "unconfirmed")
    )
    if language:
        stmt = stmt.where(SpeechSegment.language == language)
    if variety:
        stmt = stmt.where(SpeechSegment.variety == variety)
    rows = session.execute(stmt.order_by(SpeechSegment.id)).all()
    return [(row[0], row[1]) for row in rows]
