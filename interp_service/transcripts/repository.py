"""Queries of transcripts, their segments, speakers, clean-up changes and edits."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from interp_service.transcripts.orm import (
    CleanupChange,
    SegmentEdit,
    Transcript,
    TranscriptSegment,
    TranscriptSpeaker,
)


def find_by_hash(session: Session, interview_id: int, sha256: str) -> Transcript | None:
    return session.scalar(
        select(Transcript).where(
            Transcript.interview_id == interview_id, Transcript.sha256 == sha256
        )
    )


def of_interview(session: Session, interview_id: int) -> list[Transcript]:
    return list(
        session.scalars(
            select(Transcript)
            .where(Transcript.interview_id == interview_id)
            .order_by(Transcript.id)
        )
    )


def segments(session: Session, transcript_id: int) -> list[TranscriptSegment]:
    return list(
        session.scalars(
            select(TranscriptSegment)
            .where(TranscriptSegment.transcript_id == transcript_id)
            .order_by(TranscriptSegment.sequence)
        )
    )


def speakers(session: Session, transcript_id: int) -> list[TranscriptSpeaker]:
    return list(
        session.scalars(
            select(TranscriptSpeaker)
            .where(TranscriptSpeaker.transcript_id == transcript_id)
            .order_by(TranscriptSpeaker.id)
        )
    )


def changes(session: Session, transcript_id: int) -> list[CleanupChange]:
    return list(
        session.scalars(
            select(CleanupChange)
            .where(CleanupChange.transcript_id == transcript_id)
            .order_by(CleanupChange.line, CleanupChange.id)
        )
    )


def edits_of(session: Session, segment_ids: list[int]) -> list[SegmentEdit]:
    if not segment_ids:
        return []
    return list(
        session.scalars(
            select(SegmentEdit)
            .where(SegmentEdit.segment_id.in_(segment_ids))
            .order_by(SegmentEdit.edited_at, SegmentEdit.id)
        )
    )


def edit_count(session: Session, transcript_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(SegmentEdit)
            .join(TranscriptSegment, TranscriptSegment.id == SegmentEdit.segment_id)
            .where(TranscriptSegment.transcript_id == transcript_id)
        )
        or 0
    )


def clear_results(session: Session, transcript_id: int) -> None:
    """Remove what processing wrote, so that a run (or a re-delivered one) writes it once."""
    ids = select(TranscriptSegment.id).where(TranscriptSegment.transcript_id == transcript_id)
    session.execute(delete(SegmentEdit).where(SegmentEdit.segment_id.in_(ids)))
    session.execute(
        delete(TranscriptSegment).where(TranscriptSegment.transcript_id == transcript_id)
    )
    session.execute(delete(CleanupChange).where(CleanupChange.transcript_id == transcript_id))
    # A role the clerk confirmed stays; the service's guesses are made again.
    session.execute(
        delete(TranscriptSpeaker).where(
            TranscriptSpeaker.transcript_id == transcript_id, TranscriptSpeaker.guessed.is_(True)
        )
    )
