"""one approved memory entry per pair of normalised sides, enforced by the database

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 10:00:00

`memory_entries.pair_key` holds `interp_service.memory.orm.pair_key` of each row: SHA-256 of
both sides' language, variety and match key (the memory's own normalisation,
`translation.normalise.match_key`); the application sets it on every write. Concurrent
identical adds and approvals had left approved copies; of each group sharing a key the
entry kept is the one holding a phrasebook code, else the oldest (lowest id); the others
are retired (kept, listed as retired, out of lookup) and submissions that pointed at them
point at the one kept. Then a unique index over `pair_key` where status = 'approved'.
"""

import sqlalchemy as sa
from alembic import op

from interp_service.memory.orm import pair_key

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

INDEX = "ux_memory_entries_approved_pair"
APPROVED = sa.text("status = 'approved'")

entries = sa.table(
    "memory_entries",
    sa.column("id", sa.Integer),
    sa.column("source_language", sa.String),
    sa.column("source_variety", sa.String),
    sa.column("source_text", sa.Text),
    sa.column("target_language", sa.String),
    sa.column("target_variety", sa.String),
    sa.column("target_text", sa.Text),
    sa.column("status", sa.String),
    sa.column("phrase_code", sa.String),
    sa.column("version", sa.Integer),
    sa.column("pair_key", sa.String),
)
submissions = sa.table(
    "memory_submissions", sa.column("id", sa.Integer), sa.column("entry_id", sa.Integer)
)
state = sa.table("memory_state", sa.column("id", sa.Integer), sa.column("version", sa.Integer))


def upgrade() -> None:
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pair_key", sa.String(length=64), server_default="", nullable=False)
        )
    conn = op.get_bind()
    rows = conn.execute(sa.select(entries).order_by(entries.c.id)).all()
    approved: dict[str, list[sa.Row[tuple[object, ...]]]] = {}
    for row in rows:
        key = pair_key(
            row.source_language,
            row.source_variety or "",
            row.source_text,
            row.target_language,
            row.target_variety or "",
            row.target_text or "",
        )
        conn.execute(sa.update(entries).where(entries.c.id == row.id).values(pair_key=key))
        if row.status == "approved":
            approved.setdefault(key, []).append(row)
    retired = 0
    for group in approved.values():
        if len(group) < 2:
            continue
        keep = min(group, key=lambda r: (r.phrase_code is None, r.id))
        for row in group:
            if row.id == keep.id:
                continue
            conn.execute(
                sa.update(entries)
                .where(entries.c.id == row.id)
                .values(status="retired", version=entries.c.version + 1)
            )
            conn.execute(
                sa.update(submissions)
                .where(submissions.c.entry_id == row.id)
                .values(entry_id=keep.id)
            )
            retired += 1
    if retired:  # cached lookup indexes rebuild
        conn.execute(sa.update(state).where(state.c.id == 1).values(version=state.c.version + 1))
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.create_index(
            INDEX,
            ["pair_key"],
            unique=True,
            sqlite_where=APPROVED,
            postgresql_where=APPROVED,
        )


def downgrade() -> None:
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.drop_index(INDEX)
        batch_op.drop_column("pair_key")
