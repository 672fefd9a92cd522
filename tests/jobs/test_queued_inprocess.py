"""Queued jobs on the in-process queue: dispatch only after commit, progress and results in
the row, a second delivery that does nothing, a dead run taken over, cancellation,
failure and retry, shutdown and recovery."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import event

from interp_service.db.base import utcnow
from interp_service.db.session import make_session_factory
from interp_service.errors import Conflict
from interp_service.jobs import repository
from interp_service.jobs.base import JobCancelled
from interp_service.jobs.execution import JobRunningElsewhere, RowContext, execute
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.queue import enqueue, install_queue, recover, retry, uninstall_queue
from interp_service.jobs.tasks import TaskEnv
from tests.jobs import queued_tasks
from tests.jobs.conftest import Queue, create_output_table, output_rows


class Recording:
    """A dispatcher that only notes what it was given."""

    name = "recording"

    def __init__(self) -> None:
        self.sent: list[str] = []

    def dispatch(self, job_id: str) -> None:
        self.sent.append(job_id)

    def status(self) -> dict[str, object]:
        return {"ready": True}

    def shutdown(self) -> None:
        pass


@pytest.fixture
def recorded(app: FastAPI) -> Any:
    """A session factory of its own whose jobs go to a `Recording` dispatcher."""
    services = app.state.services
    create_output_table(services)
    env = TaskEnv(
        replace(services, session_factory=make_session_factory(services.database)), LoopBridge()
    )
    dispatcher = Recording()
    install_queue(env, dispatcher)
    return env, dispatcher


def _key() -> str:
    return uuid.uuid4().hex


def test_job_runs_after_commit_and_keeps_progress_and_result(queue: Queue) -> None:
    key = _key()
    job_id = queue.enqueue("test.count", {"rows": 3, "key": key})
    row = queue.wait(job_id)
    assert (row.state, row.result, row.attempts) == ("succeeded", {"rows": 3}, 1)
    assert (row.done, row.total, row.message, row.error) == (3, 3, "第 3 行", "")
    assert row.started_at and row.finished_at and row.heartbeat_at
    assert len(job_id) == 32 and int(job_id, 16) >= 0
    assert [n for n, _ in output_rows(queue.services, key)] == [0, 1, 2]


def test_nothing_is_dispatched_before_commit_nor_after_rollback(recorded: Any) -> None:
    env, dispatcher = recorded
    with env.session_factory() as session:
        dropped = enqueue(
            session, "test.count", {"rows": 1, "key": _key()}, owner_id=None, case_id=None
        )
        session.rollback()  # before any flush
        flushed = enqueue(
            session, "test.count", {"rows": 1, "key": _key()}, owner_id=None, case_id=None
        )
        session.flush()
        assert dispatcher.sent == []
        session.rollback()
        assert session.get(QueuedJob, flushed) is None and session.get(QueuedJob, dropped) is None
        kept = enqueue(
            session, "test.count", {"rows": 1, "key": _key()}, owner_id=None, case_id=None
        )
        assert dispatcher.sent == []
        session.commit()
        assert dispatcher.sent == [kept]
        session.commit()  # nothing left to dispatch
        assert dispatcher.sent == [kept]


def test_a_savepoint_rollback_keeps_the_outer_transactions_jobs(recorded: Any) -> None:
    env, dispatcher = recorded
    with env.session_factory() as session:
        outer = enqueue(
            session, "test.count", {"rows": 1, "key": _key()}, owner_id=None, case_id=None
        )
        savepoint = session.begin_nested()
        inner = enqueue(
            session, "test.count", {"rows": 1, "key": _key()}, owner_id=None, case_id=None
        )
        savepoint.rollback()
        session.commit()
    assert outer in dispatcher.sent
    # The job enqueued inside the rolled-back savepoint has no row: its run does nothing.
    assert execute(env, inner) == "missing"
    with env.session_factory() as session:
        assert session.get(QueuedJob, outer) is not None
        assert session.get(QueuedJob, inner) is None


def test_an_unknown_kind_is_refused_at_enqueue(recorded: Any) -> None:
    env, _ = recorded
    with env.session_factory() as session, pytest.raises(ValueError, match="no.such"):
        enqueue(session, "no.such", {}, owner_id=None, case_id=None)


def test_a_second_delivery_of_a_finished_job_does_nothing(queue: Queue) -> None:
    key = _key()
    job_id = queue.enqueue("test.count", {"rows": 2, "key": key})
    first = queue.wait(job_id)
    assert execute(queue.env, job_id) == "succeeded"
    again = queue.row(job_id)
    assert queued_tasks.CALLS[key] == 1
    assert (again.attempts, again.finished_at) == (1, first.finished_at)


def test_a_job_running_in_a_live_process_is_not_started_twice(queue: Queue, gate_name: str) -> None:
    job_id = queue.enqueue("test.gated", {"gate": gate_name, "steps": 1})
    started, release = queued_tasks.gate(gate_name)
    assert started.wait(timeout=60)
    with pytest.raises(JobRunningElsewhere):
        execute(queue.env, job_id)
    release.set()
    row = queue.wait(job_id)
    assert (row.state, row.attempts) == ("succeeded", 1)


def test_a_run_whose_process_died_is_taken_over_and_its_late_writes_ignored(
    queue: Queue,
) -> None:
    key, job_id = _key(), uuid.uuid4().hex
    long_ago = utcnow() - timedelta(hours=1)
    with queue.services.session_factory() as session:
        session.add(
            QueuedJob(
                id=job_id,
                kind="test.count",
                payload={"rows": 2, "key": key},
                state="running",
                attempts=1,
                created_at=long_ago,
                started_at=long_ago,
                heartbeat_at=long_ago,
            )
        )
        session.commit()
    assert execute(queue.env, job_id) == "succeeded"
    row = queue.row(job_id)
    assert (row.state, row.attempts) == ("succeeded", 2)
    # The first run, had it lived on, can no longer write: it is told to stop.
    zombie = RowContext(queue.services.session_factory, job_id, attempt=1)
    with pytest.raises(JobCancelled):
        zombie.progress(1, 2, "迟到的进度")
    assert queue.row(job_id).message == row.message


def test_cancel_stops_a_running_job_at_its_next_report(queue: Queue, gate_name: str) -> None:
    job_id = queue.enqueue("test.gated", {"gate": gate_name, "steps": 5})
    started, release = queued_tasks.gate(gate_name)
    assert started.wait(timeout=60)
    with queue.services.session_factory() as session:
        repository.request_cancel(session, job_id, utcnow())
        session.commit()
    assert queue.row(job_id).state == "running"
    release.set()
    row = queue.wait(job_id)
    assert row.state == "cancelled" and row.cancel_requested and row.done < 5


def test_a_job_cancelled_before_it_starts_never_runs(recorded: Any) -> None:
    env, dispatcher = recorded
    key = _key()
    with env.session_factory() as session:
        job_id = enqueue(
            session, "test.count", {"rows": 1, "key": key}, owner_id=None, case_id=None
        )
        session.commit()
        repository.request_cancel(session, job_id, utcnow())
        session.commit()
        assert session.get(QueuedJob, job_id, populate_existing=True).state == "cancelled"
    assert execute(env, job_id) == "cancelled"
    assert key not in queued_tasks.CALLS


def test_failure_keeps_the_detail_in_the_log_and_retry_runs_it_again(
    queue: Queue, tmp_path: Path
) -> None:
    job_id = queue.enqueue("test.flaky", {"marker": str(tmp_path / "marker")})
    failed = queue.wait(job_id)
    assert (failed.state, failed.error, failed.attempts) == ("failed", "处理失败：ValueError", 1)
    assert "secret" not in failed.error
    with queue.services.session_factory() as session:
        retry(session, job_id)
        assert queue.row(job_id).state == "failed"  # nothing happens before the commit
        session.commit()
    done = queue.wait(job_id)
    assert (done.state, done.error, done.result, done.attempts) == (
        "succeeded",
        "",
        {"ok": True},
        2,
    )
    with queue.services.session_factory() as session, pytest.raises(Conflict):
        retry(session, job_id)


def test_a_service_error_is_the_reason_the_user_reads(queue: Queue) -> None:
    row = queue.wait(queue.enqueue("test.refused", {}))
    assert (row.state, row.error) == ("failed", "第 3 页无法读取")


def test_shutdown_puts_a_running_job_back_and_recovery_runs_it(
    queue: Queue, gate_name: str
) -> None:
    job_id = queue.enqueue("test.gated", {"gate": gate_name, "steps": 2})
    started, release = queued_tasks.gate(gate_name)
    assert started.wait(timeout=60)
    queue.dispatcher.begin_shutdown()
    release.set()
    queue.dispatcher.shutdown()
    row = queue.row(job_id)
    assert (row.state, row.attempts) == ("queued", 1)
    uninstall_queue(queue.services.session_factory)
    fresh = install_queue(queue.env)
    assert recover(queue.env) == 1
    assert fresh.wait(job_id, 60)  # type: ignore[attr-defined]
    done = queue.row(job_id)
    assert (done.state, done.attempts, done.result) == ("succeeded", 2, {"steps": 2})


def test_progress_is_written_at_most_every_half_second_or_two_percent(queue: Queue) -> None:
    job_id = uuid.uuid4().hex
    with queue.services.session_factory() as session:
        # Not enqueued: claimed here, and its context exercised directly.
        session.add(QueuedJob(id=job_id, kind="test.count", payload={}, created_at=utcnow()))
        session.commit()
        attempt = repository.claim(session, job_id, utcnow(), utcnow())
        session.commit()
    assert attempt == 1
    writes: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("UPDATE queued_jobs SET done"):
            writes.append(statement)

    engine = queue.services.database
    event.listen(engine, "before_cursor_execute", count)
    try:
        context = RowContext(queue.services.session_factory, job_id, attempt)
        began = time.monotonic()
        for done in range(1, 1001):
            context.progress(done, 1000)
        elapsed = time.monotonic() - began
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert 10 <= len(writes) <= 51 + int(elapsed / 0.5) + 1
    assert context.latest == (1000.0, 1000.0, "")


def test_a_kind_this_process_does_not_know_fails_with_a_reason(queue: Queue) -> None:
    job_id = uuid.uuid4().hex
    with queue.services.session_factory() as session:
        session.add(QueuedJob(id=job_id, kind="gone.kind", payload={}, created_at=utcnow()))
        session.commit()
    assert execute(queue.env, job_id) == "failed"
    assert queue.row(job_id).error == "处理失败：本进程未注册此类任务（gone.kind）"
