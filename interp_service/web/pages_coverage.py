"""Pages of the coverage domain: the worklist (工作清单) for Miao-speaking staff and the
coverage report (覆盖情况) per variety, with the speech-data export for admins."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from interp_service.api.access import SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal
from interp_service.api.pagination import PageParams
from interp_service.coverage import speech_export
from interp_service.coverage.report import PATHS, coverage_report
from interp_service.coverage.schemas import Direction, Period
from interp_service.coverage.service import MIN_CASES_FOR_WORDS, worklist
from interp_service.translation.receipts import PATH_LABELS
from interp_service.users.orm import User
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)
LANGUAGE = r"^[a-z]{3}$"
SECTION_SIZE = 30
# Bar colours per path (SVG attributes: the page's CSP allows no inline styles).
PATH_COLOURS = {
    "memory-exact": "#1d6b35",
    "memory-fuzzy": "#4f86c6",
    "model": "#7b4fb8",
    "gloss": "#c0392b",
}


def _default_variety(user: User, language: str) -> str:
    """The viewer's own variety of the language, if their competence names one."""
    for c in user.competences:
        if c.language == language and c.variety:
            return str(c.variety)
    return ""


@router.get("/worklist")
def worklist_page(
    request: Request,
    db: DbSession,
    language: str = Query("mmr", pattern=LANGUAGE),
    variety: str | None = Query(None, max_length=64),
    page: int = Query(1, ge=1, le=1_000_000),
    me: Principal = require(SIGNED_IN),
) -> Response:
    chosen = _default_variety(me.user, language) if variety is None else variety.strip()
    result = worklist(db, me.user, language, chosen, PageParams(page=page, size=SECTION_SIZE))
    pages = max(
        section.pages
        for section in (
            result.concepts,
            result.phrases,
            result.words,
            result.sentences,
            result.unknown_words,
        )
    )
    return render(
        request,
        "coverage_worklist.html",
        work=result,
        page=page,
        pages=max(pages, 1),
        min_cases=MIN_CASES_FOR_WORDS,
    )


@router.get("/coverage")
def coverage_page(
    request: Request,
    db: DbSession,
    language: str = Query("mmr", pattern=LANGUAGE),
    variety: str = Query("", max_length=64),
    period: Period = "week",
    direction: Direction = "both",
    periods: int = Query(12, ge=1, le=120),
    me: Principal = require(SIGNED_IN),
) -> Response:
    report = coverage_report(db, language, variety.strip(), period, direction, periods)
    speech = None
    if me.is_admin:
        speech = speech_export.select_items(db, language, variety.strip() or None)
    return render(
        request,
        "coverage_report.html",
        report=report,
        paths=PATHS,
        path_labels=PATH_LABELS,
        colours=PATH_COLOURS,
        speech=speech,
        reasons=speech_export.REASONS,
    )
