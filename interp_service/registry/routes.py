"""API routes of the model registry (admins only): list, show, promote through the gate,
roll back, retire. After a promotion or roll-back is committed, the running engine is
refreshed, so the new model serves at once, without a restart."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool

from interp_service.api.access import ADMIN, require
from interp_service.api.deps import AppSettings, DbSession, Principal, get_services
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.jobs.schemas import JobOut
from interp_service.registry import gate, service, views
from interp_service.registry.schemas import (
    PAIR,
    PromotionIn,
    PromotionOut,
    RollbackIn,
    TrainIn,
    VersionOut,
)
from interp_service.training import jobs as training_jobs
from interp_service.training.request import TrainRequest

router = APIRouter(prefix="/api/v1/models", tags=["models"])


@router.get("")
def list_versions(
    db: DbSession,
    settings: AppSettings,
    pair: str = Query("", pattern=f"({PAIR})?"),
    status: str = Query("", pattern="^(candidate|promoted|retired|refused)?$"),
    paging: PageParams = Depends(page_params),
    me: Principal = require(ADMIN),
) -> Page[VersionOut]:
    """Model versions (the models folder is synced first), by pair and newest first."""
    rows, total = service.list_versions(
        db,
        settings,
        me.user,
        pair=pair or None,
        status=status or None,
        offset=paging.offset,
        limit=paging.size,
    )
    items = views.versions_out(db, rows)
    return Page.of(items, paging, total)


@router.post("/train", status_code=202)
def start_training(
    body: TrainIn,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> JobOut:
    """Export and check the pair's approved data now (422 when there is too little), then
    train as a job (`GET /api/v1/jobs/{id}` for progress). The model is not promoted."""
    job = training_jobs.start_training(
        db, settings, get_services(request).job_runner, me.user, TrainRequest(**body.model_dump())
    )
    return JobOut.of(job)


@router.get("/{model_name}/{model_version}")
def show(
    model_name: str,
    model_version: str,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> VersionOut:
    """A version with its metrics, lineage and last gate result (ten sample rows)."""
    row = service.show(db, settings, me.user, model_name, model_version)
    out = views.version_out(db, row)
    return out


@router.post("/{model_name}/{model_version}/promote")
async def promote(
    model_name: str,
    model_version: str,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    body: PromotionIn | None = None,
    me: Principal = require(ADMIN),
) -> PromotionOut:
    """Promote through the gate; refused → 409 with the scores and reasons (the gate
    result is kept with the version). `force` needs a `reason` of 10 characters or more."""
    data = body or PromotionIn()

    def work() -> PromotionOut:
        outcome = service.promote(
            db, settings, me.user, model_name, model_version, data.reason if data.force else None
        )
        # Now, not on return: a refused promotion keeps its gate result although the
        # request answers 409, and the engine refresh below reads the registry.
        db.commit()
        if not outcome.promoted:
            raise gate.refusal(outcome.version.label, outcome.result)
        return PromotionOut(
            promoted=True,
            forced=outcome.forced,
            version=views.version_out(db, outcome.version),
            previous=views.version_out(db, outcome.previous) if outcome.previous else None,
        )

    out = await run_in_threadpool(work)
    await get_services(request).translation_engine.refresh()  # serve it at once
    return out


@router.post("/rollback")
async def rollback(
    body: RollbackIn,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> VersionOut:
    """Promote again the version that served the pair before the current one."""

    def work() -> VersionOut:
        row = service.rollback(db, settings, me.user, body.pair)
        db.commit()  # before the engine refresh below, which reads the registry
        return views.version_out(db, row)

    out = await run_in_threadpool(work)
    await get_services(request).translation_engine.refresh()  # serve it at once
    return out


@router.post("/{model_name}/{model_version}/retire")
def retire(
    model_name: str,
    model_version: str,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> VersionOut:
    """Set a candidate aside for good (never promoted or rolled back to)."""
    row = service.retire(db, settings, me.user, model_name, model_version)
    return views.version_out(db, row)
