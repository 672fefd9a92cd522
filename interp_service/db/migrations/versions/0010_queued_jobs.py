"""queued jobs: named jobs whose state lives in the database, shared by worker processes

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-12 10:00:00

One row per job (`interp_service.jobs.orm.QueuedJob`): the kind names a registered task,
the payload is its JSON argument; state, progress (done/total/message), attempts,
cancellation and the heartbeat are written by whichever process runs it.
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "queued_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Float(), server_default="0", nullable=False),
        sa.Column("total", sa.Float(), server_default="0", nullable=False),
        sa.Column("message", sa.Text(), server_default="", nullable=False),
        sa.Column("error", sa.Text(), server_default="", nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("created_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')",
            name=op.f("ck_queued_jobs_state"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_queued_jobs_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_queued_jobs_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_queued_jobs")),
    )
    with op.batch_alter_table("queued_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_queued_jobs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_queued_jobs_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_queued_jobs_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_queued_jobs_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("queued_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_queued_jobs_created_at"))
        batch_op.drop_index(batch_op.f("ix_queued_jobs_state"))
        batch_op.drop_index(batch_op.f("ix_queued_jobs_case_id"))
        batch_op.drop_index(batch_op.f("ix_queued_jobs_owner_id"))
    op.drop_table("queued_jobs")
