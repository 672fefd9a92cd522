"""Engine and session factory; SQLite gets foreign keys, WAL and a busy timeout."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from interp_service.config import Settings


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "savepoint")
        def _sqlite_begin_before_savepoint(conn: Any, _name: Any) -> None:
            # pysqlite opens a transaction only before INSERT/UPDATE/DELETE, and a SAVEPOINT
            # outside one is SQLite's outermost savepoint, whose RELEASE commits: work done
            # in `session.begin_nested()` would be committed early. Begin for real first,
            # IMMEDIATE because a savepoint is taken to write (waits on busy_timeout).
            raw = conn.connection.dbapi_connection
            if not raw.in_transaction:
                raw.execute("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """Yield a session that is rolled back unless the caller committed."""
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def release_connection(session: Session) -> None:
    """End a request's transaction early, keeping what it did, before a long wait (the
    translation engine): holding a pooled connection through it would starve the pool under
    load. The session opens a new transaction on its next use."""
    session.commit()


def ping(engine: Engine) -> dict[str, object]:
    """The database's readiness: it answers a trivial query (and which dialect it is)."""
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # readiness reports, it does not crash
        return {"ready": False, "error": type(exc).__name__}
    return {"ready": True, "dialect": engine.dialect.name}
