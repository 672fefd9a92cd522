"""Tables of the translation memory: entries (approved pairs and phrasebook drafts), the
review queue of submitted translations, and a one-row change counter for index caches."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, event, false, text
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow

ORIGINS = ("interview", "transcript", "phrasebook", "import")
ENTRY_STATUSES = ("draft", "approved", "retired")
PHRASE_CATEGORIES = ("rights_notice", "duties_notice", "standard_question", "")
SUBMISSION_STATUSES = ("pending", "approved", "rejected")
# Longest sentence side, in characters: keeps `source_key` inside a PostgreSQL b-tree entry
# (about 2,700 bytes; a Han character takes 3 bytes in UTF-8).
MAX_TEXT_CHARS = 800
APPROVED_PAIR_INDEX = "ux_memory_entries_approved_pair"
_APPROVED = text("status = 'approved'")


def pair_key(
    source_language: str,
    source_variety: str,
    source_text: str,
    target_language: str,
    target_variety: str,
    target_text: str,
) -> str:
    """SHA-256 hex of both sides' language, variety and match key (`match_key`, the
    memory's normalisation): two approved entries may not share it. A hash, so that one
    short column carries both 800-character keys inside a b-tree entry."""
    from interp_service.translation.normalise import match_key

    parts = (
        source_language,
        source_variety,
        match_key(source_text, source_language),
        target_language,
        target_variety,
        match_key(target_text, target_language),
    )
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


class MemoryEntry(Base):
    """One sentence pair. Only `approved` entries with a non-empty target are ever offered
    by lookup; a shipped phrasebook entry is a `draft` with its Miao side empty."""

    __tablename__ = "memory_entries"
    __table_args__ = (
        Index("ix_memory_entries_pair_key", "source_language", "target_language", "source_key"),
        # One approved entry per pair of normalised sides, enforced by the database: of two
        # requests approving the same pair at once, the second fails at its INSERT.
        Index(
            APPROVED_PAIR_INDEX,
            "pair_key",
            unique=True,
            sqlite_where=_APPROVED,
            postgresql_where=_APPROVED,
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(String(3))
    source_variety: Mapped[str] = mapped_column(String(64), default="")
    source_text: Mapped[str] = mapped_column(Text)
    # interp_service.translation.normalise.match_key(source_text, source_language)
    source_key: Mapped[str] = mapped_column(String(MAX_TEXT_CHARS))
    target_language: Mapped[str] = mapped_column(String(3))
    target_variety: Mapped[str] = mapped_column(String(64), default="")
    target_text: Mapped[str] = mapped_column(Text, default="")
    # pair_key() of the row, set on every INSERT and UPDATE (`_stamp_pair_key`).
    pair_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    origin: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    is_phrase: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    phrase_category: Mapped[str] = mapped_column(String(32), default="")
    phrase_title: Mapped[str] = mapped_column(String(200), default="")
    phrase_code: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    legal_basis: Mapped[str] = mapped_column(String(300), default="")
    # A Miao recording in the evidence store; offered to non-admins once approved.
    recording_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    recording_approved: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The speaker agreed to the recording being used as speech data (export needs it).
    recording_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recording_speaker: Mapped[str] = mapped_column(String(100), default="", server_default="")
    recording_approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    recording_approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __mapper_args__ = {"version_id_col": version}


@event.listens_for(MemoryEntry, "before_insert")
@event.listens_for(MemoryEntry, "before_update")
def _stamp_pair_key(_mapper: Any, _connection: Any, entry: MemoryEntry) -> None:
    entry.pair_key = pair_key(
        entry.source_language,
        entry.source_variety or "",
        entry.source_text,
        entry.target_language,
        entry.target_variety or "",
        entry.target_text or "",
    )


class MemorySubmission(Base):
    """A proposed sentence pair waiting for an admin's decision (the review queue)."""

    __tablename__ = "memory_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    source_language: Mapped[str] = mapped_column(String(3))
    source_variety: Mapped[str] = mapped_column(String(64), default="")
    source_text: Mapped[str] = mapped_column(Text)
    target_language: Mapped[str] = mapped_column(String(3))
    target_variety: Mapped[str] = mapped_column(String(64), default="")
    target_text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    interview_id: Mapped[int | None] = mapped_column(
        ForeignKey("interviews.id", ondelete="SET NULL"), nullable=True
    )
    # The interview exchange it came from (that table has no foreign key here yet).
    exchange_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    submitted_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    # Set at submission: an approved entry with the same key, pair and variety says otherwise.
    conflicts_with_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory_entries.id", ondelete="SET NULL"), nullable=True
    )
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory_entries.id", ondelete="SET NULL"), nullable=True
    )
    replaces_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("memory_entries.id", ondelete="SET NULL"), nullable=True
    )


class MemoryState(Base):
    """One row (id 1): `version` goes up with every change to the memory, in the same
    transaction, so any process can tell its cached index is stale with one primary-key read."""

    __tablename__ = "memory_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(Integer, default=0)
