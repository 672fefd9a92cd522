"""The coverage report: per week or month (Beijing time), the share of interview sentences
served by approved memory (exact, fuzzy), by a model and by the gloss, computed from the
receipts stored with every exchange. Counts only; no case text."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy.orm import Session

from interp_service.coverage import repository as repo
from interp_service.coverage.receipts import sentences_of
from interp_service.coverage.schemas import CoverageReport, CoverageRow, Direction, Period
from interp_service.db.base import utcnow

BEIJING = timezone(timedelta(hours=8))  # one zone, no daylight saving
PATHS = ("memory-exact", "memory-fuzzy", "model", "gloss")


def period_of(at: datetime, period: Period) -> tuple[str, date]:
    """The label and first day of the period holding `at`, in Beijing time: ISO week
    (`2026-W48`, from Monday) or month (`2026-11`)."""
    day = at.astimezone(BEIJING).date()
    if period == "month":
        return f"{day.year}-{day.month:02d}", day.replace(day=1)
    year, week, weekday = day.isocalendar()
    return f"{year}-W{week:02d}", day - timedelta(days=weekday - 1)


def window_start(now: datetime, period: Period, periods: int) -> datetime:
    """Start (UTC) of the oldest of the last `periods` periods, the current one included."""
    _, first = period_of(now, period)
    if period == "week":
        first -= timedelta(weeks=periods - 1)
    else:
        months = first.year * 12 + first.month - 1 - (periods - 1)
        first = date(months // 12, months % 12 + 1, 1)
    return datetime.combine(first, time(0), BEIJING).astimezone(now.tzinfo)


def _row(label: str, starts: date | None, counts: Counter[str]) -> CoverageRow:
    total = sum(counts[p] for p in PATHS)
    return CoverageRow(
        period=label,
        starts=starts.isoformat() if starts else "",
        sentences=total,
        counts={p: counts[p] for p in PATHS},
        shares={p: (counts[p] / total if total else 0.0) for p in PATHS},
    )


def coverage_report(
    session: Session,
    language: str,
    variety: str,
    period: Period = "week",
    direction: Direction = "both",
    periods: int = 12,
    now: datetime | None = None,
) -> CoverageReport:
    """Sentence counts and shares by path for each of the last `periods` periods that had
    any sentence (oldest first), and for the whole window. `direction`: "into" the language,
    "from" it, or "both"; `variety` "" for every variety."""
    since = window_start(now or utcnow(), period, periods)
    per: dict[str, Counter[str]] = {}
    starts: dict[str, date] = {}
    total: Counter[str] = Counter()
    rows = repo.exchange_rows(session, language, since)
    for seen in sentences_of(rows, language, variety, direction):
        if seen.path not in PATHS:
            continue
        label, first = period_of(seen.at, period)
        per.setdefault(label, Counter())[seen.path] += 1
        starts[label] = first
        total[seen.path] += 1
    ordered = sorted(per, key=lambda label: starts[label])
    return CoverageReport(
        language=language,
        variety=variety,
        period=period,
        direction=direction,
        since=since,
        paths=list(PATHS),
        rows=[_row(label, starts[label], per[label]) for label in ordered],
        total=_row("total", None, total),
    )
