"""Bodies of the interview-record API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interp_service.api.ids import Id

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
    confirm_language: bool = Field(
        default=False,
        description="Keep the direction although language identification disagrees with it",
    )


class RenderingIn(BaseModel):
    """What the interpreter said, recorded by whoever keeps the record: `accepted` takes a
    memory or model suggestion as it is; `edited` and `replaced` carry the text the
    interpreter actually gave. `interpreter` names who interpreted (`user:ID` or
    `external:ID`, an interpreter of the case with no conflict declared)."""

    model_config = ConfigDict(extra="forbid")

    kind: RenderingKind
    text: str | None = Field(default=None, max_length=5000)
    interpreter: str = Field(min_length=1, max_length=32, pattern=r"^(user|external):\d+$")
    version: int
    confirm_language: bool = Field(
        default=False,
        description="Keep the text although language identification says it is not in the "
        "target language",
    )


class NoticeIn(BaseModel):
    """A standard notice or question from the phrasebook, said by the prosecutor."""

    model_config = ConfigDict(extra="forbid")

    phrase_entry_id: Id


class ExplainedIn(BaseModel):
    """The legal terms (concept ids) the interpreter explained orally in this exchange."""

    model_config = ConfigDict(extra="forbid")

    concept_ids: list[Id] = Field(min_length=1, max_length=50)
    version: int


class ReadBackIn(BaseModel):
    """The interpreter's statement that the record was read back in the party's language."""

    model_config = ConfigDict(extra="forbid")

    interpreter: str = Field(min_length=1, max_length=32, pattern=r"^(user|external):\d+$")


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
    external_interpreter_id: int | None = None
    interpreter_name: str | None = None
    recorded_by: int | None = None
    recorded_by_name: str | None = None
    rendered_at: datetime | None
    detected_language: str = ""
    language_confirmed: bool = False
    phrase_entry_id: int | None = None
    legal_basis: str = ""
    explained_terms: list[dict[str, Any]] = Field(default_factory=list)
    unexplained_terms: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Legal terms in the Chinese source with no approved term in the party's "
        "language: the interpreter must explain them (需译员解释)",
    )
    created_by: int
    created_at: datetime
    version: int
