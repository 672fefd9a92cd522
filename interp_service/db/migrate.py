"""Schema migrations (Alembic) and first-run data: chain head, shipped rules, first admin."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from interp_service.config import Settings
from interp_service.db.session import make_engine, make_session_factory

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def upgrade_schema(engine: Engine, revision: str = "head") -> None:
    with engine.begin() as connection:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def initialise(settings: Settings) -> str | None:
    """Migrate to the newest schema and add first-run data.

    Returns a generated admin password when this run created the first admin, so the
    caller can print it once.
    """
    from interp_service.audit.chain import ensure_head
    from interp_service.cases.deadlines import seed_shipped_rules
    from interp_service.memory.phrasebook import seed_phrasebook
    from interp_service.users.service import ensure_first_admin

    engine = make_engine(settings)
    try:
        upgrade_schema(engine)
        factory = make_session_factory(engine)
        with factory() as session:
            ensure_head(session)
            session.commit()
            seed_shipped_rules(session)
            seed_phrasebook(session)
            generated = ensure_first_admin(session, settings)
            session.commit()
        return generated
    finally:
        engine.dispose()
