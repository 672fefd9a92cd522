"""Revision 0008 (who interpreted and who typed) goes down and up again. Before it,
`interpreter_id` held the account that typed a rendering: after it, that account is the
记录人, and stays the 译员 only where it was an interpreter of the case — otherwise the
interpreter is left unknown rather than guessed."""

from __future__ import annotations

from typing import Any

from alembic import command
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, inspect, select

from interp_service.db.migrate import alembic_config, upgrade_schema
from interp_service.interviews.orm import Exchange
from tests.conftest import Account, assign_interpreter, bearer
from tests.interview_setup import World, interview_world


def _render(client: TestClient, w: World, who: Account, interpreter: str) -> None:
    body = {
        "speaker_role": "prosecutor",
        "source_language": "cmn",
        "target_language": "mmr",
        "target_variety": "花垣",
        "text": "请说明当天的情况。",
    }
    said = client.post(f"{w.interview_api}/exchanges", json=body, headers=bearer(who)).json()
    r = client.put(
        f"{w.interview_api}/exchanges/{said['id']}/rendering",
        json={
            "kind": "replaced",
            "text": "zz-0001",
            "version": said["version"],
            "interpreter": interpreter,
        },
        headers=bearer(who),
    )
    assert r.status_code == 200, r.text


def test_typing_account_becomes_the_recorder(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any, db_url: str
) -> None:
    world = interview_world(client, admin, make_user)
    interpreter = make_user("shi", "clerk", competences=("mmr",))
    assign_interpreter(client, world.lead, world.case_id, interpreter)
    # The lead types for the external interpreter; the user interpreter types their own.
    _render(client, world, world.lead, world.interpreter_ref)
    _render(client, world, interpreter, f"user:{interpreter.id}")
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0007")
        columns = {c["name"] for c in inspect(engine).get_columns("interview_exchanges")}
        assert "recorded_by" not in columns and "external_interpreters" not in set(
            inspect(engine).get_table_names()
        )
        upgrade_schema(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                select(Exchange.sequence, Exchange.interpreter_id, Exchange.recorded_by).order_by(
                    Exchange.sequence
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, None, world.lead.id),  # the lead typed; who interpreted is not known
        (2, interpreter.id, interpreter.id),  # the case's interpreter typed their own
    ]
