"""A job's progress as Server-Sent Events: the row is polled every `POLL_S` seconds on the
server and an event is sent whenever state, percentage or ETA changed; the stream ends
after the event carrying a final state. A comment line every `KEEPALIVE_S` seconds keeps
proxies from closing a quiet stream."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from interp_service.jobs import service
from interp_service.jobs.base import FINAL_STATES, JobRunner
from interp_service.jobs.schemas import JobEvent

POLL_S = 0.5
KEEPALIVE_S = 15.0
MEDIA_TYPE = "text/event-stream"


def format_event(event: JobEvent) -> str:
    return f"event: job\ndata: {event.model_dump_json()}\n\n"


async def stream(
    factory: sessionmaker[Session], runner: JobRunner, job_id: str, poll_s: float = POLL_S
) -> AsyncIterator[str]:
    last: tuple[str, float, int | None] | None = None
    sent_at = time.monotonic()
    while True:
        job = await run_in_threadpool(service.snapshot, factory, runner, job_id)
        if job is None:  # deleted with its case while being followed
            return
        event = JobEvent.of(job)
        key = (event.state, event.percentage, event.eta_s)
        if key != last:
            last, sent_at = key, time.monotonic()
            yield format_event(event)
        elif time.monotonic() - sent_at >= KEEPALIVE_S:
            sent_at = time.monotonic()
            yield ": keep-alive\n\n"
        if event.state in FINAL_STATES:
            return
        await asyncio.sleep(poll_s)
