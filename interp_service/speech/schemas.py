"""Bodies of the speech API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SegmentOut(BaseModel):
    """A speech segment; times in seconds from the start of its recording. `machine_text`
    is set only for segments the language gate accepted as Mandarin."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    recording_id: int
    sequence: int
    start_s: float
    end_s: float
    kind: str
    language: str
    variety: str
    detected_language: str
    mandarin_probability: float
    no_speech_probability: float | None
    machine_text: str | None
    words: list[dict[str, Any]]
    draft_text: str | None
    recogniser: str
    transcript_state: str
    transcript: str
    transcribed_by: int | None
    approved_by: int | None
    approved_at: datetime | None
    version: int


class RecordingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    case_id: int
    interview_id: int
    evidence_id: int
    sha256: str
    media_type: str
    original_name: str
    duration_s: float
    language: str
    variety: str
    speech_data_consent: bool
    state: str
    progress: float
    job_id: str | None
    error: str
    recogniser: str
    created_at: datetime
    processed_at: datetime | None


class RecordingDetail(RecordingOut):
    segments: list[SegmentOut] = []


class TranscriptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=2000)
    approve: bool = False
    version: int | None = None


class TranscriptOut(BaseModel):
    segment: SegmentOut
    orthography_errors: list[str]
    orthography_warnings: list[str]


class ReadbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=500)
