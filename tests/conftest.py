"""Test fixtures: every test gets its own migrated database and data folder.

The database is SQLite unless INTERP_TEST_DATABASE_URL names a PostgreSQL database; then
each test gets a fresh database copied from one migrated template, and all are dropped
at the end of the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from interp_service.app import create_app
from interp_service.audit.chain import Actor
from interp_service.config import Settings
from interp_service.db.migrate import initialise
from interp_service.engine.cards import ModelCard
from interp_service.engine.testing import train_tiny_model
from interp_service.users.schemas import CompetenceIn, TokenCreate, UserCreate
from interp_service.users.service import create_api_token, create_user, open_session

ADMIN_PASSWORD = "admin-test-password"
PASSWORD = "correct-horse-battery"
PG_URL = os.environ.get("INTERP_TEST_DATABASE_URL", "")


def _settings(data_dir: Path, url: str | None, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "database_url": url,
        "admin_username": "admin",
        "admin_password": ADMIN_PASSWORD,
        "login_backoff_base_s": 30.0,
        # Whisper is joined from its packages once and shared by every test's app.
        "asr_model_dir": Path(tempfile.gettempdir()) / "interp-test-whisper-base",
        # The tiny test model is exact under greedy decoding everywhere; its int8 beam
        # search depends on the CPU's int8 kernels (on AMD EPYC 9 of its 200 training pairs
        # come out differently at beam 4), so the served path is tested greedily.
        "mt_beam_size": 1,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated database (with the first admin) that each test copies."""
    if PG_URL:
        initialise(_settings(tmp_path_factory.mktemp("tpl"), PG_URL))
        yield PG_URL
        return
    folder = tmp_path_factory.mktemp("template")
    initialise(_settings(folder, None))
    yield str(folder / "interp.sqlite3")


