"""The in-process job runner: progress, results, failures and cancellation."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest

from interp_service.jobs.base import JobContext
from interp_service.jobs.inprocess import InProcessJobRunner


@pytest.fixture
def runner() -> Iterator[InProcessJobRunner]:
    r = InProcessJobRunner(workers=2)
    yield r
    r.shutdown()


def test_job_reports_progress_and_result(runner: InProcessJobRunner) -> None:
    def work(ctx: JobContext) -> dict[str, Any]:
        for i in range(1, 5):
            ctx.progress(i, 4, f"step {i}")
        return {"pages": 4}

    job = runner.submit("demo", work, owner_id=1)
    done = runner.wait(job.id, timeout_s=30)
    assert done is not None
    assert (done.state, done.done, done.total, done.result) == ("succeeded", 4, 4, {"pages": 4})
    assert done.message == "step 4" and done.finished_at is not None


def test_failure_is_the_jobs_state(runner: InProcessJobRunner) -> None:
    def broken(ctx: JobContext) -> dict[str, Any]:
        raise ValueError("page 3 unreadable")

    done = runner.wait(runner.submit("demo", broken, owner_id=1).id, timeout_s=30)
    assert done is not None and done.state == "failed" and "page 3 unreadable" in done.error


def test_cancel_stops_a_running_job(runner: InProcessJobRunner) -> None:
    started = threading.Event()
    release = threading.Event()
    steps: list[int] = []

    def long(ctx: JobContext) -> dict[str, Any]:
        started.set()
        for i in range(1000):
            release.wait(timeout=30)
            ctx.progress(i, 1000)
            steps.append(i)
        return {}

    job = runner.submit("long", long, owner_id=1)
    assert started.wait(timeout=30)
    runner.cancel(job.id)
    release.set()
    done = runner.wait(job.id, timeout_s=30)
    assert done is not None and done.state == "cancelled"
    assert len(steps) < 1000


def test_jobs_are_listed_per_owner(runner: InProcessJobRunner) -> None:
    a = runner.submit("x", lambda ctx: {}, owner_id=1)
    b = runner.submit("x", lambda ctx: {}, owner_id=2)
    runner.wait(a.id, 30)
    runner.wait(b.id, 30)
    assert [j.id for j in runner.list(owner_id=2)] == [b.id]
    assert len(runner.list()) == 2
