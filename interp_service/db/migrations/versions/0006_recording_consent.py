"""recording consent: speaker, consent and approval of term recordings; consent of
phrasebook recordings (the speech-data export needs both)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 04:00:00.000000

Written by hand. Columns are added with server defaults, so existing rows read as "no
consent recorded" and "not approved": nothing recorded before this revision is exported.
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("glossary_recordings", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("speaker", sa.String(length=100), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("speaker_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("approved_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "approved_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_glossary_recordings_approved_by_users"),
            "users",
            ["approved_by"],
            ["id"],
        )

    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("recording_consent", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("memory_entries", schema=None) as batch_op:
        batch_op.drop_column("recording_consent")

    with op.batch_alter_table("glossary_recordings", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_glossary_recordings_approved_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")
        batch_op.drop_column("speaker_consent")
        batch_op.drop_column("speaker")
