"""Running one queued job in whichever process received it (web process or worker).

`execute` claims the row (a conditional update, so only one process runs a job at a time),
runs the registered task with a context that writes progress to the row, and records the
outcome. A message delivered again for a finished job does nothing; one for a job whose
process died (no heartbeat for `queue_heartbeat_s` seconds) runs it again, as attempt n+1.
This module owns its sessions and commits them: it runs outside any request.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from interp_service.db.base import utcnow
from interp_service.errors import AppError
from interp_service.jobs import repository
from interp_service.jobs.base import FINAL_STATES, JobCancelled
from interp_service.jobs.tasks import TaskEnv, handler_for

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.5
PROGRESS_STEP = 0.02  # of the whole job


class JobRunningElsewhere(Exception):
    """The job is running in another live process; try the message again later."""


class _Interrupted(Exception):
    """This process is stopping: the job goes back to the queue, to run again elsewhere."""


class RowContext:
    """A task's view of its job row: `progress` writes done/total/message (at most every
    0.5 s, or sooner after 2 % more of the work) and checks for cancellation whenever it
    writes; `check_cancelled` always reads the row."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        job_id: str,
        attempt: int,
        stopping: threading.Event | None = None,
    ) -> None:
        self._factory = factory
        self._job_id = job_id
        self._attempt = attempt
        self._stopping = stopping
        self._written_at = float("-inf")
        self._written_fraction = 0.0
        self.latest: tuple[float, float, str] | None = None

    def progress(self, done: float, total: float, message: str = "") -> None:
        self.latest = (float(done), float(total), message)
        self._check_stopping()
        fraction = done / total if total else 0.0
        now = time.monotonic()
        if (
            now - self._written_at < PROGRESS_INTERVAL_S
            and abs(fraction - self._written_fraction) < PROGRESS_STEP
        ):
            return
        self._written_at, self._written_fraction = now, fraction
        with self._factory() as session:
            repository.write_progress(
                session, self._job_id, self._attempt, utcnow(), done, total, message
            )
            stop = repository.should_stop(session, self._job_id, self._attempt)
            session.commit()
        if stop:
            raise JobCancelled

    def _check_stopping(self) -> None:
        if self._stopping is not None and self._stopping.is_set():
            raise _Interrupted

    def check_cancelled(self) -> None:
        self._check_stopping()
        with self._factory() as session:
            stop = repository.should_stop(session, self._job_id, self._attempt)
        if stop:
            raise JobCancelled


class _Heartbeat:
    """Refreshes `heartbeat_at` while the task runs, so a live run is never taken for a
    dead one however long the task goes without reporting progress."""

    def __init__(
        self, factory: sessionmaker[Session], job_id: str, attempt: int, interval_s: float
    ) -> None:
        self._factory = factory
        self._job_id = job_id
        self._attempt = attempt
        self._interval_s = interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"beat-{job_id[:8]}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            try:
                with self._factory() as session:
                    repository.beat(session, self._job_id, self._attempt, utcnow())
                    session.commit()
            except Exception:  # a missed beat is not the task's failure
                log.warning("heartbeat of job %s failed", self._job_id, exc_info=True)


def failure_reason(exc: BaseException) -> str:
    """What the user reads: the service's own Chinese message, else the exception type
    (the exception's message, possibly in English or holding data, stays in the log)."""
    if isinstance(exc, AppError):
        return exc.detail
    return f"处理失败：{type(exc).__name__}"


def execute(env: TaskEnv, job_id: str, stopping: threading.Event | None = None) -> str:
    """Run the job if it is to be run; returns the state it is in afterwards. Raises
    `JobRunningElsewhere` when another live process is running it.

    Once `stopping` is set (the process is shutting down) the task is interrupted at its
    next progress report or cancellation check and the job goes back to `queued`; the
    caller dispatches it again (returned state "queued")."""
    if stopping is not None and stopping.is_set():
        return "queued"  # not claimed: the row is as it was, for another process
    factory = env.session_factory
    heartbeat_s = env.settings.queue_heartbeat_s
    now = utcnow()
    stale_before = now - timedelta(seconds=heartbeat_s)
    with factory() as session:
        if repository.cancel_unstarted(session, job_id, now, stale_before):
            session.commit()
            return "cancelled"
        attempt = repository.claim(session, job_id, now, stale_before)
        job = repository.get(session, job_id)
        session.commit()
        if job is None:
            log.warning("queued job %s not found (rolled back or deleted)", job_id)
            return "missing"
        if attempt is None:
            if job.state in FINAL_STATES:
                return job.state  # delivered again after it finished: nothing to do
            raise JobRunningElsewhere(job_id)
        kind, payload = job.kind, dict(job.payload or {})
    context = RowContext(factory, job_id, attempt, stopping)
    outcome: dict[str, Any]
    handler = handler_for(kind)
    try:
        if handler is None:  # a worker started without the module defining this kind
            raise AppError(f"处理失败：本进程未注册此类任务（{kind}）")
        with _Heartbeat(factory, job_id, attempt, heartbeat_s / 3):
            result = handler(env, payload, context)
        json.dumps(result)  # refuse what the JSON column could not hold, before writing
        outcome = {"state": "succeeded", "result": result}
    except JobCancelled:
        outcome = {"state": "cancelled"}
    except _Interrupted:
        with factory() as session:
            repository.requeue(session, job_id, attempt)
            session.commit()
        log.info("job %s interrupted by shutdown, back in the queue", job_id)
        return "queued"
    except Exception as exc:  # a task's failure is its job's state, not the worker's
        log.exception("queued job %s (%s), attempt %d failed", job_id, kind, attempt)
        outcome = {"state": "failed", "error": failure_reason(exc)}
    if context.latest is not None:
        done, total, message = context.latest
        outcome.update(done=done, total=total, message=message)
    with factory() as session:
        state = outcome.pop("state")
        if not repository.finish(session, job_id, attempt, utcnow(), state, **outcome):
            log.warning("job %s attempt %d lost its run before finishing", job_id, attempt)
        session.commit()
    return str(state)
