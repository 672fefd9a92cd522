"""model registry: model versions with scores, lineage, status and gate results

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 03:16:30.530213
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("pair", sa.String(length=16), nullable=False),
        sa.Column("folder", sa.String(length=255), nullable=False),
        sa.Column("card_sha256", sa.String(length=64), nullable=False),
        sa.Column("data_hash", sa.String(length=128), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("parent", sa.String(length=300), nullable=False),
        sa.Column("previous_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("created_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("promoted_by", sa.Integer(), nullable=True),
        sa.Column("promoted_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("gate_result", sa.JSON(), nullable=True),
        sa.Column("forced", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("force_reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["previous_id"],
            ["model_versions.id"],
            name=op.f("fk_model_versions_previous_id_model_versions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["promoted_by"], ["users.id"], name=op.f("fk_model_versions_promoted_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("folder", name=op.f("uq_model_versions_folder")),
    )
    op.create_index(
        "ix_model_versions_name_version", "model_versions", ["name", "version"], unique=False
    )
    op.create_index(op.f("ix_model_versions_pair"), "model_versions", ["pair"], unique=False)
    op.create_index(op.f("ix_model_versions_status"), "model_versions", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_model_versions_status"), table_name="model_versions")
    op.drop_index(op.f("ix_model_versions_pair"), table_name="model_versions")
    op.drop_index("ix_model_versions_name_version", table_name="model_versions")
    op.drop_table("model_versions")
