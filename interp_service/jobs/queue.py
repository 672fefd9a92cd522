"""Queued jobs: named tasks whose state lives in `queued_jobs`, run in this process or by
worker processes on other machines.

`enqueue(session, kind, payload, ...)` adds the row to the caller's session and hands the
job to a dispatcher only once that session commits (nothing is dispatched when it rolls
back), so a worker never looks for a row that is not there yet. The dispatcher is chosen
by settings and installed on the session factory (`install_queue`):

* `InProcessDispatcher`: a thread pool in the service process (the default; `job_workers`);
* `DramatiqDispatcher`: a message to the Dramatiq actor `run_queued_job` on Redis
  (`redis_url`), run by `interp-service worker` processes (jobs/worker.py).

Both end in `execution.execute`, which is safe to call twice for one job.
"""

from __future__ import annotations

import logging
import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_futures
from datetime import timedelta
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.errors import Conflict
from interp_service.jobs import repository
from interp_service.jobs.execution import JobRunningElsewhere, execute
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.tasks import TaskEnv, handler_for

log = logging.getLogger(__name__)

DISPATCHER_KEY = "interp_service.jobs.dispatcher"
PENDING_KEY = "interp_service.jobs.pending"


class Dispatcher(Protocol):
    name: str

    def dispatch(self, job_id: str) -> None: ...
    def status(self) -> dict[str, object]: ...
    def shutdown(self) -> None: ...


class InProcessDispatcher:
    """Runs queued jobs on `workers` threads of this process (started on first use)."""

    name = "in-process"

    def __init__(self, env: TaskEnv, workers: int) -> None:
        self._env = env
        self._workers = workers
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._futures: dict[str, Future[None]] = {}
        self._stopping = threading.Event()

    def dispatch(self, job_id: str) -> None:
        with self._lock:
            if self._stopping.is_set():
                return  # stays queued in its row; `recover` dispatches it at the next start
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="queued-job")
            future = self._pool.submit(self._run, job_id)
            self._futures[job_id] = future
        future.add_done_callback(lambda f: self._forget(job_id, f))

    def _forget(self, job_id: str, future: Future[None]) -> None:
        with self._lock:
            if self._futures.get(job_id) is future:
                del self._futures[job_id]

    def _run(self, job_id: str) -> None:
        try:
            execute(self._env, job_id, self._stopping)
        except JobRunningElsewhere:
            log.info("job %s is running in another process; not started here", job_id)
        except Exception:  # the pool thread must survive; the row says what it can
            log.exception("queued job %s could not be run", job_id)

    def wait(self, job_id: str, timeout_s: float | None = None) -> bool:
        """Wait until this process's run of the job ends (True), or `timeout_s` seconds."""
        with self._lock:
            future = self._futures.get(job_id)
        if future is None:
            return True
        done, _ = wait_futures([future], timeout=timeout_s)
        return bool(done)

    def status(self) -> dict[str, object]:
        return {"ready": True, "queue": self.name, "workers": self._workers}

    def begin_shutdown(self) -> None:
        """Take no more jobs; running ones stop at their next progress report or
        cancellation check and go back to `queued` (`recover` dispatches them again)."""
        self._stopping.set()

    def shutdown(self) -> None:
        """`begin_shutdown`, then wait for the running tasks to reach that point."""
        with self._lock:
            self.begin_shutdown()
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


def build_dispatcher(env: TaskEnv) -> Dispatcher:
    """Dramatiq on Redis when `redis_url` is set, else threads in this process."""
    settings: Settings = env.settings
    if settings.redis_url:
        from interp_service.jobs.broker import DramatiqDispatcher

        return DramatiqDispatcher(settings)
    return InProcessDispatcher(env, settings.job_workers)


