"""Queued jobs on Redis with real worker processes: a job whose worker is killed (SIGKILL)
mid-run is finished by the other worker, as attempt 2, with its output written once; a
worker stopped with SIGTERM hands its running job to the other worker.

Needs the Redis on 127.0.0.1:6379 (`INTERP_TEST_REDIS_URL` to use another); skipped when it
is unreachable, unless `CI` is set. Each run uses a key namespace of its own and deletes it.
The heartbeat timeout is 2 s here, and every queue poll runs maintenance, so the killed
worker's message is back on the queue within a few seconds.
"""

from __future__ import annotations

import os
import queue as queues
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
import redis

from interp_service.config import Settings
from interp_service.jobs.base import FINAL_STATES
from interp_service.jobs.broker import DramatiqDispatcher
from interp_service.jobs.environment import build_services
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.queue import enqueue, install_queue, uninstall_queue
from interp_service.jobs.tasks import TaskEnv
from interp_service.jobs.worker import READY_LINE
from interp_service.services import AppServices
from tests.jobs.conftest import create_output_table, output_rows

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("INTERP_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
HEARTBEAT_S = 2.0
T = TypeVar("T")


@pytest.fixture
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is not reachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    yield client
    client.close()


@pytest.fixture
def queue_settings(settings: Settings, redis_client: redis.Redis) -> Iterator[Settings]:
    namespace = f"interp-test-{uuid.uuid4().hex[:12]}"
    yield settings.model_copy(
        update={
            "redis_url": REDIS_URL,
            "queue_namespace": namespace,
            "queue_heartbeat_s": HEARTBEAT_S,
            "queue_maintenance_chance": 1.0,
        }
    )
    keys = list(redis_client.scan_iter(match=f"{namespace}:*", count=500))
    if keys:
        redis_client.delete(*keys)


class WorkerProcess:
    """`python -m interp_service.jobs.worker` with the test tasks, its output collected."""

    def __init__(self, settings: Settings) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("INTERP_")},
            "PYTHONPATH": str(ROOT),
            "INTERP_DATA_DIR": str(settings.data_dir),
            "INTERP_DATABASE_URL": settings.resolved_database_url,
            "INTERP_REDIS_URL": settings.redis_url,
            "INTERP_QUEUE_NAMESPACE": settings.queue_namespace,
            "INTERP_QUEUE_HEARTBEAT_S": str(settings.queue_heartbeat_s),
            "INTERP_QUEUE_MAINTENANCE_CHANCE": str(settings.queue_maintenance_chance),
        }
        command = [sys.executable, "-m", "interp_service.jobs.worker", "--threads", "1"]
        command += ["--import", "tests.jobs.queued_tasks", "--shutdown-timeout", "5"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._ready: queues.Queue[str] = queues.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)
            if line.strip() == READY_LINE:
                self._ready.put(line)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout_s: float) -> None:
        try:
            self._ready.get(timeout=timeout_s)
        except queues.Empty:
            pytest.fail(f"worker {self.pid} not ready:\n{''.join(self.lines)}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            return -9


def _until(probe: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """Poll `probe` (state in another process) until it answers, at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.1)


@dataclass
class Cluster:
    services: AppServices
    workers: list[WorkerProcess]
    marks: Path

    def enqueue_killable(self, key: str) -> str:
        with self.services.session_factory() as session:
            payload = {"dir": str(self.marks), "rows": 3, "key": key}
            job_id = enqueue(session, "test.killable", payload, owner_id=None, case_id=None)
            session.commit()  # sends the message
        return job_id

    def first_runner(self) -> tuple[WorkerProcess, WorkerProcess]:
        """(the worker that started the job, the other one), once one has."""
        started = _until(lambda: list(self.marks.glob("started-*")), 60, "a worker starts")
        first = next(w for w in self.workers if f"started-{w.pid}" == started[0].name)
        return first, next(w for w in self.workers if w is not first)

    def finished(self, job_id: str) -> QueuedJob:
        def probe() -> QueuedJob | None:
            with self.services.session_factory() as session:
                row = session.get(QueuedJob, job_id)
                return row if row is not None and row.state in FINAL_STATES else None

        return _until(probe, 90, "the job ends")


@pytest.fixture
def cluster(queue_settings: Settings, tmp_path: Path) -> Iterator[Cluster]:
    """Two worker processes on the test database; this process enqueues through Redis."""
    services = build_services(queue_settings)
    create_output_table(services)
    assert isinstance(install_queue(TaskEnv(services, LoopBridge())), DramatiqDispatcher)
    workers = [WorkerProcess(queue_settings) for _ in range(2)]
    marks = tmp_path / "marks"
    marks.mkdir()
    try:
        for worker in workers:
            worker.wait_ready(timeout_s=120)
        yield Cluster(services, workers, marks)
    finally:
        for worker in workers:
            worker.stop()
        uninstall_queue(services.session_factory)
        services.job_runner.shutdown()
        services.database.dispose()


def test_a_killed_workers_job_is_finished_by_the_other_worker(cluster: Cluster) -> None:
    key = uuid.uuid4().hex
    job_id = cluster.enqueue_killable(key)
    victim, survivor = cluster.first_runner()
    # The first attempt wrote its output, then waits for the release file: kill it there.
    assert output_rows(cluster.services, key) == [(n, victim.pid) for n in range(3)]
    victim.process.send_signal(signal.SIGKILL)
    assert victim.process.wait(timeout=30) == -signal.SIGKILL
    (cluster.marks / "release").write_text("go")

    row = cluster.finished(job_id)
    assert (row.state, row.attempts, row.error) == ("succeeded", 2, ""), survivor.lines
    assert row.result == {"rows": 3, "pid": survivor.pid}
    # Written twice, kept once: the second attempt replaced the first one's rows.
    assert output_rows(cluster.services, key) == [(n, survivor.pid) for n in range(3)]
    assert sorted(p.name for p in cluster.marks.glob("started-*")) == sorted(
        [f"started-{victim.pid}", f"started-{survivor.pid}"]
    )
    assert survivor.stop() == 0  # SIGTERM: a graceful stop


def test_a_stopping_worker_hands_its_job_to_the_other(cluster: Cluster) -> None:
    key = uuid.uuid4().hex
    job_id = cluster.enqueue_killable(key)
    leaving, staying = cluster.first_runner()
    assert leaving.stop() == 0  # SIGTERM while the job waits: interrupted, queued again
    _until(lambda: (cluster.marks / f"started-{staying.pid}").exists(), 60, "the other starts")
    (cluster.marks / "release").write_text("go")
    row = cluster.finished(job_id)
    assert (row.state, row.attempts, row.result) == (
        "succeeded",
        2,
        {"rows": 3, "pid": staying.pid},
    ), staying.lines
    assert output_rows(cluster.services, key) == [(n, staying.pid) for n in range(3)]