@pytest.fixture
def db_url(template_db: str, tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        target = tmp_path / "data" / "interp.sqlite3"
        target.parent.mkdir(parents=True)
        shutil.copy(template_db, target)
        yield f"sqlite:///{target}"
        return
    base = make_url(PG_URL)
    name = f"{base.database}_t{uuid.uuid4().hex[:10]}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{base.database}"'))
    yield base.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return _settings(tmp_path / "data", db_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.services.job_runner.shutdown()
    application.state.services.database.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def db(app: FastAPI) -> Iterator[Session]:
    session: Session = app.state.services.session_factory()
    yield session
    session.close()


@dataclass
class Account:
    id: int
    username: str
    password: str
    token: str


@pytest.fixture
def make_user(app: FastAPI) -> Any:
    """Create a user directly; returns an Account with an API token for scripts."""

    def make(username: str, *roles: str, competences: tuple[str, ...] = ()) -> Account:
        with app.state.services.session_factory() as session:
            user = create_user(
                session,
                Actor(None, "test"),
                UserCreate(
                    username=username,
                    display_name=username.title(),
                    password=PASSWORD,
                    roles=list(roles),
                    competences=[CompetenceIn(language=c) for c in competences],
                ),
            )
            _, raw = create_api_token(session, user, TokenCreate(name="tests"))
            session.commit()
            return Account(user.id, username, PASSWORD, raw)

    return make


@pytest.fixture
def admin(app: FastAPI) -> Account:
    from interp_service.users.repository import get_user_by_username

    with app.state.services.session_factory() as session:
        user = get_user_by_username(session, "admin")
        assert user is not None
        _, raw = create_api_token(session, user, TokenCreate(name="tests"))
        session.commit()
        return Account(user.id, "admin", ADMIN_PASSWORD, raw)


def bearer(account: Account) -> dict[str, str]:
    return {"Authorization": f"Bearer {account.token}"}


def browser_session(app: FastAPI, account: Account) -> tuple[dict[str, str], dict[str, str]]:
    """Cookies and CSRF header of a fresh browser session for `account` (no password check)."""
    from interp_service.users.cookies import SESSION_COOKIE
    from interp_service.users.repository import get_user

    with app.state.services.session_factory() as session:
        user = get_user(session, account.id)
        assert user is not None
        outcome = open_session(session, app.state.services.settings, user)
        session.commit()
        return (
            {SESSION_COOKIE: outcome.session_token},
            {"X-CSRF-Token": outcome.login_session.csrf_token},
        )


def sign_in(client: TestClient, app: FastAPI, account: Account) -> str:
    """Put a fresh browser session for `account` on the client; returns its CSRF token."""
    cookies, headers = browser_session(app, account)
    client.cookies.clear()
    client.cookies.update(cookies)
    return headers["X-CSRF-Token"]


def new_case(
    client: TestClient, account: Account, number: str = "保检刑诉〔2026〕12号", **fields: Any
) -> dict[str, Any]:
    body = {
        "case_number": number,
        "title": "吴某某盗窃案",
        "case_type": "盗窃",
        "stage": "审查起诉",
        "opened_on": "2026-11-02",
        **fields,
    }
    r = client.post("/api/v1/cases", json=body, headers=bearer(account))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def assign_interpreter(
    client: TestClient,
    lead: Account,
    case_id: int,
    interpreter: Account,
    *,
    has_conflict: bool | None = False,
    statement: str = "",
) -> dict[str, Any]:
    """The lead assigns `interpreter`, who then files their own declaration under their own
    token (`has_conflict=None`: left waiting for it). Returns the assignment as it ends up."""
    r = client.post(
        f"/api/v1/cases/{case_id}/assignments",
        headers=bearer(lead),
        json={"user_id": interpreter.id, "role_on_case": "interpreter"},
    )
    assert r.status_code == 201, r.text
    assignment: dict[str, Any] = r.json()
    if has_conflict is None:
        return assignment
    d = client.post(
        f"/api/v1/cases/{case_id}/assignments/{assignment['id']}/declaration",
        headers=bearer(interpreter),
        json={"has_conflict": has_conflict, "statement": statement},
    )
    assert d.status_code == 200, d.text
    declared: dict[str, Any] = d.json()
    return declared


def engage_external_interpreter(
    client: TestClient,
    staff: Account,
    case_id: int,
    name: str = "石某某",
    *,
    language: str = "mmr",
    declare: bool = True,
) -> dict[str, Any]:
    """Case staff engage an external interpreter and, with `declare`, record their signed
    declaration of no conflict on their behalf (a scanned form uploaded to the case first)."""
    r = client.post(
        f"/api/v1/cases/{case_id}/external-interpreters",
        headers=bearer(staff),
        json={"name": name, "language": language, "organisation": "县民族事务局"},
    )
    assert r.status_code == 201, r.text
    external: dict[str, Any] = r.json()
    if not declare:
        return external
    form = client.post(
        f"/api/v1/cases/{case_id}/evidence",
        headers=bearer(staff),
        files={"file": (f"申报表-{external['id']}.txt", f"签名申报表 {external['id']}\n".encode())},
        data={"description": "外聘译员签名的利益冲突申报表"},
    )
    assert form.status_code == 201, form.text
    d = client.post(
        f"/api/v1/cases/{case_id}/external-interpreters/{external['id']}/declaration",
        headers=bearer(staff),
        json={"has_conflict": False, "form_evidence_id": form.json()["id"]},
    )
    assert d.status_code == 200, d.text
    declared: dict[str, Any] = d.json()
    return declared


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> ModelCard:
    """The tiny placeholder translation model (cmn → zz-NNNN words), trained once per run
    (about 10 s) under ``<root>/mt/tiny-cmn-mmr`` and shared by every test that needs a
    real model: treat it as read-only and copy it (``shutil.copytree``) to change or
    install it."""
    return train_tiny_model(tmp_path_factory.mktemp("tiny-root") / "mt" / "tiny-cmn-mmr")
