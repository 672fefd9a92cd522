"""Request and response shapes of the translation memory."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from interp_service.api.ids import Id
from interp_service.memory.orm import MAX_TEXT_CHARS
from interp_service.users.schemas import LanguageCode, Strict

Origin = Literal["interview", "transcript", "phrasebook", "import"]
PhraseCategory = Literal["rights_notice", "duties_notice", "standard_question", ""]


class PairFields(Strict):
    source_language: LanguageCode
    source_variety: str = Field(default="", max_length=64)
    source_text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    target_language: LanguageCode
    target_variety: str = Field(default="", max_length=64)

    @model_validator(mode="after")
    def _two_languages(self) -> PairFields:
        if self.source_language == self.target_language:
            raise ValueError("源语言与目标语言不能相同")
        return self


class SubmissionCreate(PairFields):
    """A proposed pair for the review queue. `case_id`/`interview_id` tie it to case data
    (the submitter must be assigned to that case); `replaces_entry_id` marks a correction."""

    target_text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    origin: Origin = "interview"
    case_id: Id | None = None
    interview_id: Id | None = None
    exchange_id: Id | None = None
    replaces_entry_id: Id | None = None


class Approval(Strict):
    note: str = Field(default="", max_length=2000)
    # The reviewer's corrected target text; empty keeps the submitted one.
    edited_target: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)


class Rejection(Strict):
    note: str = Field(min_length=1, max_length=2000)


class EntryCreate(PairFields):
    """An admin adds an approved pair directly."""

    target_text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    origin: Origin = "import"


class EntryEdit(Strict):
    """An admin's change of an entry; `version` is the one read (stale → 409). Fields left
    out stay as they are. A non-empty target makes the entry approved in the editor's name."""

    version: int
    source_text: str | None = Field(default=None, min_length=1, max_length=MAX_TEXT_CHARS)
    source_variety: str | None = Field(default=None, max_length=64)
    target_text: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    target_variety: str | None = Field(default=None, max_length=64)
    phrase_title: str | None = Field(default=None, max_length=200)
    legal_basis: str | None = Field(default=None, max_length=300)


class Retirement(Strict):
    version: int | None = None
    note: str = Field(default="", max_length=2000)


class LookupIn(Strict):
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    source_language: LanguageCode
    target_language: LanguageCode
    target_variety: str = Field(default="", max_length=64)
    threshold: float | None = Field(default=None, ge=0, le=100)
    limit: int = Field(default=3, ge=1, le=20)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class EntryOut(Out):
    id: int
    source_language: str
    source_variety: str
    source_text: str
    target_language: str
    target_variety: str
    target_text: str
    origin: str
    status: str
    approved_by: int | None
    approved_at: datetime | None
    created_at: datetime
    updated_at: datetime
    version: int
    is_phrase: bool
    phrase_category: str
    phrase_title: str
    phrase_code: str | None
    legal_basis: str
    recording_sha256: str | None
    recording_approved: bool


class PhraseOut(EntryOut):
    """A phrasebook entry; `draft` until an admin with competence approved its Miao side."""

    draft: bool = True
    has_recording: bool = False


class SubmissionOut(Out):
    id: int
    source_language: str
    source_variety: str
    source_text: str
    target_language: str
    target_variety: str
    target_text: str
    origin: str
    case_id: int | None
    interview_id: int | None
    exchange_id: int | None
    submitted_by: int
    submitted_at: datetime
    status: str
    reviewer_id: int | None
    reviewed_at: datetime | None
    review_note: str
    conflicts_with_entry_id: int | None
    entry_id: int | None
    replaces_entry_id: int | None


class QueueItemOut(SubmissionOut):
    """A submission with the approved entry it contradicts (flagged at submission, or now)."""

    flagged: bool = False
    conflicting_entry_id: int | None = None
    conflicting_target: str | None = None


class Difference(BaseModel):
    """A span where the query and the entry's source differ (character offsets)."""

    op: Literal["replace", "insert", "delete"]
    query_start: int
    query_end: int
    entry_start: int
    entry_end: int


class HitOut(BaseModel):
    entry_id: int
    kind: Literal["exact", "fuzzy"]
    score: float = Field(description="Similarity of the normalised sources, 0-100")
    source_text: str
    target_text: str
    target_variety: str
    origin: str
    approved_by: int | None
    approved_by_name: str
    approved_at: datetime | None
    is_phrase: bool
    differences: list[Difference]


class LookupOut(BaseModel):
    exact: HitOut | None
    fuzzy: list[HitOut]
    threshold: float
