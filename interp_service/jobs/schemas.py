"""Job state as the API shows it: in-process jobs and queued jobs in one shape."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from interp_service.db.base import utcnow
from interp_service.jobs.base import FINAL_STATES, JobInfo
from interp_service.jobs.orm import QueuedJob


def eta_seconds(
    state: str, started_at: datetime | None, done: float, total: float, now: datetime
) -> float | None:
    """Seconds left at the pace so far (elapsed since the start of this attempt x the
    share of the work left / the share done); None before any progress or when not running."""
    if state != "running" or started_at is None or done <= 0 or total <= 0:
        return None
    elapsed = max(0.0, (now - started_at).total_seconds())
    left = max(0.0, total - done)
    return round(elapsed * left / done, 1)


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    owner_id: int | None
    case_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    done: float
    total: float
    fraction: float
    message: str
    result: dict[str, Any]
    error: str
    cancel_requested: bool
    eta_s: float | None
    """Estimated seconds until done (running jobs with progress only)."""
    attempts: int
    can_retry: bool

    @classmethod
    def of(cls, job: JobInfo) -> JobOut:
        """A job of the in-process runner (its closures cannot be run again)."""
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            owner_id=job.owner_id,
            case_id=job.case_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            done=job.done,
            total=job.total,
            fraction=job.fraction,
            message=job.message,
            result=job.result,
            error=job.error,
            cancel_requested=job.cancel_requested,
            eta_s=eta_seconds(job.state, job.started_at, job.done, job.total, utcnow()),
            attempts=0 if job.started_at is None else 1,
            can_retry=False,
        )

    @classmethod
    def of_queued(cls, job: QueuedJob) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            owner_id=job.owner_id,
            case_id=job.case_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            done=job.done,
            total=job.total,
            fraction=job.done / job.total if job.total else 0.0,
            message=job.message,
            result=job.result or {},
            error=job.error,
            cancel_requested=job.cancel_requested,
            eta_s=eta_seconds(job.state, job.started_at, job.done, job.total, utcnow()),
            attempts=job.attempts,
            can_retry=job.state in FINAL_STATES and job.state != "succeeded",
        )


class JobEvent(BaseModel):
    """One Server-Sent Event of `GET /api/v1/jobs/{id}/events`, sent when any of state,
    percentage (0.1 steps) or ETA (whole seconds) changed; the last one has a final state."""

    id: str
    state: str
    percentage: float
    eta_s: int | None
    done: float
    total: float
    message: str
    attempts: int
    error: str

    @classmethod
    def of(cls, job: JobOut) -> JobEvent:
        return cls(
            id=job.id,
            state=job.state,
            percentage=round(job.fraction * 100, 1),
            eta_s=None if job.eta_s is None else round(job.eta_s),
            done=job.done,
            total=job.total,
            message=job.message,
            attempts=job.attempts,
            error=job.error,
        )