def install_queue(env: TaskEnv, dispatcher: Dispatcher | None = None) -> Dispatcher:
    """Make sessions of `env.session_factory` dispatch the jobs they enqueue; returns the
    dispatcher already installed there, if any (call `shutdown()` on it at exit)."""
    factory = env.session_factory
    info: dict[Any, Any] = dict(factory.kw.get("info") or {})
    existing: Dispatcher | None = info.get(DISPATCHER_KEY)
    if existing is not None:
        return existing
    info[DISPATCHER_KEY] = dispatcher or build_dispatcher(env)
    factory.configure(info=info)
    installed: Dispatcher = info[DISPATCHER_KEY]
    return installed


def uninstall_queue(factory: sessionmaker[Session]) -> None:
    """Remove and shut down the installed dispatcher (tests, process exit)."""
    info: dict[Any, Any] = dict(factory.kw.get("info") or {})
    dispatcher: Dispatcher | None = info.pop(DISPATCHER_KEY, None)
    factory.configure(info=info)
    if dispatcher is not None:
        dispatcher.shutdown()


def installed_dispatcher(factory: sessionmaker[Session]) -> Dispatcher | None:
    info = factory.kw.get("info") or {}
    found: Dispatcher | None = info.get(DISPATCHER_KEY)
    return found


def _dispatcher_of(session: Session) -> Dispatcher:
    dispatcher: Dispatcher | None = session.info.get(DISPATCHER_KEY)
    if dispatcher is None:
        raise RuntimeError("no job queue installed on this session's factory (install_queue)")
    return dispatcher


def _after_commit(session: Session) -> None:
    pending: list[str] = session.info.get(PENDING_KEY) or []
    jobs, pending[:] = list(pending), []
    dispatcher = _dispatcher_of(session)
    for job_id in jobs:
        try:
            dispatcher.dispatch(job_id)
        except Exception:  # the row is saved and stays queued; `recover` dispatches it again
            log.exception("job %s saved but not dispatched", job_id)


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    # A savepoint's rollback keeps the outer transaction's jobs; a job enqueued inside the
    # savepoint is then dispatched without a row and finds nothing to do.
    if not previous.nested:
        pending: list[str] = session.info.get(PENDING_KEY) or []
        pending.clear()


def _dispatch_after_commit(session: Session, job_id: str) -> None:
    _dispatcher_of(session)
    pending: list[str] | None = session.info.get(PENDING_KEY)
    if pending is None:
        pending = session.info[PENDING_KEY] = []
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_soft_rollback", _after_soft_rollback)
    pending.append(job_id)


def enqueue(
    session: Session,
    kind: str,
    payload: dict[str, Any],
    *,
    owner_id: int | None,
    case_id: int | None,
) -> str:
    """Add a job of a registered `kind` to the caller's session; it is dispatched when the
    session commits. Returns the job id (32 hex digits)."""
    if handler_for(kind) is None:
        raise ValueError(f"no task registered for kind {kind!r}")
    job = QueuedJob(
        id=uuid.uuid4().hex,
        kind=kind,
        payload=payload,
        owner_id=owner_id,
        case_id=case_id,
        state="queued",
        created_at=utcnow(),
    )
    session.add(job)
    _dispatch_after_commit(session, job.id)
    return job.id


def retry(session: Session, job_id: str) -> None:
    """Queue a failed or cancelled job again (dispatched when the session commits); its
    attempts keep counting."""
    if not repository.reset_for_retry(session, job_id):
        raise Conflict("只有失败或已取消的任务可以重试")
    _dispatch_after_commit(session, job_id)


def recover(env: TaskEnv) -> int:
    """Dispatch again the jobs a stopped process left: still queued, or running without a
    heartbeat. Meant for the in-process queue at service start (with Dramatiq, Redis keeps
    the messages). Returns how many were dispatched."""
    dispatcher = installed_dispatcher(env.session_factory)
    if dispatcher is None:
        raise RuntimeError("no job queue installed")
    stale_before = utcnow() - timedelta(seconds=env.settings.queue_heartbeat_s)
    with env.session_factory() as session:
        ids = repository.ids_in_state(session, "queued")
        ids += repository.stale_running_ids(session, stale_before)
    for job_id in ids:
        dispatcher.dispatch(job_id)
    return len(ids)
