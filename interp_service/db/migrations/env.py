"""Alembic environment: run with the connection handed over by `interp_service.db.migrate`."""

from __future__ import annotations

from alembic import context

from interp_service.db.base import Base, import_all_models

import_all_models()
target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `interp-service db upgrade`")
context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
