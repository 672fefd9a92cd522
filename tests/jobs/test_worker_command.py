"""The README's worker command, run verbatim: `interp-service worker --processes 2` with
`INTERP_REDIS_URL` set takes a transcript uploaded to the service through Redis, processes
it in one of its two processes, and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.app import create_app
from interp_service.config import Settings
from interp_service.jobs.base import FINAL_STATES
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.worker import READY_LINE
from interp_service.transcripts.orm import Transcript, TranscriptSegment
from tests.conftest import bearer
from tests.jobs.test_queued_redis import _until, queue_settings, redis_client
from tests.transcripts.conftest import INTERVIEW_TEXT, Setting, setting

__all__ = ["queue_settings", "redis_client", "setting"]  # fixtures, used by name

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"


def readme_worker_command() -> tuple[dict[str, str], list[str]]:
    """The environment and argv of the README's `interp-service worker` line."""
    line = next(
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if "interp-service worker" in line and "INTERP_REDIS_URL=" in line
    )
    words = shlex.split(line.split("#")[0])
    env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
    argv = [w for w in words if not re.match(r"^[A-Z_]+=", w)]
    return env, argv


@pytest.fixture
def app(queue_settings: Settings) -> Iterator[FastAPI]:
    """The service on the test database, sending its queued jobs to Redis."""
    application = create_app(queue_settings)
    yield application
    application.state.services.job_runner.shutdown()
    application.state.services.database.dispose()


@pytest.fixture
def worker(queue_settings: Settings) -> Iterator[subprocess.Popen[str]]:
    env_from_readme, argv = readme_worker_command()
    assert argv[:2] == ["interp-service", "worker"]
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("INTERP_")},
        **env_from_readme,
        # The test's database, files and a Redis key prefix of its own.
        "INTERP_DATA_DIR": str(queue_settings.data_dir),
        "INTERP_DATABASE_URL": queue_settings.resolved_database_url,
        "INTERP_QUEUE_NAMESPACE": queue_settings.queue_namespace,
    }
    command = [str(Path(sys.executable).parent / argv[0]), *argv[1:]]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    ready: list[str] = []
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)
            if line.strip() == READY_LINE:
                ready.append(line)

    threading.Thread(target=read, daemon=True).start()
    _until(lambda: len(ready) >= 2 or None, 180, "two worker processes ready")
    yield process
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=90) == 0, "".join(lines)


def test_the_readme_worker_command_processes_a_transcript(
    app: FastAPI,
    client: TestClient,
    queue_settings: Settings,
    setting: Setting,
    worker: subprocess.Popen[str],
) -> None:
    env_from_readme, _ = readme_worker_command()
    assert queue_settings.redis_url == env_from_readme["INTERP_REDIS_URL"]
    r = client.post(
        setting.upload_url,
        headers=bearer(setting.clerk),
        files={"file": ("笔录.txt", INTERVIEW_TEXT.encode("gb18030"), "text/plain")},
    )
    assert r.status_code == 202, r.text
    factory = app.state.services.session_factory

    def finished() -> QueuedJob | None:
        with factory() as session:
            row = session.get(QueuedJob, r.json()["job_id"])
            return row if row is not None and row.state in FINAL_STATES else None

    row = _until(finished, 120, "the worker finishes the job")
    assert (row.state, row.attempts) == ("succeeded", 1), row.error
    with factory() as session:
        item = session.get(Transcript, r.json()["id"])
        assert item is not None and item.state == "ready"
        count = session.scalar(
            select(func.count())
            .select_from(TranscriptSegment)
            .where(TranscriptSegment.transcript_id == item.id)
        )
    assert count == 5
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=90) == 0
