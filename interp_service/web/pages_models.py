"""Model pages (admins): versions per language pair with their scores, lineage and status,
a version page with the gate result and ten test sentences side by side, and the forms to
promote (through the gate, or forced with a written reason), roll back and retire. After a
promotion or roll-back the running engine is refreshed, so the new model serves at once."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, require
from interp_service.api.deps import AppSettings, DbSession, Principal, get_services
from interp_service.config import Settings
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.registry import service, views
from interp_service.registry.schemas import TrainIn
from interp_service.training import jobs as training_jobs
from interp_service.training.jobs import JOB_KIND
from interp_service.training.request import TrainRequest
from interp_service.web.forms import error_of, form_values, parse
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {
    "candidate": "候选",
    "promoted": "现用",
    "retired": "已停用",
    "refused": "已拒收",
}
DECISION_LABELS = {"promote": "通过", "refuse": "未通过", "forced": "强制晋升"}


def _href(name: str, version: str) -> str:
    return f"/admin/models/{quote(name, safe='')}/{quote(version, safe='')}"


def _serving(request: Request) -> dict[str, str]:
    """What the running engine serves now: {pair: name@version}."""
    engine: Any = get_services(request).translation_engine
    if engine is None:
        return {}
    return {m["pair"]: f"{m['name']}@{m['version']}" for m in engine.status()["models"]}


def _list_page(
    request: Request,
    db: Session,
    settings: Settings,
    me: Principal,
    status: int = 200,
    **ctx: Any,
) -> Response:
    rows, total = service.list_versions(db, settings, me.user, limit=500)
    versions = views.versions_out(db, rows)
    ctx.setdefault("rollback_error", {})
    return render(
        request,
        "models.html",
        status,
        groups=views.by_pair(versions),
        total=total,
        headline=views.headline,
        labels=STATUS_LABELS,
        serving=_serving(request),
        href=_href,
        margin=settings.promotion_margin_chrf,
        training=[j for j in get_services(request).job_runner.list() if j.kind == JOB_KIND],
        **ctx,
    )


@router.get("/admin/models")
def models_page(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> Response:
    return _list_page(request, db, settings, me)


def _version_page(
    request: Request,
    db: Session,
    settings: Settings,
    me: Principal,
    name: str,
    version: str,
    status: int = 200,
    **ctx: Any,
) -> Response:
    row = service.show(db, settings, me.user, name, version)
    out = views.version_out(db, row)
    return render(
        request,
        "models_version.html",
        status,
        v=out,
        h=views.headline(out.metrics),
        labels=STATUS_LABELS,
        decisions=DECISION_LABELS,
        href=_href,
        margin=settings.promotion_margin_chrf,
        serving=_serving(request),
        **ctx,
    )


@router.get("/admin/models/{model_name}/{model_version}")
def version_page(
    model_name: str,
    model_version: str,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
) -> Response:
    return _version_page(request, db, settings, me, model_name, model_version)


@router.post("/admin/models/{model_name}/{model_version}/promote")
async def promote(
    model_name: str,
    model_version: str,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Promote; a refusal re-renders the version page (409) with the gate's reasons."""
    values = form_values(posted)
    force = values.get("force") in ("1", "on", "true")
    reason = values.get("reason", "")[:2000]

    def work() -> Response | None:
        try:
            outcome = service.promote(
                db, settings, me.user, model_name, model_version, reason if force else None
            )
        except AppError as exc:
            db.rollback()
            return _version_page(
                request,
                db,
                settings,
                me,
                model_name,
                model_version,
                exc.status,
                errors=error_of(exc),
                values=values,
            )
        # Now, not on return: a refused promotion keeps its gate result, and the engine
        # refresh below reads the registry.
        db.commit()
        if not outcome.promoted:
            return _version_page(
                request,
                db,
                settings,
                me,
                model_name,
                model_version,
                409,
                refused=outcome.result.get("reasons", []),
                values=values,
            )
        return None

    page = await run_in_threadpool(work)
    if page is not None:
        return page
    await get_services(request).translation_engine.refresh()  # serve it at once
    return RedirectResponse(_href(model_name, model_version) + "?promoted=1", status_code=303)


@router.post("/admin/models/{model_name}/{model_version}/retire")
def retire(
    model_name: str,
    model_version: str,
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        service.retire(db, settings, me.user, model_name, model_version)
    except AppError as exc:
        db.rollback()
        return _version_page(
            request, db, settings, me, model_name, model_version, exc.status, errors=error_of(exc)
        )
    return RedirectResponse(_href(model_name, model_version) + "?retired=1", status_code=303)


@router.post("/admin/models/train")
def start_training(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Start training from the page; too little data is said beside the form at once."""
    values = form_values(posted)
    body, errors = parse(
        TrainIn,
        {
            "source_language": values.get("source_language", ""),
            "target_language": values.get("target_language", ""),
            "both": values.get("both") == "1",
            "size": values.get("size", "small"),
        },
    )
    if body is not None:
        try:
            training_jobs.start_training(
                db,
                settings,
                get_services(request).job_runner,
                me.user,
                TrainRequest(**body.model_dump()),
            )
            return RedirectResponse("/admin/models?training=1#training", status_code=303)
        except AppError as exc:
            db.rollback()
            errors = error_of(exc)
            return _list_page(
                request, db, settings, me, exc.status, train_errors=errors, train_values=values
            )
    return _list_page(request, db, settings, me, 422, train_errors=errors, train_values=values)


@router.post("/admin/models/rollback")
async def rollback(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Roll a pair back; errors re-render the list beside that pair's form."""
    pair = form_values(posted).get("pair", "")[:16]

    def work() -> Response | None:
        try:
            service.rollback(db, settings, me.user, pair)
            db.commit()  # before the engine refresh below, which reads the registry
        except AppError as exc:
            db.rollback()
            return _list_page(
                request, db, settings, me, exc.status, rollback_error={pair: exc.detail}
            )
        return None

    page = await run_in_threadpool(work)
    if page is not None:
        return page
    await get_services(request).translation_engine.refresh()  # serve it at once
    return RedirectResponse(f"/admin/models?rolled_back={quote(pair)}", status_code=303)
