"""The migrated schema matches the ORM tables, on whichever database the suite runs."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from interp_service.db.base import Base, import_all_models


def test_migrated_schema_matches_the_orm(db_url: str) -> None:
    import_all_models()
    engine = create_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
        tables = set(inspect(conn).get_table_names())
    engine.dispose()
    assert diff == []
    assert {"users", "cases", "parties", "case_assignments", "audit_entries"} <= tables
