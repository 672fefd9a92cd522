"""Tables of the interview record: one row per exchange, with the tool's suggestion and
the rendering the interpreter actually gave."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow

SPEAKER_ROLES = ("prosecutor", "party", "other")
RENDERING_KINDS = ("accepted", "edited", "replaced")


class Exchange(Base):
    """What was said, what the tool suggested (with its receipt) and what the interpreter
    said. The suggestion is never the interpretation: `rendering_*` stays empty until a
    person gives one."""

    __tablename__ = "interview_exchanges"
    __table_args__ = (UniqueConstraint("interview_id", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    interview_id: Mapped[int] = mapped_column(
        ForeignKey("interviews.id", ondelete="CASCADE"), index=True
    )
    sequence: Mapped[int] = mapped_column(Integer)
    speaker_role: Mapped[str] = mapped_column(String(16))
    source_language: Mapped[str] = mapped_column(String(3))
    source_variety: Mapped[str] = mapped_column(String(64), default="")
    target_language: Mapped[str] = mapped_column(String(3))
    target_variety: Mapped[str] = mapped_column(String(64), default="")
    source_text: Mapped[str] = mapped_column(Text)
    source_audio_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    suggestion_text: Mapped[str] = mapped_column(Text, default="")
    receipt: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rendering_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    rendering_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    # Who interpreted (a user on the case, or an external interpreter of the case) and who
    # typed it (记录人): two different facts, both printed in the record.
    interpreter_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    external_interpreter_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_interpreters.id"), nullable=True
    )
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    rendered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Language identification of the typed source text, and whether the operator confirmed
    # keeping the chosen direction although the identification disagreed.
    detected_language: Mapped[str] = mapped_column(String(3), default="")
    language_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # A standard notice inserted from the phrasebook, with its statute citation.
    phrase_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory_entries.id"), nullable=True
    )
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    # Legal terms without an approved Miao term that the interpreter explained orally:
    # [{"concept_id", "text", "by", "at"}].
    explained_terms: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


INTERVIEW_STATUSES = ("planned", "in_progress", "completed", "cancelled")


class Interview(Base):
    __tablename__ = "interviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id"), index=True)
    scheduled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    place: Mapped[str] = mapped_column(String(200), default="")
    participants: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), default="planned")
    notes: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The interpreter's statement that the record was read back to the party in their
    # language (CPL art. 122): which interpreter stated it, who entered it, when.
    read_back_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    read_back_interpreter_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), nullable=True
    )
    read_back_external_interpreter_id: Mapped[int | None] = mapped_column(
        ForeignKey("external_interpreters.id"), nullable=True
    )
    read_back_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
