"""One approved entry per pair of normalised sides, held by the database: identical adds or
approvals racing each other leave one entry, the losers answer 409 (adds) or are linked to
the winner (approvals), never 500; revision 0009 resolves copies made before it."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, update
from sqlalchemy.exc import IntegrityError

from interp_service.db.migrate import alembic_config, upgrade_schema
from interp_service.memory import entries
from interp_service.memory import repository as memory_repo
from interp_service.memory.orm import MemoryEntry, MemorySubmission
from interp_service.memory.schemas import EntryCreate
from interp_service.users.orm import User
from tests.conftest import Account, bearer
from tests.memory.conftest import pair, submit

SOURCE = "你叫什么名字？"


def _race(app: FastAPI, n: int, send: Callable[[TestClient, int], Any]) -> list[Any]:
    """`send` from n threads, each with its own client, released together."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    lock = threading.Lock()

    def run(i: int) -> None:
        client = TestClient(app)
        barrier.wait()
        r = send(client, i)
        with lock:
            results.append(r)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    return results


def _approved(app: FastAPI) -> list[MemoryEntry]:
    with app.state.services.session_factory() as session:
        rows = list(
            session.scalars(
                select(MemoryEntry)
                .where(MemoryEntry.status == "approved", MemoryEntry.source_text == SOURCE)
                .order_by(MemoryEntry.id)
            ).all()
        )
        session.expunge_all()
        return rows


def test_ten_identical_adds_make_one_entry(app: FastAPI, miao_admin: Account) -> None:
    body = pair(SOURCE, "zz-0001 zz-0002")
    results = _race(
        app,
        10,
        lambda c, _: c.post("/api/v1/memory/entries", json=body, headers=bearer(miao_admin)),
    )
    codes = sorted(r.status_code for r in results)
    assert codes == [201] + [409] * 9, codes
    [entry] = _approved(app)
    for r in results:
        if r.status_code == 409:
            problem = r.json()
            assert r.headers["content-type"] == "application/problem+json"
            assert problem["entry_id"] == entry.id and f"条目 {entry.id}" in problem["detail"]


def test_six_identical_submissions_approved_at_once_make_one_entry(
    app: FastAPI, client: TestClient, miao_admin: Account, prosecutor: Account
) -> None:
    ids = [submit(client, prosecutor, pair(SOURCE, "zz-0001 zz-0002"))["id"] for _ in range(6)]
    results = _race(
        app,
        6,
        lambda c, i: c.post(
            f"/api/v1/memory/submissions/{ids[i]}/approve", json={}, headers=bearer(miao_admin)
        ),
    )
    assert sorted(r.status_code for r in results) == [200] * 6, [r.text for r in results]
    [entry] = _approved(app)
    # Every approved submission names the one entry: approving a twin links to it.
    assert {r.json()["entry_id"] for r in results} == {entry.id}


def test_approving_a_twin_that_differs_only_in_normalisation_links_to_it(
    client: TestClient, miao_admin: Account, prosecutor: Account, app: FastAPI
) -> None:
    first = submit(client, prosecutor, pair(SOURCE, "zz-0001 zz-0002"))
    second = submit(client, prosecutor, pair("你叫什么名字?", "zz-0001  zz-0002"))
    a = client.post(
        f"/api/v1/memory/submissions/{first['id']}/approve", json={}, headers=bearer(miao_admin)
    )
    b = client.post(
        f"/api/v1/memory/submissions/{second['id']}/approve", json={}, headers=bearer(miao_admin)
    )
    assert a.status_code == b.status_code == 200, b.text
    assert a.json()["entry_id"] == b.json()["entry_id"]
    assert len(_approved(app)) == 1


