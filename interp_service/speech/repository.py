"""Queries of interview recordings and their segments."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.speech.orm import Recording, SpeechSegment


def recordings_of_interview(session: Session, interview_id: int) -> list[Recording]:
    """The interview's recordings, oldest first."""
    return list(
        session.scalars(
            select(Recording).where(Recording.interview_id == interview_id).order_by(Recording.id)
        ).all()
    )


def segments_of(session: Session, recording_id: int) -> list[SpeechSegment]:
    """The recording's segments in order."""
    return list(
        session.scalars(
            select(SpeechSegment)
            .where(SpeechSegment.recording_id == recording_id)
            .order_by(SpeechSegment.sequence)
        ).all()
    )
