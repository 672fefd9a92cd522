"""The audit trail: hash chain, tamper detection, the CLI, and concurrent writers."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from interp_service.audit.chain import Actor, record, verify
from interp_service.audit.orm import AuditEntry
from interp_service.config import Settings
from tests.conftest import Account, bearer, new_case


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "INTERP_DATA_DIR": str(settings.data_dir),
        "INTERP_DATABASE_URL": settings.resolved_database_url,
    }
    return subprocess.run(
        [sys.executable, "-m", "interp_service.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_trail_verifies_then_fails_after_tampering(
    client: TestClient, make_user: Any, db: Any, settings: Settings
) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead)
    assert verify(db).ok
    ok = _cli(settings, "audit", "verify")
    assert ok.returncode == 0 and "intact" in ok.stdout
    victim = db.scalar(select(AuditEntry).where(AuditEntry.action == "case.create"))
    db.execute(
        text("UPDATE audit_entries SET actor_name = 'someone-else' WHERE seq = :s"),
        {"s": victim.seq},
    )
    db.commit()
    result = verify(db)
    assert not result.ok and result.first_bad_seq == victim.seq
    broken = _cli(settings, "audit", "verify")
    assert broken.returncode == 1
    assert f"entry {victim.seq}" in broken.stdout


def test_deleting_an_entry_is_detected(client: TestClient, make_user: Any, db: Any) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead)
    last = db.scalar(select(func.max(AuditEntry.seq)))
    db.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": last - 1})
    db.commit()
    result = verify(db)
    assert not result.ok and result.first_bad_seq == last - 1


def test_refused_change_records_only_the_refusal(
    client: TestClient, make_user: Any, db: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    new_case(client, lead)
    before = db.scalar(select(func.max(AuditEntry.seq)))
    dup = client.post(
        "/api/v1/cases",
        headers=bearer(lead),
        json={"case_number": "保检刑诉〔2026〕12号", "title": "x", "opened_on": "2026-11-01"},
    )
    assert dup.status_code == 409
    # Nothing of the refused change; the attempt itself is audited (a taken case number).
    added = db.scalars(select(AuditEntry.action).where(AuditEntry.seq > before)).all()
    assert added == ["case.create_refused"]
    assert verify(db).ok


def test_admin_reads_and_filters_the_trail(
    client: TestClient, admin: Account, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    cid = new_case(client, lead)["id"]
    page = client.get("/api/v1/audit", params={"case_id": cid}, headers=bearer(admin)).json()
    assert page["total"] >= 2 and all(e["case_id"] == cid for e in page["items"])
    by_action = client.get(
        "/api/v1/audit", params={"action": "case."}, headers=bearer(admin)
    ).json()
    assert {e["action"] for e in by_action["items"]} == {"case.create"}
    assert client.get("/api/v1/audit", headers=bearer(lead)).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=bearer(admin)).json()["ok"] is True


def _writer(url: str, name: str, count: int, start: Any) -> None:
    from interp_service.db.session import make_engine, make_session_factory

    engine = make_engine(Settings(database_url=url))
    factory = make_session_factory(engine)
    start.wait()
    for i in range(count):
        with factory() as session:
            record(session, Actor(None, name), "test.write", "test", i)
            session.commit()
    engine.dispose()


def test_two_processes_writing_at_once_keep_one_chain(settings: Settings, db: Any) -> None:
    before = db.scalar(select(func.count()).select_from(AuditEntry))
    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    count = 40
    procs = [
        ctx.Process(target=_writer, args=(settings.resolved_database_url, f"p{n}", count, start))
        for n in range(2)
    ]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(timeout=180)
        assert p.exitcode == 0
    result = verify(db)
    assert result.ok, result.reason
    assert result.entries_checked == before + 2 * count
    names = db.scalars(select(AuditEntry.actor_name).where(AuditEntry.action == "test.write")).all()
    assert sorted(set(names)) == ["p0", "p1"]
