"""A transcript job on two real Redis worker processes: the worker running it is killed
(SIGKILL) while it suggests translations, the other worker runs it again as attempt 2, and
every sentence of the file ends up as exactly one segment. In this process: a finished
transcript job delivered again (its row back to `queued`, or left `running` by a worker
that died after writing) leaves the same segments, not twice as many.

The Redis test needs the Redis on 127.0.0.1:6379 (`INTERP_TEST_REDIS_URL` to use another);
it is skipped when Redis is unreachable, unless `CI` is set. The heartbeat timeout is 2 s
(see tests/jobs/test_queued_redis.py). Worker processes import this module (`--import`)
with `TRANSCRIPT_TEST_MARKS` set: it then notes `started-<pid>` in that folder when a
transcript job starts reading, so the test knows which worker to kill.

Sentences are Chinese; Miao text only appears as zz-0001 placeholders.
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
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from interp_service.app import create_app
from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.jobs.base import FINAL_STATES
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.queue import installed_dispatcher
from interp_service.jobs.worker import READY_LINE
from interp_service.services import AppServices
from interp_service.transcripts import processing
from interp_service.transcripts.drafting import SegmentDraft
from interp_service.transcripts.orm import Transcript, TranscriptSegment
from interp_service.transcripts.shapes import Change
from tests.jobs.test_queued_redis import HEARTBEAT_S, REDIS_URL
from tests.transcripts.conftest import Setting, upload, wait_done

ROOT = Path(__file__).resolve().parents[2]
MARKS_ENV = "TRANSCRIPT_TEST_MARKS"
SENTENCES = 8000
"""Long enough that the worker is still suggesting translations seconds after it reports
its first progress past reading, even on a loaded two-core machine (on an idle one, about
1,500 suggestions/s and 3,000 segments written/s: some 7 s of work are left at the kill)."""
T = TypeVar("T")


def _mark_runs(folder: Path) -> None:
    """In a worker process: write `started-<pid>` when a text transcript starts reading."""
    read = processing._text_drafts

    def marked(
        services: AppServices, item: Transcript
    ) -> tuple[list[SegmentDraft], list[Change], str]:
        (folder / f"started-{os.getpid()}").write_text(str(item.id))
        return read(services, item)

    processing._text_drafts = marked


if os.environ.get(MARKS_ENV):  # imported by a worker process (--import)
    _mark_runs(Path(os.environ[MARKS_ENV]))


def interview(sentences: int) -> tuple[bytes, list[str]]:
    """A UTF-8 interview of at least `sentences` sentences in 问/答 turns (most answers
    hold two sentences, one of them the same in each), and its sentences in order."""
    lines: list[str] = []
    expected: list[str] = []
    n = 0
    while len(expected) < sentences:
        n += 1
        if n % 3 == 1:
            said = [f"你第{n}次去县城是哪一天？"]
            lines.append("问：" + said[0])
        elif n % 50 == 0:
            said = [f"zz-{n % 10_000:04d} zz-0001"]
            lines.append("答：" + said[0])
        else:
            said = [f"我记得是第{n}天。", "当时我一个人去的。"]
            lines.append("答：" + "".join(said))
        expected += said
    return "\n".join(lines).encode("utf-8"), expected


def _until(probe: Callable[[], T | None], timeout_s: float, what: str) -> T:
    """Poll `probe` (state another process writes) every 50 ms, at most `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            pytest.fail(f"{what}: not within {timeout_s} s")
        time.sleep(0.05)


def job_row(services: AppServices, job_id: str) -> QueuedJob:
    with services.session_factory() as session:
        row = session.get(QueuedJob, job_id)
        assert row is not None
        return row


def segment_texts(services: AppServices, transcript_id: int) -> list[tuple[int, str]]:
    """(sequence, source text) of the transcript's segments, in sequence order."""
    with services.session_factory() as session:
        rows = session.execute(
            select(TranscriptSegment.sequence, TranscriptSegment.source_text)
            .where(TranscriptSegment.transcript_id == transcript_id)
            .order_by(TranscriptSegment.sequence)
        ).all()
    return [(int(sequence), str(text)) for sequence, text in rows]


def transcript_state(services: AppServices, transcript_id: int) -> str:
    with services.session_factory() as session:
        item = session.get(Transcript, transcript_id)
        assert item is not None
        return item.state


class Worker:
    """`python -m interp_service.jobs.worker` importing this module to mark its runs."""

    def __init__(self, settings: Settings, marks: Path) -> None:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("INTERP_")},
            "PYTHONPATH": str(ROOT),
            MARKS_ENV: str(marks),
            "INTERP_DATA_DIR": str(settings.data_dir),
            "INTERP_DATABASE_URL": settings.resolved_database_url,
            "INTERP_REDIS_URL": settings.redis_url,
            "INTERP_QUEUE_NAMESPACE": settings.queue_namespace,
            "INTERP_QUEUE_HEARTBEAT_S": str(settings.queue_heartbeat_s),
            "INTERP_QUEUE_MAINTENANCE_CHANCE": str(settings.queue_maintenance_chance),
        }
        command = [sys.executable, "-m", "interp_service.jobs.worker", "--threads", "1"]
        command += ["--import", __name__, "--shutdown-timeout", "5"]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
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


@pytest.fixture
def redis_settings(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """The test database's settings with the Redis queue in a key namespace of its own."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        if os.environ.get("CI"):
            pytest.fail(f"Redis at {REDIS_URL} is not reachable in CI: {exc}")
        pytest.skip(f"Redis at {REDIS_URL} is not reachable")
    namespace = f"interp-test-{uuid.uuid4().hex[:12]}"
    yield settings.model_copy(
        update={
            "redis_url": REDIS_URL,
            "queue_namespace": namespace,
            "queue_heartbeat_s": HEARTBEAT_S,
            "queue_maintenance_chance": 1.0,
        }
    )
    keys = list(client.scan_iter(match=f"{namespace}:*", count=500))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture
def redis_app(redis_settings: Settings) -> Iterator[FastAPI]:
    """A second app on the test database whose uploads go to the Redis queue."""
    application = create_app(redis_settings)
    yield application
    application.state.services.job_runner.shutdown()
    application.state.services.database.dispose()


@pytest.fixture
def workers(redis_settings: Settings, tmp_path: Path) -> Iterator[tuple[list[Worker], Path]]:
    """Two worker processes on the test database, and the folder they mark their runs in."""
    marks = tmp_path / "marks"
    marks.mkdir()
    started = [Worker(redis_settings, marks) for _ in range(2)]
    try:
        for worker in started:
            worker.wait_ready(timeout_s=120)
        yield started, marks
    finally:
        for worker in started:
            worker.stop()


def test_a_transcript_whose_worker_is_killed_is_finished_once_by_the_other(
    client: TestClient,
    setting: Setting,
    redis_app: FastAPI,
    workers: tuple[list[Worker], Path],
) -> None:
    services: AppServices = redis_app.state.services
    pool, marks = workers
    data, expected = interview(SENTENCES)
    with TestClient(redis_app) as redis_client:
        r = upload(redis_client, setting, "询问笔录.txt", data)
    assert r.status_code == 202, r.text
    job_id, transcript_id = r.json()["job_id"], r.json()["id"]

    started = _until(lambda: list(marks.glob("started-*")), 60, "a worker starts the job")
    victim = next(w for w in pool if started[0].name == f"started-{w.pid}")
    survivor = next(w for w in pool if w is not victim)

    # Past reading (its share of the bar) and into the suggestions: most of the job is left.
    reading_done = 100 * processing.DEFAULT_READ_SHARE

    def suggesting() -> QueuedJob | None:
        row = job_row(services, job_id)
        assert row.state in ("queued", "running"), (row.state, row.error, victim.lines)
        return row if row.state == "running" and row.done > reading_done else None

    row = _until(suggesting, 60, "the job reports progress past reading")
    assert row.attempts == 1 and row.done < 100, (row.done, row.message)
    victim.process.send_signal(signal.SIGKILL)
    assert victim.process.wait(timeout=30) == -signal.SIGKILL
    # Killed before its one transaction: nothing of the first attempt was written.
    assert segment_texts(services, transcript_id) == []
    assert transcript_state(services, transcript_id) == "processing"

    def finished() -> QueuedJob | None:
        found = job_row(services, job_id)
        return found if found.state in FINAL_STATES else None

    row = _until(finished, 120, "the other worker finishes the job")
    assert (row.state, row.attempts, row.error) == ("succeeded", 2, ""), survivor.lines
    assert row.result is not None and row.result["segments"] == len(expected)
    assert (marks / f"started-{survivor.pid}").exists()
    assert transcript_state(services, transcript_id) == "ready"
    segments = segment_texts(services, transcript_id)
    assert [sequence for sequence, _ in segments] == list(range(1, len(expected) + 1))
    # Each sentence once, in order: the only repeated texts are those the file repeats.
    assert [text for _, text in segments] == expected
    assert survivor.stop() == 0


def _finished_run(app: FastAPI, client: TestClient, setting: Setting) -> tuple[str, int]:
    data, _ = interview(60)
    r = upload(client, setting, "笔录.txt", data)
    assert r.status_code == 202, r.text
    wait_done(app, r.json()["job_id"])
    return r.json()["job_id"], r.json()["id"]


@pytest.mark.parametrize("left", ["queued", "running"])
def test_a_finished_transcript_job_delivered_again_leaves_each_segment_once(
    app: FastAPI, client: TestClient, setting: Setting, left: str
) -> None:
    """`queued`: put back as if never acknowledged; `running`: its worker died after the
    transaction, before recording the outcome (heartbeat older than the timeout)."""
    services: AppServices = app.state.services
    job_id, transcript_id = _finished_run(app, client, setting)
    before = segment_texts(services, transcript_id)
    assert len(before) == 60 and job_row(services, job_id).attempts == 1
    stale = utcnow() - timedelta(seconds=10 * services.settings.queue_heartbeat_s)
    with services.session_factory() as session:
        row = session.get(QueuedJob, job_id)
        assert row is not None
        row.state, row.finished_at, row.heartbeat_at = left, None, stale
        session.commit()

    dispatcher = installed_dispatcher(services.session_factory)
    assert dispatcher is not None
    dispatcher.dispatch(job_id)
    wait_done(app, job_id)
    row = job_row(services, job_id)
    assert (row.state, row.attempts, row.error) == ("succeeded", 2, "")
    assert segment_texts(services, transcript_id) == before
    assert transcript_state(services, transcript_id) == "ready"
