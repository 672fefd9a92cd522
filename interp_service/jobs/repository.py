"""Queries on queued jobs. State changes are conditional updates, so that two processes
racing for the same job (a re-delivered message, a cancel during the start) cannot both win.

`attempt` is the job's `attempts` value a process got when it claimed the job: a write
carrying it succeeds only while that process still owns the run.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session

from interp_service.jobs.orm import QueuedJob

NO_SYNC = {"synchronize_session": False}


def get(session: Session, job_id: str) -> QueuedJob | None:
    return session.get(QueuedJob, job_id, populate_existing=True)


def list_visible(
    session: Session, owner_id: int | None, case_ids: set[int] | None, limit: int
) -> list[QueuedJob]:
    """The newest `limit` jobs: all when `owner_id` is None (admins), else the owner's own,
    and of those with a case only the cases in `case_ids`."""
    query = select(QueuedJob).order_by(QueuedJob.created_at.desc(), QueuedJob.id).limit(limit)
    if owner_id is not None:
        query = query.where(QueuedJob.owner_id == owner_id)
    if case_ids is not None:
        query = query.where(
            or_(QueuedJob.case_id.is_(None), QueuedJob.case_id.in_(sorted(case_ids)))
        )
    return list(session.scalars(query))


def ids_in_state(session: Session, state: str, limit: int = 1000) -> list[str]:
    query = (
        select(QueuedJob.id)
        .where(QueuedJob.state == state)
        .order_by(QueuedJob.created_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def stale_running_ids(session: Session, stale_before: datetime, limit: int = 1000) -> list[str]:
    query = (
        select(QueuedJob.id)
        .where(QueuedJob.state == "running", _stale(stale_before))
        .order_by(QueuedJob.created_at)
        .limit(limit)
    )
    return list(session.scalars(query))


def _stale(stale_before: datetime) -> ColumnElement[bool]:
    return or_(QueuedJob.heartbeat_at.is_(None), QueuedJob.heartbeat_at < stale_before)


def _claimable(stale_before: datetime) -> ColumnElement[bool]:
    """Waiting to start, or started by a process that stopped beating (killed)."""
    return or_(
        QueuedJob.state == "queued",
        and_(QueuedJob.state == "running", _stale(stale_before)),
    )


def _update(session: Session, job_id: str, *where: ColumnElement[bool], **values: Any) -> bool:
    statement = update(QueuedJob).where(QueuedJob.id == job_id, *where).values(**values)
    result = session.execute(statement, execution_options=NO_SYNC)
    return bool(result.rowcount > 0)  # type: ignore[attr-defined]


def cancel_unstarted(session: Session, job_id: str, now: datetime, stale_before: datetime) -> bool:
    """Cancelled before (re)starting because cancellation was asked for."""
    return _update(
        session,
        job_id,
        QueuedJob.cancel_requested.is_(True),
        _claimable(stale_before),
        state="cancelled",
        finished_at=now,
    )


def claim(session: Session, job_id: str, now: datetime, stale_before: datetime) -> int | None:
    """Mark the job running for this process; its new attempt number, or None when it is
    not claimable (finished, cancelled, or running in a live process)."""
    won = _update(
        session,
        job_id,
        QueuedJob.cancel_requested.is_(False),
        _claimable(stale_before),
        state="running",
        attempts=QueuedJob.attempts + 1,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        error="",
        # Each attempt starts the task from the beginning, so its progress starts at zero.
        done=0.0,
        total=0.0,
        message="",
    )
    if not won:
        return None
    attempt: int | None = session.scalar(select(QueuedJob.attempts).where(QueuedJob.id == job_id))
    return attempt


def _owned(attempt: int) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    return QueuedJob.state == "running", QueuedJob.attempts == attempt


def beat(session: Session, job_id: str, attempt: int, now: datetime) -> bool:
    return _update(session, job_id, *_owned(attempt), heartbeat_at=now)


def write_progress(
    session: Session,
    job_id: str,
    attempt: int,
    now: datetime,
    done: float,
    total: float,
    message: str,
) -> bool:
    return _update(
        session, job_id, *_owned(attempt), done=done, total=total, message=message, heartbeat_at=now
    )


def should_stop(session: Session, job_id: str, attempt: int) -> bool:
    """Cancellation was asked for, or this process no longer owns the run."""
    row = session.execute(
        select(QueuedJob.state, QueuedJob.attempts, QueuedJob.cancel_requested).where(
            QueuedJob.id == job_id
        )
    ).one_or_none()
    if row is None:
        return True
    state, attempts, cancel = row
    return bool(cancel) or state != "running" or attempts != attempt


def finish(
    session: Session, job_id: str, attempt: int, now: datetime, state: str, **values: Any
) -> bool:
    """End the run this process owns in `state` (succeeded, failed, cancelled)."""
    return _update(
        session, job_id, *_owned(attempt), state=state, finished_at=now, heartbeat_at=now, **values
    )


def requeue(session: Session, job_id: str, attempt: int) -> bool:
    """Give back a run this process cannot finish (shutdown): queued again."""
    return _update(session, job_id, *_owned(attempt), state="queued", heartbeat_at=None)


def request_cancel(session: Session, job_id: str, now: datetime) -> None:
    """Ask a running job to stop; a job not yet started is cancelled at once."""
    _update(
        session,
        job_id,
        QueuedJob.state.in_(("queued", "running")),
        cancel_requested=True,
    )
    _update(session, job_id, QueuedJob.state == "queued", state="cancelled", finished_at=now)


def reset_for_retry(session: Session, job_id: str) -> bool:
    """Back to queued, progress and outcome cleared; only from failed or cancelled."""
    return _update(
        session,
        job_id,
        QueuedJob.state.in_(("failed", "cancelled")),
        state="queued",
        done=0.0,
        total=0.0,
        message="",
        error="",
        result=None,
        cancel_requested=False,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
    )
