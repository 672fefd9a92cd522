"""Revision 0006 (speaker consent and recording approval) goes down and up again, and rows
that existed before it read as "no consent, not approved"."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect, select
from sqlalchemy.orm import Session

from interp_service.db.migrate import alembic_config, upgrade_schema
from interp_service.memory.orm import MemoryEntry


def _columns(engine: object, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}  # type: ignore[arg-type]


def test_consent_columns_round_trip(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with engine.begin() as connection:
            cfg = alembic_config()
            cfg.attributes["connection"] = connection
            command.downgrade(cfg, "0005")
        assert "speaker_consent" not in _columns(engine, "glossary_recordings")
        assert "recording_consent" not in _columns(engine, "memory_entries")
        upgrade_schema(engine)
        assert {"speaker", "speaker_consent", "approved_by", "approved_at"} <= _columns(
            engine, "glossary_recordings"
        )
        with Session(engine) as session:
            consents = session.scalars(select(MemoryEntry.recording_consent)).all()
        assert consents and not any(consents)  # the seeded phrasebook, from before 0006
    finally:
        engine.dispose()
