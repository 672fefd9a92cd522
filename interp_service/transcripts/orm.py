"""Tables of transcripts: an uploaded file of an interview (text, DOCX, subtitles or a
recording), what clean-up changed in it, its segments with speakers and suggested
translations, and every edit a person made to a segment.

The original file stays unchanged in the evidence store (`sha256`). A machine suggestion
is kept apart from the translation a person confirmed (`suggestion_*` against
`translation_*`), so an export can always tell which is which.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow

TRANSCRIPT_KINDS = ("text", "docx", "srt", "vtt", "audio")
TRANSCRIPT_STATES = ("queued", "processing", "ready", "failed", "cancelled")


class Transcript(Base):
    """One uploaded file of an interview; the same file for the same interview is one row."""

    __tablename__ = "transcripts"
    __table_args__ = (UniqueConstraint("interview_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    evidence_id: Mapped[int] = mapped_column(ForeignKey("evidence_files.id"))
    sha256: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(255))
    media_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(8))
    source_language: Mapped[str] = mapped_column(String(3))
    source_variety: Mapped[str] = mapped_column(String(64), default="")
    target_language: Mapped[str] = mapped_column(String(3))
    target_variety: Mapped[str] = mapped_column(String(64), default="")
    to_simplified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    kept_lines: Mapped[list[int]] = mapped_column(JSON, default=list)
    """Lines (1-based, of the decoded text) the clerk restored: never removed again."""
    encoding: Mapped[str] = mapped_column(String(32), default="")
    recording_id: Mapped[int | None] = mapped_column(
        ForeignKey("speech_recordings.id"), nullable=True
    )
    diarisation: Mapped[str] = mapped_column(String(200), default="")
    """How speakers were found for a recording, in words (model, channels, or none)."""
    state: Mapped[str] = mapped_column(String(16), default="queued")
    job_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    error: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class CleanupChange(Base):
    """One change clean-up made to the decoded text (see transcripts/shapes.Change)."""

    __tablename__ = "transcript_cleanup_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    line: Mapped[int] = mapped_column(Integer)
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(200))


class TranscriptSpeaker(Base):
    """A speaker label as written (问, 答, S1, a name) and the role the clerk confirmed."""

    __tablename__ = "transcript_speakers"
    __table_args__ = (UniqueConstraint("transcript_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16), default="unknown")
    guessed: Mapped[bool] = mapped_column(Boolean, default=True)
    """True while the role is the service's guess from the label; False once confirmed."""
    confirmed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)


class TranscriptSegment(Base):
    """A sentence or turn of a transcript; times in seconds (None for text files)."""

    __tablename__ = "transcript_segments"
    __table_args__ = (UniqueConstraint("transcript_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    transcript_id: Mapped[int] = mapped_column(
        ForeignKey("transcripts.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    turn: Mapped[int] = mapped_column(Integer, default=0)
    speaker_label: Mapped[str] = mapped_column(String(64), default="")
    start_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    end_s: Mapped[float | None] = mapped_column(Float, nullable=True)
    source_language: Mapped[str] = mapped_column(String(3))
    source_variety: Mapped[str] = mapped_column(String(64), default="")
    detected_language: Mapped[str] = mapped_column(String(3), default="")
    source_text: Mapped[str] = mapped_column(Text, default="")
    source_provenance: Mapped[str] = mapped_column(String(8), default="human")
    """human: as typed in the uploaded file (or corrected by a person); speech: the
    recogniser's text; none: a stretch of speech nobody has transcribed yet."""
    target_language: Mapped[str] = mapped_column(String(3))
    target_variety: Mapped[str] = mapped_column(String(64), default="")
    suggestion_text: Mapped[str] = mapped_column(Text, default="")
    suggestion_provenance: Mapped[str] = mapped_column(String(8), default="none")
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    translation_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The translation a person gave or confirmed; None until then."""
    translation_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory_submissions.id"), nullable=True
    )
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SegmentEdit(Base):
    """One change a person made to a segment: who, when, which field, before and after."""

    __tablename__ = "transcript_segment_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    segment_id: Mapped[int] = mapped_column(
        ForeignKey("transcript_segments.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(32))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    edited_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    edited_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
