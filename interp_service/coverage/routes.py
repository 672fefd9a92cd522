"""API of the coverage domain: the worklist, the coverage report, the speech-data export."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import DbSession, Evidence, Principal
from interp_service.api.pagination import PageParams, page_params
from interp_service.coverage import speech_export
from interp_service.coverage.report import coverage_report
from interp_service.coverage.schemas import (
    CoverageReport,
    Direction,
    Period,
    SkippedItem,
    SpeechSummary,
    Worklist,
)
from interp_service.coverage.service import worklist
from interp_service.users.service import actor_of

router = APIRouter(prefix="/api/v1/coverage", tags=["coverage"])
LANGUAGE = r"^[a-z]{3}$"
OPTIONAL_LANGUAGE = r"^([a-z]{3})?$"


@router.get("/worklist")
def get_worklist(
    db: DbSession,
    language: str = Query("mmr", pattern=LANGUAGE),
    variety: str = Query("", max_length=64),
    days: int = Query(365, ge=1, le=3660, description="interviews of the last N days"),
    paging: PageParams = Depends(page_params),
    me: Principal = require(SIGNED_IN),
) -> Worklist:
    """What Miao-speaking staff should translate, verify or record next, ranked by use in
    interviews. Sentence text only from cases the caller is assigned to (admins: all);
    counts over all cases. Each section is paged with `page` and `size`."""
    return worklist(db, me.user, language, variety.strip(), paging, days)


@router.get("/report")
def get_report(
    db: DbSession,
    language: str = Query("mmr", pattern=LANGUAGE),
    variety: str = Query("", max_length=64),
    period: Period = "week",
    direction: Direction = "both",
    periods: int = Query(12, ge=1, le=120, description="how many periods back"),
    _: Principal = require(SIGNED_IN),
) -> CoverageReport:
    """Share of interview sentences served by approved memory (exact, fuzzy), a model and
    the gloss, per ISO week or month in Beijing time."""
    return coverage_report(db, language, variety.strip(), period, direction, periods)


@router.get("/speech-data")
def speech_summary(
    db: DbSession,
    language: str = Query("", pattern=OPTIONAL_LANGUAGE),
    variety: str = Query("", max_length=64),
    _: Principal = require(ADMIN),
) -> SpeechSummary:
    """How many recordings the speech-data export would contain, and why others would not."""
    chosen = speech_export.select_items(db, language or None, variety.strip() or None)
    return SpeechSummary(
        language=language,
        variety=variety.strip(),
        ready=len(chosen.items),
        skipped=chosen.skipped_counts(),
        skipped_items=[SkippedItem(source=s, reason=r) for s, r in chosen.skipped],
    )


@router.get("/speech-data.zip")
def speech_download(
    db: DbSession,
    store: Evidence,
    language: str = Query("", pattern=OPTIONAL_LANGUAGE),
    variety: str = Query("", max_length=64),
    me: Principal = require(ADMIN),
) -> FileResponse:
    """The speech-data export (manifest.jsonl, manifest.csv, audio/) as a zip; audited."""
    work = Path(tempfile.mkdtemp(prefix="speech-export-"))
    try:
        archive, result = speech_export.export_zip(
            db, store, actor_of(me.user), work, language or None, variety.strip() or None
        )
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return FileResponse(
        archive,
        media_type="application/zip",
        filename="speech-data.zip",
        headers={"x-manifest-sha256": result.manifest_sha256},
        background=BackgroundTask(shutil.rmtree, work, ignore_errors=True),
    )
