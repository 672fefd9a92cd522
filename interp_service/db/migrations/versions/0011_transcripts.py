"""transcripts: uploaded interview files, clean-up changes, speakers, segments with
suggested and confirmed translations, and the history of every edit

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 08:00:00
"""

import sqlalchemy as sa
from alembic import op

import interp_service.db.base

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transcripts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("evidence_id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("source_language", sa.String(length=3), nullable=False),
        sa.Column("source_variety", sa.String(length=64), nullable=False),
        sa.Column("target_language", sa.String(length=3), nullable=False),
        sa.Column("target_variety", sa.String(length=64), nullable=False),
        sa.Column("to_simplified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("kept_lines", sa.JSON(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("recording_id", sa.Integer(), nullable=True),
        sa.Column("diarisation", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("job_id", sa.String(length=64), nullable=True),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=False),
        sa.Column("created_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("processed_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_transcripts_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["evidence_files.id"],
            name=op.f("fk_transcripts_evidence_id_evidence_files"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_transcripts_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recording_id"],
            ["speech_recordings.id"],
            name=op.f("fk_transcripts_recording_id_speech_recordings"),
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by"], ["users.id"], name=op.f("fk_transcripts_uploaded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcripts")),
        sa.UniqueConstraint("interview_id", "sha256", name=op.f("uq_transcripts_interview_id")),
    )
    op.create_index(op.f("ix_transcripts_case_id"), "transcripts", ["case_id"], unique=False)
    op.create_index(
        op.f("ix_transcripts_interview_id"), "transcripts", ["interview_id"], unique=False
    )
    op.create_table(
        "transcript_cleanup_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_transcript_cleanup_changes_transcript_id_transcripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_cleanup_changes")),
    )
    op.create_index(
        op.f("ix_transcript_cleanup_changes_transcript_id"),
        "transcript_cleanup_changes",
        ["transcript_id"],
        unique=False,
    )
    op.create_table(
        "transcript_segments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("turn", sa.Integer(), nullable=False),
        sa.Column("speaker_label", sa.String(length=64), nullable=False),
        sa.Column("start_s", sa.Float(), nullable=True),
        sa.Column("end_s", sa.Float(), nullable=True),
        sa.Column("source_language", sa.String(length=3), nullable=False),
        sa.Column("source_variety", sa.String(length=64), nullable=False),
        sa.Column("detected_language", sa.String(length=3), nullable=False),
        sa.Column("source_text", sa.Text(), nullable=False),
        sa.Column("source_provenance", sa.String(length=8), nullable=False),
        sa.Column("target_language", sa.String(length=3), nullable=False),
        sa.Column("target_variety", sa.String(length=64), nullable=False),
        sa.Column("suggestion_text", sa.Text(), nullable=False),
        sa.Column("suggestion_provenance", sa.String(length=8), nullable=False),
        sa.Column("receipt", sa.JSON(), nullable=False),
        sa.Column("translation_text", sa.Text(), nullable=True),
        sa.Column("translation_by", sa.Integer(), nullable=True),
        sa.Column("reviewed", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("reviewed_by", sa.Integer(), nullable=True),
        sa.Column("reviewed_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("submission_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["reviewed_by"], ["users.id"], name=op.f("fk_transcript_segments_reviewed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["memory_submissions.id"],
            name=op.f("fk_transcript_segments_submission_id_memory_submissions"),
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_transcript_segments_transcript_id_transcripts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["translation_by"],
            ["users.id"],
            name=op.f("fk_transcript_segments_translation_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_segments")),
        sa.UniqueConstraint(
            "transcript_id", "sequence", name=op.f("uq_transcript_segments_transcript_id")
        ),
    )
    op.create_index(
        op.f("ix_transcript_segments_transcript_id"),
        "transcript_segments",
        ["transcript_id"],
        unique=False,
    )
    op.create_table(
        "transcript_speakers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transcript_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("guessed", sa.Boolean(), nullable=False),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["confirmed_by"], ["users.id"], name=op.f("fk_transcript_speakers_confirmed_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["transcript_id"],
            ["transcripts.id"],
            name=op.f("fk_transcript_speakers_transcript_id_transcripts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_speakers")),
        sa.UniqueConstraint(
            "transcript_id", "label", name=op.f("uq_transcript_speakers_transcript_id")
        ),
    )
    op.create_index(
        op.f("ix_transcript_speakers_transcript_id"),
        "transcript_speakers",
        ["transcript_id"],
        unique=False,
    )
    op.create_table(
        "transcript_segment_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("segment_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.Column("edited_by", sa.Integer(), nullable=False),
        sa.Column("edited_at", interp_service.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["edited_by"], ["users.id"], name=op.f("fk_transcript_segment_edits_edited_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["segment_id"],
            ["transcript_segments.id"],
            name=op.f("fk_transcript_segment_edits_segment_id_transcript_segments"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transcript_segment_edits")),
    )
    op.create_index(
        op.f("ix_transcript_segment_edits_segment_id"),
        "transcript_segment_edits",
        ["segment_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_transcript_segment_edits_segment_id"), table_name="transcript_segment_edits"
    )
    op.drop_table("transcript_segment_edits")
    op.drop_index(op.f("ix_transcript_speakers_transcript_id"), table_name="transcript_speakers")
    op.drop_table("transcript_speakers")
    op.drop_index(op.f("ix_transcript_segments_transcript_id"), table_name="transcript_segments")
    op.drop_table("transcript_segments")
    op.drop_index(
        op.f("ix_transcript_cleanup_changes_transcript_id"), table_name="transcript_cleanup_changes"
    )
    op.drop_table("transcript_cleanup_changes")
    op.drop_index(op.f("ix_transcripts_interview_id"), table_name="transcripts")
    op.drop_index(op.f("ix_transcripts_case_id"), table_name="transcripts")
    op.drop_table("transcripts")
