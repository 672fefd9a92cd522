"""API routes to follow, cancel and retry jobs (in-process and queued); users see their
own, admins all; a job about a case only while the caller may see the case."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from interp_service.api.access import SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.jobs import events, service
from interp_service.jobs.schemas import JobOut

router = APIRouter(prefix="/api/v1", tags=["jobs"])


@router.get("/jobs")
def list_jobs(
    db: DbSession, services: Services, me: Principal = require(SIGNED_IN)
) -> list[JobOut]:
    return service.list_jobs(db, services.job_runner, me.user)


@router.get("/jobs/{job_id}")
def get_job(
    job_id: str, db: DbSession, services: Services, me: Principal = require(SIGNED_IN)
) -> JobOut:
    return service.find(db, services.job_runner, me.user, job_id)


@router.post("/jobs/{job_id}/cancel")
def cancel_job(
    job_id: str, db: DbSession, services: Services, me: Principal = require(SIGNED_IN)
) -> JobOut:
    return service.cancel(db, services.job_runner, me.user, job_id)


@router.post("/jobs/{job_id}/retry")
def retry_job(
    job_id: str, db: DbSession, services: Services, me: Principal = require(SIGNED_IN)
) -> JobOut:
    """Queue a failed or cancelled queued job again (409 for any other state)."""
    return service.retry(db, services.job_runner, me.user, job_id)


@router.get("/jobs/{job_id}/events", response_class=StreamingResponse)
def job_events(
    job_id: str, db: DbSession, services: Services, me: Principal = require(SIGNED_IN)
) -> StreamingResponse:
    """Server-Sent Events (`event: job`, JSON data: state, percentage, eta_s, …) whenever
    state, percentage or ETA change; the stream ends at a final state."""
    job = service.find(db, services.job_runner, me.user, job_id)
    return StreamingResponse(
        events.stream(services.session_factory, services.job_runner, job.id),
        media_type=events.MEDIA_TYPE,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
