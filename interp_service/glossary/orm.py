"""Tables of the glossary: concepts, terms, recordings, proposals, revisions, releases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from interp_service.db.base import Base, UTCDateTime, utcnow


class Concept(Base):
    __tablename__ = "glossary_concepts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    subject_field: Mapped[str] = mapped_column(String(64), default="", index=True)
    definition: Mapped[str] = mapped_column(Text, default="")
    citations: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    verification: Mapped[str] = mapped_column(String(16), default="unverified")
    verified_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    terms: Mapped[list[Term]] = relationship(
        back_populates="concept", order_by="Term.id", cascade="all, delete-orphan"
    )


class Term(Base):
    __tablename__ = "glossary_terms"
    __table_args__ = (UniqueConstraint("concept_id", "language", "variety", "text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    concept_id: Mapped[int] = mapped_column(
        ForeignKey("glossary_concepts.id", ondelete="CASCADE"), index=True
    )
    language: Mapped[str] = mapped_column(String(3), index=True)
    variety: Mapped[str] = mapped_column(String(64), default="")
    text: Mapped[str] = mapped_column(String(300))
    part_of_speech: Mapped[str] = mapped_column(String(16), default="")
    status: Mapped[str] = mapped_column(String(16), default="admitted")
    usage_note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(300), default="")
    verification: Mapped[str] = mapped_column(String(16), default="unverified")
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ipa: Mapped[str] = mapped_column(String(300), default="")
    # Why a Miao spelling failed the orthography check; kept beside the term as typed.
    orthography_issues: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    concept: Mapped[Concept] = relationship(back_populates="terms")


class TermRecording(Base):
    """An audio recording of a term, stored in the evidence store by its SHA-256."""

    __tablename__ = "glossary_recordings"

    id: Mapped[int] = mapped_column(primary_key=True)
    term_id: Mapped[int] = mapped_column(
        ForeignKey("glossary_terms.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))
    speaker_note: Mapped[str] = mapped_column(String(300), default="")
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Who speaks, and whether they agreed (recorded at upload) to the recording being used
    # as speech data; only consented, approved recordings are ever exported.
    speaker: Mapped[str] = mapped_column(String(100), default="", server_default="")
    speaker_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Proposal(Base):
    """A proposed new term or change, waiting for an admin's decision."""

    __tablename__ = "glossary_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    concept_id: Mapped[int | None] = mapped_column(
        ForeignKey("glossary_concepts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    term_id: Mapped[int | None] = mapped_column(
        ForeignKey("glossary_terms.id", ondelete="SET NULL"), nullable=True
    )
    language: Mapped[str] = mapped_column(String(3), default="")
    variety: Mapped[str] = mapped_column(String(64), default="")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    proposed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    decision_note: Mapped[str] = mapped_column(Text, default="")


class Release(Base):
    """A numbered glossary release; every approved change set makes a new one."""

    __tablename__ = "glossary_releases"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    summary: Mapped[str] = mapped_column(String(300), default="")


class Revision(Base):
    """One change to a concept or term: who, when, before and after (JSON snapshots)."""

    __tablename__ = "glossary_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    release_number: Mapped[int] = mapped_column(ForeignKey("glossary_releases.number"), index=True)
    concept_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    term_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)
    object_type: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    proposal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reverts: Mapped[int | None] = mapped_column(Integer, nullable=True)