def test_the_database_itself_refuses_a_second_approved_copy(
    client: TestClient, miao_admin: Account, app: FastAPI
) -> None:
    r = client.post(
        "/api/v1/memory/entries", json=pair(SOURCE, "zz-0001"), headers=bearer(miao_admin)
    )
    assert r.status_code == 201
    with app.state.services.session_factory() as session:
        entry = session.get(MemoryEntry, r.json()["id"])
        assert entry is not None

        def copy(status: str) -> MemoryEntry:
            return MemoryEntry(
                source_language=entry.source_language,
                source_variety=entry.source_variety,
                source_text=entry.source_text + " ",
                source_key=entry.source_key,
                target_language=entry.target_language,
                target_variety=entry.target_variety,
                target_text=entry.target_text.upper(),  # the same under normalisation
                origin="import",
                status=status,
            )

        session.add(copy("approved"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        session.add(copy("retired"))  # only approved rows are held unique
        session.flush()
        session.rollback()


def test_revision_0009_retires_copies_made_before_it(
    app: FastAPI, client: TestClient, miao_admin: Account, prosecutor: Account, db_url: str
) -> None:
    subs = [submit(client, prosecutor, pair(SOURCE, "zz-0001"))["id"] for _ in range(2)]
    for sid in subs:
        r = client.post(
            f"/api/v1/memory/submissions/{sid}/approve", json={}, headers=bearer(miao_admin)
        )
        assert r.status_code == 200
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0008")
        with engine.begin() as connection:  # what the races used to leave behind
            [(kept,)] = connection.exec_driver_sql(
                "SELECT id FROM memory_entries WHERE status = 'approved'"
            ).all()
            connection.exec_driver_sql(
                "INSERT INTO memory_entries (source_language, source_variety, source_text,"
                " source_key, target_language, target_variety, target_text, origin, status,"
                " created_at, updated_at, version, is_phrase, phrase_category, phrase_title,"
                " legal_basis, recording_approved, recording_consent, recording_speaker)"
                " SELECT source_language, source_variety, source_text, source_key,"
                " target_language, target_variety, target_text || ' ', origin, status,"
                " created_at, updated_at, 1, is_phrase, phrase_category, phrase_title,"
                " legal_basis, recording_approved, recording_consent, recording_speaker"
                f" FROM memory_entries WHERE id = {int(kept)}"
            )
            [(copy,)] = connection.exec_driver_sql(
                f"SELECT id FROM memory_entries WHERE status = 'approved' AND id <> {int(kept)}"
            ).all()
            connection.execute(
                update(MemorySubmission).where(MemorySubmission.id == subs[1]).values(entry_id=copy)
            )
        upgrade_schema(engine)
        with engine.connect() as connection:
            statuses = dict(
                connection.execute(
                    select(MemoryEntry.id, MemoryEntry.status).where(
                        MemoryEntry.id.in_([kept, copy])
                    )
                ).all()
            )
            linked = connection.execute(
                select(func.count())
                .select_from(MemorySubmission)
                .where(MemorySubmission.entry_id == kept)
            ).scalar()
    finally:
        engine.dispose()
    assert statuses == {kept: "approved", copy: "retired"}  # the oldest is kept
    assert linked == 2


def test_an_add_that_finds_its_twin_approved_mid_request_answers_409(
    app: FastAPI, miao_admin: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The interleaving behind two 201s on PostgreSQL: the add reads "no approved entry for
    this source", another request commits the same pair, and the add's twin lookup (a later
    statement, so it sees that commit under READ COMMITTED) finds it. The add must refuse."""
    body = pair(SOURCE, "zz-0001 zz-0002")
    original = memory_repo.same_source
    committed: list[int] = []

    def same_source_then_a_rival_commits(*args: Any, **kwargs: Any) -> Any:
        rows = original(*args, **kwargs)
        if not committed:
            with app.state.services.session_factory() as rival:
                admin = rival.scalars(select(User).where(User.username == "miaoadmin")).one()
                monkeypatch.setattr(memory_repo, "same_source", original)
                entry = entries.create_entry(rival, admin, EntryCreate(**body))
                rival.commit()
                committed.append(entry.id)
            monkeypatch.setattr(memory_repo, "same_source", same_source_then_a_rival_commits)
        return rows

    monkeypatch.setattr(memory_repo, "same_source", same_source_then_a_rival_commits)
    r = TestClient(app).post("/api/v1/memory/entries", json=body, headers=bearer(miao_admin))
    assert r.status_code == 409, r.text
    assert r.json()["entry_id"] == committed[0]
    assert [e.id for e in _approved(app)] == committed
