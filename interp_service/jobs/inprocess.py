"""Jobs on a thread pool inside the service process (the default runner)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from interp_service.db.base import utcnow
from interp_service.errors import AppError
from interp_service.jobs.base import FINAL_STATES, JobCancelled, JobFunction, JobInfo


class _Context:
    def __init__(self, runner: InProcessJobRunner, job_id: str) -> None:
        self._runner = runner
        self._job_id = job_id

    def progress(self, done: float, total: float, message: str = "") -> None:
        self.check_cancelled()
        self._runner._update(self._job_id, done=done, total=total, message=message)

    def check_cancelled(self) -> None:
        if self._runner._cancel_requested(self._job_id):
            raise JobCancelled


class InProcessJobRunner:
    """Runs jobs on `workers` threads; state lives in memory and is lost on restart."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="job")
        self._lock = threading.Lock()
        self._jobs: dict[str, JobInfo] = {}
        self._futures: dict[str, Future[None]] = {}

    def submit(
        self, kind: str, fn: JobFunction, *, owner_id: int | None, case_id: int | None = None
    ) -> JobInfo:
        job = JobInfo(
            id=uuid.uuid4().hex,
            kind=kind,
            owner_id=owner_id,
            case_id=case_id,
            state="queued",
            created_at=utcnow(),
        )
        with self._lock:
            self._jobs[job.id] = job
            self._futures[job.id] = self._pool.submit(self._run, job.id, fn)
        return replace(job)

    def _run(self, job_id: str, fn: JobFunction) -> None:
        if self._cancel_requested(job_id):
            self._update(job_id, state="cancelled", finished_at=utcnow())
            return
        self._update(job_id, state="running", started_at=utcnow())
        try:
            result = fn(_Context(self, job_id))
        except JobCancelled:
            self._update(job_id, state="cancelled", finished_at=utcnow())
        except Exception as exc:  # a job's failure is its state, not the runner's
            # The service's own errors already say what happened in Chinese.
            error = exc.detail if isinstance(exc, AppError) else f"{type(exc).__name__}: {exc}"
            self._update(job_id, state="failed", error=error, finished_at=utcnow())
        else:
            self._update(job_id, state="succeeded", result=result, finished_at=utcnow())

    def _update(self, job_id: str, **changes: Any) -> None:
        with self._lock:
            job = self._jobs[job_id]
            for key, value in changes.items():
                setattr(job, key, value)

    def _cancel_requested(self, job_id: str) -> bool:
        with self._lock:
            return self._jobs[job_id].cancel_requested

    def get(self, job_id: str) -> JobInfo | None:
        with self._lock:
            job = self._jobs.get(job_id)
            return replace(job) if job else None

    def list(self, owner_id: int | None = None) -> list[JobInfo]:
        with self._lock:
            jobs = [
                replace(j)
                for j in self._jobs.values()
                if owner_id is None or j.owner_id == owner_id
            ]
        return sorted(jobs, key=lambda j: j.created_at, reverse=True)

    def cancel(self, job_id: str) -> JobInfo | None:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                return None
            if job.state not in FINAL_STATES:
                job.cancel_requested = True
        return self.get(job_id)

    def wait(self, job_id: str, timeout_s: float | None = None) -> JobInfo | None:
        """Block until the job ends (or `timeout_s` seconds pass); returns its state."""
        future = self._futures.get(job_id)
        if future is None:
            return None
        future.exception(timeout=timeout_s)
        return self.get(job_id)

    def shutdown(self) -> None:
        with self._lock:
            for job in self._jobs.values():
                if job.state not in FINAL_STATES:
                    job.cancel_requested = True
        self._pool.shutdown(wait=True, cancel_futures=False)
