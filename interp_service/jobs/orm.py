"""The table of queued jobs: named jobs whose state lives in the database, so that worker
processes on several machines can run them and any web process can report on them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from interp_service.db.base import Base, UTCDateTime, utcnow


class QueuedJob(Base):
    """One job of a registered kind (`jobs.tasks`). `done`/`total` are in the task's own
    units (seconds of audio, pages, sentences); `heartbeat_at` is refreshed by the process
    running it while it runs (at least every third of `queue_heartbeat_s`)."""

    __tablename__ = "queued_jobs"
    __table_args__ = (
        CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')", name="state"
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    """uuid4 as 32 hex digits."""
    kind: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), nullable=True, index=True
    )
    state: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    done: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    total: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    message: Mapped[str] = mapped_column(Text, default="", server_default="")
    error: Mapped[str] = mapped_column(Text, default="", server_default="")
    """Why it failed, in Chinese, for the user (details stay in the worker's log)."""
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """How many times a process started it (a re-delivery after a crash counts again)."""
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
