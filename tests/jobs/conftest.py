"""Fixtures of the queued-job tests: the in-process queue on the test app's database, the
test task kinds (tests/jobs/queued_tasks.py) and the table they write to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import text

from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.queue import (
    InProcessDispatcher,
    enqueue,
    install_queue,
    uninstall_queue,
)
from interp_service.jobs.tasks import TaskEnv
from interp_service.services import AppServices
from tests.jobs import queued_tasks


def create_output_table(services: AppServices) -> None:
    with services.session_factory() as session:
        session.execute(text(queued_tasks.OUTPUT_DDL))
        session.commit()


def output_rows(services: AppServices, key: str) -> list[tuple[int, int]]:
    """(n, pid) of the rows a test task wrote under `key`."""
    with services.session_factory() as session:
        rows = session.execute(
            text("SELECT n, pid FROM test_job_output WHERE job_key = :k ORDER BY n"), {"k": key}
        ).all()
    return [(int(n), int(pid)) for n, pid in rows]


@dataclass
class Queue:
    env: TaskEnv
    dispatcher: InProcessDispatcher

    @property
    def services(self) -> AppServices:
        return self.env.services

    def enqueue(
        self,
        kind: str,
        payload: dict[str, Any],
        owner_id: int | None = None,
        case_id: int | None = None,
    ) -> str:
        """Enqueue in a session of its own and commit (which dispatches)."""
        with self.services.session_factory() as session:
            job_id = enqueue(session, kind, payload, owner_id=owner_id, case_id=case_id)
            session.commit()
        return job_id

    def wait(self, job_id: str) -> QueuedJob:
        """This process's run of the job ended; the row as it is then."""
        assert self.dispatcher.wait(job_id, timeout_s=60), "job did not end within 60 s"
        return self.row(job_id)

    def row(self, job_id: str) -> QueuedJob:
        with self.services.session_factory() as session:
            row = session.get(QueuedJob, job_id)
            assert row is not None
            return row


@pytest.fixture
def queue(app: FastAPI) -> Iterator[Queue]:
    services: AppServices = app.state.services
    create_output_table(services)
    env = TaskEnv(services, LoopBridge())
    dispatcher = install_queue(env)  # the app's own when create_app installed one
    assert isinstance(dispatcher, InProcessDispatcher)
    yield Queue(env, dispatcher)
    for release in queued_tasks.GATES.values():
        release.set()  # no test task is left waiting on a gate
    uninstall_queue(services.session_factory)


@pytest.fixture
def gate_name(request: pytest.FixtureRequest) -> Iterator[str]:
    """A gate of `test.gated` private to this test."""
    name = request.node.nodeid
    yield name
    queued_tasks.gate(name)[1].set()
