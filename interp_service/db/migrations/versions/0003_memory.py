"""translation memory: entries, review queue, change counter

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 02:39:23.280790
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = interp_service.db.base.UTCDateTime


def upgrade() -> None:
    state = op.create_table(
        "memory_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_state")),
    )
    op.bulk_insert(state, [{"id": 1, "version": 0}])
    op.create_table(
        "memory_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_language", sa.String(length=3), nullable=False),
        sa.Column("source_variety", sa.String(length=64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_key", sa.String(length=800), nullable=False),
        sa.Column("target_language", sa.String(length=3), nullable=False),
        sa.Column("target_variety", sa.String(length=64), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("approved_at", UTC(timezone=True), nullable=True),
        sa.Column("created_at", UTC(timezone=True), nullable=False),
        sa.Column("updated_at", UTC(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("is_phrase", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("phrase_category", sa.String(length=32), nullable=False),
        sa.Column("phrase_title", sa.String(length=200), nullable=False),
        sa.Column("phrase_code", sa.String(length=64), nullable=True),
        sa.Column("legal_basis", sa.String(length=300), nullable=False),
        sa.Column("recording_sha256", sa.String(length=64), nullable=True),
        sa.Column("recording_approved", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_memory_entries_approved_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_entries")),
        sa.UniqueConstraint("phrase_code", name=op.f("uq_memory_entries_phrase_code")),
    )
    op.create_index(
        "ix_memory_entries_pair_key",
        "memory_entries",
        ["source_language", "target_language", "source_key"],
        unique=False,
    )
    op.create_index(op.f("ix_memory_entries_status"), "memory_entries", ["status"], unique=False)
    op.create_table(
        "memory_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_language", sa.String(length=3), nullable=False),
        sa.Column("source_variety", sa.String(length=64), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("target_language", sa.String(length=3), nullable=False),
        sa.Column("target_variety", sa.String(length=64), nullable=False),
        sa.Column("target_text", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("exchange_id", sa.Integer(), nullable=True),
        sa.Column("submitted_by", sa.Integer(), nullable=False),
        sa.Column("submitted_at", UTC(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", UTC(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("conflicts_with_entry_id", sa.Integer(), nullable=True),
        sa.Column("entry_id", sa.Integer(), nullable=True),
        sa.Column("replaces_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_memory_submissions_case_id_cases"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["conflicts_with_entry_id"],
            ["memory_entries.id"],
            name=op.f("fk_memory_submissions_conflicts_with_entry_id_memory_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["memory_entries.id"],
            name=op.f("fk_memory_submissions_entry_id_memory_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_memory_submissions_interview_id_interviews"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_entry_id"],
            ["memory_entries.id"],
            name=op.f("fk_memory_submissions_replaces_entry_id_memory_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_memory_submissions_reviewer_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by"], ["users.id"], name=op.f("fk_memory_submissions_submitted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memory_submissions")),
    )
    for column in ("case_id", "status", "submitted_by"):
        op.create_index(
            op.f(f"ix_memory_submissions_{column}"), "memory_submissions", [column], unique=False
        )


def downgrade() -> None:
    for column in ("submitted_by", "status", "case_id"):
        op.drop_index(op.f(f"ix_memory_submissions_{column}"), table_name="memory_submissions")
    op.drop_table("memory_submissions")
    op.drop_index(op.f("ix_memory_entries_status"), table_name="memory_entries")
    op.drop_index("ix_memory_entries_pair_key", table_name="memory_entries")
    op.drop_table("memory_entries")
    op.drop_table("memory_state")
