"""interview record attribution: external interpreters, who interpreted and who typed,
declarations entered by, language identification, standard notices, read-back statement

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 16:00:00

Existing exchanges recorded the typing account in `interpreter_id`. That account becomes
`recorded_by`; it stays the interpreter only where it held an interpreter assignment on the
case, otherwise the interpreter is left unknown rather than guessed.
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_interpreters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=3), nullable=False),
        sa.Column("variety", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("conflict_declared", sa.Boolean(), nullable=True),
        sa.Column("declaration_text", sa.Text(), nullable=False),
        sa.Column("declared_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("declaration_entered_by", sa.Integer(), nullable=True),
        sa.Column("declaration_form_id", sa.Integer(), nullable=True),
        sa.Column("engaged_by", sa.Integer(), nullable=False),
        sa.Column("created_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_external_interpreters_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["declaration_entered_by"],
            ["users.id"],
            name=op.f("fk_external_interpreters_declaration_entered_by_users"),
        ),
        sa.ForeignKeyConstraint(
            ["declaration_form_id"],
            ["evidence_files.id"],
            name=op.f("fk_external_interpreters_declaration_form_id_evidence_files"),
        ),
        sa.ForeignKeyConstraint(
            ["engaged_by"], ["users.id"], name=op.f("fk_external_interpreters_engaged_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_external_interpreters")),
    )
    with op.batch_alter_table("external_interpreters", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_external_interpreters_case_id"), ["case_id"], unique=False
        )

    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("declared_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_case_assignments_declared_by_users"), "users", ["declared_by"], ["id"]
        )

    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "read_back_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("read_back_interpreter_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("read_back_external_interpreter_id", sa.Integer(), nullable=True)
        )
        batch_op.add_column(sa.Column("read_back_recorded_by", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_read_back_interpreter_id_users"),
            "users",
            ["read_back_interpreter_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_read_back_external_interpreter_id_external_interpreters"),
            "external_interpreters",
            ["read_back_external_interpreter_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interviews_read_back_recorded_by_users"),
            "users",
            ["read_back_recorded_by"],
            ["id"],
        )

    with op.batch_alter_table("interview_exchanges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("external_interpreter_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("recorded_by", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("detected_language", sa.String(length=3), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("language_confirmed", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("phrase_entry_id", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("legal_basis", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("explained_terms", sa.JSON(), server_default="[]", nullable=False)
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interview_exchanges_external_interpreter_id_external_interpreters"),
            "external_interpreters",
            ["external_interpreter_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interview_exchanges_recorded_by_users"), "users", ["recorded_by"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_interview_exchanges_phrase_entry_id_memory_entries"),
            "memory_entries",
            ["phrase_entry_id"],
            ["id"],
        )

    # The account that gave a rendering typed it; it interpreted only if it was the case's
    # interpreter.
    op.execute("UPDATE interview_exchanges SET recorded_by = interpreter_id")
    op.execute(
        """
        UPDATE interview_exchanges SET interpreter_id = NULL
        WHERE interpreter_id IS NOT NULL AND NOT EXISTS (
            SELECT 1 FROM case_assignments a JOIN interviews i ON i.case_id = a.case_id
            WHERE i.id = interview_exchanges.interview_id
              AND a.user_id = interview_exchanges.interpreter_id
              AND a.role_on_case = 'interpreter'
        )
        """
    )


def downgrade() -> None:
    op.execute(
        "UPDATE interview_exchanges SET interpreter_id = recorded_by WHERE recorded_by IS NOT NULL"
    )
    with op.batch_alter_table("interview_exchanges", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interview_exchanges_phrase_entry_id_memory_entries"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interview_exchanges_recorded_by_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interview_exchanges_external_interpreter_id_external_interpreters"),
            type_="foreignkey",
        )
        for column in (
            "explained_terms",
            "legal_basis",
            "phrase_entry_id",
            "language_confirmed",
            "detected_language",
            "recorded_by",
            "external_interpreter_id",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("interviews", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_read_back_recorded_by_users"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_read_back_external_interpreter_id_external_interpreters"),
            type_="foreignkey",
        )
        batch_op.drop_constraint(
            batch_op.f("fk_interviews_read_back_interpreter_id_users"), type_="foreignkey"
        )
        for column in (
            "read_back_recorded_by",
            "read_back_external_interpreter_id",
            "read_back_interpreter_id",
            "read_back_at",
        ):
            batch_op.drop_column(column)
    with op.batch_alter_table("case_assignments", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_assignments_declared_by_users"), type_="foreignkey"
        )
        batch_op.drop_column("declared_by")
    with op.batch_alter_table("external_interpreters", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_external_interpreters_case_id"))
    op.drop_table("external_interpreters")
