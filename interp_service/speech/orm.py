"""Tables of speech: a recording of an interview and the segments the voice activity
detector found in it, each either recognised Mandarin or waiting for a person."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow

RECORDING_STATES = ("queued", "processing", "done", "failed")
SEGMENT_KINDS = ("mandarin", "unconfirmed", "no_speech")
"""mandarin: the gate kept Whisper's text; unconfirmed: not confidently Mandarin, queued for
a person with no machine text; no_speech: Whisper heard no speech (kept for the record)."""
TRANSCRIPT_STATES = ("machine", "none", "waiting", "transcribed", "approved")
"""machine: Mandarin text from the recogniser; none: no speech heard; waiting: for a person;
transcribed: typed, not yet approved; approved: confirmed by someone competent in it."""


class Recording(Base):
    """An audio file of an interview. The original stays unchanged in the evidence store
    (`evidence_id`, `sha256`); processing never writes to it."""

    __tablename__ = "speech_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    duration_s: Mapped[float] = mapped_column(Float)
    language: Mapped[str] = mapped_column(String(3))
    variety: Mapped[str] = mapped_column(String(64), default="")
    """The party's language: what a segment that is not Mandarin is expected to be."""
    speech_data_consent: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    state: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    """Share of the audio processed, 0-1."""
    job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    recogniser: Mapped[str] = mapped_column(String(200), default="")
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class SpeechSegment(Base):
    """One stretch of speech, with times in seconds from the start of the recording."""

    __tablename__ = "speech_segments"
    __table_args__ = (Index("ix_speech_segments_queue", "transcript_state", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recording_id: Mapped[int] = mapped_column(
        ForeignKey("speech_recordings.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    start_s: Mapped[float] = mapped_column(Float)
    end_s: Mapped[float] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(3))
    variety: Mapped[str] = mapped_column(String(64), default="")
    detected_language: Mapped[str] = mapped_column(String(16), default="")
    detected_probability: Mapped[float] = mapped_column(Float, default=0.0)
    mandarin_probability: Mapped[float] = mapped_column(Float, default=0.0)
    no_speech_probability: Mapped[float | None] = mapped_column(Float, nullable=True)
    machine_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    """Whisper's text in simplified characters; only ever set for `mandarin` segments."""
    words: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    draft_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    """A CTC model's unverified draft for a segment in the party's language, if one is
    installed: shown to the transcriber as a starting point, never approved as is."""
    recogniser: Mapped[str] = mapped_column(String(200), default="")
    transcript_state: Mapped[str] = mapped_column(String(16))
    transcript: Mapped[str] = mapped_column(Text, default="")
    transcript_language: Mapped[str] = mapped_column(String(3), default="")
    transcribed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    transcribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}
