"""Shapes of the transcript API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interp_service.api.ids import Id

Role = Literal["interviewer", "party", "interpreter", "other", "unknown"]
ExportFormat = Literal["docx", "pdf", "srt", "vtt", "json"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TranscriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    interview_id: int
    original_name: str
    sha256: str
    media_type: str
    kind: str
    source_language: str
    source_variety: str
    target_language: str
    target_variety: str
    to_simplified: bool
    encoding: str
    recording_id: int | None
    diarisation: str
    state: str
    job_id: str | None
    error: str
    kept_lines: list[int]
    created_at: datetime
    processed_at: datetime | None


class UploadOut(TranscriptOut):
    already_uploaded: bool = False


class SpeakerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    label: str
    role: str
    guessed: bool


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    line: int
    before: str
    after: str
    reason: str


class SegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    sequence: int
    turn: int
    speaker_label: str
    start_s: float | None
    end_s: float | None
    source_language: str
    source_variety: str
    detected_language: str
    source_text: str
    source_provenance: str
    target_language: str
    target_variety: str
    suggestion_text: str
    suggestion_provenance: str
    receipt: dict[str, Any]
    translation_text: str | None
    reviewed: bool
    submission_id: int | None
    version: int


class EditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    segment_id: int
    field: str
    before: str
    after: str
    edited_by: int
    edited_at: datetime


class TranscriptDetail(TranscriptOut):
    speakers: list[SpeakerOut]
    changes: list[ChangeOut]
    segments: list[SegmentOut]


class SegmentEditIn(Strict):
    """A person's change to one segment; `version` is the one they saw (stale → 409)."""

    version: int = Field(ge=1, le=2**31 - 1)
    source_text: str | None = Field(default=None, min_length=1, max_length=5000)
    speaker_label: str | None = Field(default=None, max_length=64)
    translation_text: str | None = Field(default=None, max_length=5000)
    reviewed: bool | None = None


class SpeakerRoleIn(Strict):
    label: str = Field(min_length=1, max_length=64)
    role: Role


class RestoreIn(Strict):
    lines: list[Id] = Field(min_length=1, max_length=1000)


class SubmitOut(BaseModel):
    submission_ids: list[int]
    skipped: int = Field(description="Reviewed segments not sent: no confirmed translation")
