"""The request's database session (`DbSession`): what a handler did is saved when it
returns, dropped when it raises, and a conflict found only at that final commit answers
409, not a server error."""

from __future__ import annotations

from datetime import date

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.api.access import PUBLIC, require
from interp_service.api.deps import DbSession
from interp_service.cases.orm import Case
from interp_service.errors import ValidationFailed


def _case(number: str) -> Case:
    return Case(case_number=number, title="会话测试", opened_on=date(2026, 12, 1))


def _count(app: FastAPI, number: str) -> int:
    with app.state.services.session_factory() as session:
        return session.scalar(select(func.count()).where(Case.case_number == number)) or 0


def _add_routes(app: FastAPI) -> None:
    @app.post("/api/v1/test-only/saved/{number}", dependencies=[require(PUBLIC)])
    def saved(number: str, db: DbSession) -> dict[str, str]:
        db.add(_case(number))
        db.flush()
        return {"ok": number}

    @app.post("/api/v1/test-only/refused/{number}", dependencies=[require(PUBLIC)])
    def refused(number: str, db: DbSession) -> dict[str, str]:
        db.add(_case(number))
        db.flush()
        raise ValidationFailed("测试：处理中途拒绝")

    @app.post("/api/v1/test-only/late-conflict/{number}", dependencies=[require(PUBLIC)])
    def late_conflict(number: str, db: DbSession) -> dict[str, str]:
        # Not flushed: the unique index refuses the row only at the request's commit.
        db.add(_case(number))
        return {"ok": number}


def test_work_is_saved_when_the_handler_returns(app: FastAPI, client: TestClient) -> None:
    _add_routes(app)
    assert client.post("/api/v1/test-only/saved/RS-1").status_code == 200
    assert _count(app, "RS-1") == 1


def test_work_is_dropped_when_the_handler_raises(app: FastAPI, client: TestClient) -> None:
    _add_routes(app)
    r = client.post("/api/v1/test-only/refused/RS-2")
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    assert _count(app, "RS-2") == 0


def test_a_conflict_at_the_final_commit_is_a_409(app: FastAPI, client: TestClient) -> None:
    _add_routes(app)
    assert client.post("/api/v1/test-only/saved/RS-3").status_code == 200
    r = client.post("/api/v1/test-only/late-conflict/RS-3")
    assert r.status_code == 409
    assert r.headers["content-type"].startswith("application/problem+json")
    assert "冲突" in r.json()["detail"]
    assert _count(app, "RS-3") == 1
