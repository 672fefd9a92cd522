"""Task kinds registered only by the tests (imported by the test process, and by worker
processes through `--import tests.jobs.queued_tasks`).

Output goes to `test_job_output`, a table the tests create in their own database; each run
deletes what an earlier attempt of the job wrote and writes its rows in one transaction.
In-process tests steer `test.gated` with threading events; worker processes are steered
with files (a worker in another process cannot see the test's events).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import text

from interp_service.errors import ValidationFailed
from interp_service.jobs.base import JobContext
from interp_service.jobs.tasks import TaskEnv, task

OUTPUT_DDL = "CREATE TABLE test_job_output (job_key VARCHAR(32) NOT NULL, n INTEGER, pid INTEGER)"

# In-process steering: gate name -> events.
STARTED: dict[str, threading.Event] = {}
GATES: dict[str, threading.Event] = {}
CALLS: dict[str, int] = {}
_lock = threading.Lock()


def gate(name: str) -> tuple[threading.Event, threading.Event]:
    """(started, release) events of a gate, created on first use."""
    with _lock:
        return STARTED.setdefault(name, threading.Event()), GATES.setdefault(
            name, threading.Event()
        )


def write_output(env: TaskEnv, key: str, rows: int) -> None:
    """Delete-and-rewrite the rows under `key` in one transaction (idempotent)."""
    with env.session_factory() as session:
        session.execute(text("DELETE FROM test_job_output WHERE job_key = :j"), {"j": key})
        for n in range(rows):
            session.execute(
                text("INSERT INTO test_job_output (job_key, n, pid) VALUES (:j, :n, :p)"),
                {"j": key, "n": n, "p": os.getpid()},
            )
        session.commit()


@task("test.count")
def count(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    rows = int(payload["rows"])
    for n in range(rows):
        ctx.progress(n + 1, rows, f"第 {n + 1} 行")
    write_output(env, payload["key"], rows)
    with _lock:
        CALLS[payload["key"]] = CALLS.get(payload["key"], 0) + 1
    return {"rows": rows}


@task("test.gated")
def gated(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """`steps` progress reports, each after the gate opens (stays open once set)."""
    started, release = gate(payload["gate"])
    steps = int(payload["steps"])
    ctx.progress(0, steps, "开始")
    started.set()
    for n in range(steps):
        if not release.wait(timeout=60):
            raise TimeoutError("gate never opened")
        ctx.check_cancelled()
        ctx.progress(n + 1, steps, f"第 {n + 1} 步")
    return {"steps": steps}


@task("test.flaky")
def flaky(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Fails (with a message that must not reach the user) until the marker file exists."""
    marker = Path(payload["marker"])
    if not marker.exists():
        marker.write_text("failed once")
        raise ValueError("internal detail /srv/secret/path")
    return {"ok": True}


@task("test.refused")
def refused(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    raise ValidationFailed("第 3 页无法读取")


@task("test.killable")
def killable(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """For worker processes: write the output, say so in `started-<pid>`, then wait for the
    `release` file before returning (the test kills the first worker while it waits)."""
    folder = Path(payload["dir"])
    rows = int(payload["rows"])
    write_output(env, payload["key"], rows)
    (folder / f"started-{os.getpid()}").write_text("started")
    release = folder / "release"
    waiting = threading.Event()
    while not release.exists():
        ctx.check_cancelled()
        waiting.wait(0.05)  # the task polls its marker file; the test never sleeps
    ctx.progress(rows, rows, "完成")
    return {"rows": rows, "pid": os.getpid()}


@task("test.translate")
def translate(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict[str, Any]:
    """Translate through the service's engine, on the loop it serves from (`env.bridge`)."""
    engine = env.services.translation_engine
    model = env.bridge.run(engine.model_for("cmn", "mmr"), timeout=60)
    if model is None:
        raise LookupError("no promoted cmn-mmr model")
    best = env.bridge.run(model.translate(payload["text"], timeout_s=30), timeout=60)[0]
    return {"text": best.text}
