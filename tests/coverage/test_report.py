"""The coverage report: shares of interview sentences by the path that served them, per
ISO week in Beijing time, summing to 1 in every week."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from interp_service.coverage.report import period_of, window_start
from interp_service.interviews.orm import Exchange
from tests.conftest import Account, bearer
from tests.coverage.helpers import say
from tests.interview_setup import TERM_CMN, World, interview_world

QUESTION = f"你知道什么是{TERM_CMN}吗？"


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> World:
    return interview_world(client, admin, make_user)


def _report(client: TestClient, who: Account, **params: Any) -> dict[str, Any]:
    query = {"language": "mmr", "variety": "花垣", "period": "week", **params}
    r = client.get("/api/v1/coverage/report", params=query, headers=bearer(who))
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def test_shares_by_path_sum_to_one_per_week(client: TestClient, world: World, db: Session) -> None:
    entry = client.post(
        "/api/v1/memory/entries",
        headers=bearer(world.miao_admin),
        json={
            "source_language": "cmn",
            "source_text": QUESTION,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": f"zz-0001 {world.spelling}",
        },
    )
    assert entry.status_code == 201, entry.text
    old = say(client, world.interview_api, world.lead, "你叫什么名字？你住在哪里？")  # 2 gloss
    say(client, world.interview_api, world.lead, QUESTION)  # exact
    say(client, world.interview_api, world.lead, f"你知道什么叫{TERM_CMN}吗？")  # fuzzy
    say(client, world.interview_api, world.lead, "zz-0009", into_miao=False)  # gloss, other way
    db.execute(
        update(Exchange)
        .where(Exchange.id == old["id"])
        .values(created_at=datetime.now(UTC) - timedelta(days=7))
    )
    db.commit()

    report = _report(client, world.lead)
    assert report["paths"] == ["memory-exact", "memory-fuzzy", "model", "gloss"]
    rows = report["rows"]
    assert len(rows) == 2
    for row in rows + [report["total"]]:
        assert sum(row["shares"].values()) == pytest.approx(1.0)
        assert sum(row["counts"].values()) == row["sentences"]
    last_week, this_week = rows
    assert last_week["counts"] == {"memory-exact": 0, "memory-fuzzy": 0, "model": 0, "gloss": 2}
    assert this_week["counts"] == {"memory-exact": 1, "memory-fuzzy": 1, "model": 0, "gloss": 1}
    assert this_week["shares"]["memory-exact"] == pytest.approx(1 / 3)
    assert this_week["period"] == period_of(datetime.now(UTC), "week")[0]
    assert report["total"]["sentences"] == 5

    into = _report(client, world.lead, direction="into")
    assert into["total"]["sentences"] == 4
    assert _report(client, world.lead, direction="from")["total"]["counts"]["gloss"] == 1
    assert _report(client, world.lead, variety="吉首")["rows"] == []
    assert _report(client, world.lead, period="month")["total"]["sentences"] == 5
    assert _report(client, world.lead, periods=1)["total"]["sentences"] == 3


def test_weeks_are_iso_weeks_in_beijing_time() -> None:
    # Sunday 2026-11-29 17:00 UTC is Monday 01:00 in Beijing: the next ISO week.
    sunday_evening_utc = datetime(2026, 11, 29, 17, 0, tzinfo=UTC)
    assert period_of(sunday_evening_utc, "week") == ("2026-W49", datetime(2026, 11, 30).date())
    assert period_of(sunday_evening_utc - timedelta(hours=2), "week")[0] == "2026-W48"
    assert period_of(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "month")[0] == "2027-01"
    # Twelve weeks back from a Wednesday starts on a Monday at 00:00 Beijing time.
    start = window_start(datetime(2026, 12, 2, 4, 0, tzinfo=UTC), "week", 12)
    assert start == datetime(2026, 9, 13, 16, 0, tzinfo=UTC)
    assert window_start(datetime(2026, 3, 15, tzinfo=UTC), "month", 3) == datetime(
        2025, 12, 31, 16, 0, tzinfo=UTC
    )


def test_report_needs_sign_in_and_a_valid_period(client: TestClient, world: World) -> None:
    assert client.get("/api/v1/coverage/report").status_code == 401
    r = client.get("/api/v1/coverage/report?period=year", headers=bearer(world.lead))
    assert r.status_code == 422
