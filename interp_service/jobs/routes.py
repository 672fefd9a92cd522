"""API routes to follow and cancel jobs; users see their own, admins all."""

from __future__ import annotations

from fastapi import APIRouter, Request

from interp_service.api.access import SIGNED_IN, require
from interp_service.api.deps import Principal, get_services
from interp_service.errors import NotFound
from interp_service.jobs.base import JobInfo, JobRunner
from interp_service.jobs.schemas import JobOut

router = APIRouter(prefix="/api/v1", tags=["jobs"])


def _runner(request: Request) -> JobRunner:
    runner: JobRunner = get_services(request).job_runner
    return runner


def _visible(job: JobInfo | None, me: Principal) -> JobInfo:
    if job is None or (job.owner_id != me.user.id and not me.is_admin):
        raise NotFound("任务不存在")
    return job


@router.get("/jobs")
def list_jobs(request: Request, me: Principal = require(SIGNED_IN)) -> list[JobOut]:
    owner = None if me.is_admin else me.user.id
    return [JobOut.of(j) for j in _runner(request).list(owner)]


@router.get("/jobs/{job_id}")
def get_job(job_id: str, request: Request, me: Principal = require(SIGNED_IN)) -> JobOut:
    return JobOut.of(_visible(_runner(request).get(job_id), me))


@router.post("/jobs/{job_id}/cancel")
def cancel_job(job_id: str, request: Request, me: Principal = require(SIGNED_IN)) -> JobOut:
    runner = _runner(request)
    _visible(runner.get(job_id), me)
    job = runner.cancel(job_id)
    assert job is not None
    return JobOut.of(job)
