"""Bodies of the interview-record API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SpeakerRole = Literal["prosecutor", "party", "other"]
RenderingKind = Literal["accepted", "edited", "replaced"]


class ExchangeCreate(BaseModel):
    """What was said, in which direction. The service translates it and stores the
    suggestion with its receipt; the rendering comes later from the interpreter."""

    model_config = ConfigDict(extra="forbid")

    speaker_role: SpeakerRole
    source_language: str = Field(min_length=3, max_length=3)
    target_language: str = Field(min_length=3, max_length=3)
    target_variety: str = Field(default="", max_length=64)
    text: str = Field(min_length=1, max_length=5000)


class RenderingIn(BaseModel):
    """The interpreter's rendering: `accepted` takes the suggestion as it is; `edited` and
    `replaced` carry the text the interpreter actually gave."""

    model_config = ConfigDict(extra="forbid")

    kind: RenderingKind
    text: str | None = Field(default=None, max_length=5000)
    version: int


class ExchangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    interview_id: int
    sequence: int
    speaker_role: str
    source_language: str
    target_language: str
    target_variety: str
    source_text: str
    source_audio_sha256: str | None
    suggestion_text: str
    receipt: dict[str, Any]
    rendering_text: str | None
    rendering_kind: str | None
    interpreter_id: int | None
    interpreter_name: str | None = None
    rendered_at: datetime | None
    created_by: int
    created_at: datetime
    version: int
