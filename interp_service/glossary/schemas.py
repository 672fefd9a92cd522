"""Request and response shapes of the glossary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from interp_service.api.ids import Id
from interp_service.users.schemas import LanguageCode, Strict, VisibleText

TermStatus = Literal["preferred", "admitted", "deprecated", "forbidden"]
PartOfSpeech = Literal["noun", "verb", "adjective", "adverb", "phrase", "other", ""]


class TermFields(Strict):
    language: LanguageCode
    variety: VisibleText = Field(default="", max_length=64)
    text: VisibleText = Field(min_length=1, max_length=300)
    part_of_speech: PartOfSpeech = ""
    status: TermStatus = "admitted"
    usage_note: str = Field(default="", max_length=2000)
    source: str = Field(default="", max_length=300)


class ConceptFields(Strict):
    subject_field: VisibleText = Field(default="", max_length=64)
    definition: str = Field(default="", max_length=4000)
    citations: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=4000)

    @field_validator("citations")
    @classmethod
    def _one_citation_each(cls, value: list[str]) -> list[str]:
        cleaned = [c.strip() for c in value if c.strip()]
        for c in cleaned:
            if ";" in c or "；" in c or len(c) > 200:
                raise ValueError("每行写一条法律依据（不含分号，不超过 200 字）")
        return cleaned


class ProposalCreate(Strict):
    kind: Literal["new_term", "change_term", "new_concept"]
    concept_id: Id | None = None
    term_id: Id | None = None
    term: TermFields | None = None
    concept: ConceptFields | None = None
    comment: str = Field(default="", max_length=2000)


class Decision(Strict):
    note: str = Field(default="", max_length=2000)


class TermEdit(TermFields):
    """An admin's direct change of a term; `version` is the one read (stale → 409)."""

    version: int


class ConceptEdit(ConceptFields):
    version: int


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RecordingOut(Out):
    id: int
    term_id: int
    sha256: str
    size_bytes: int
    media_type: str
    speaker_note: str
    speaker: str
    speaker_consent: bool
    approved_by: int | None
    approved_at: datetime | None
    created_at: datetime


class TermOut(Out):
    id: int
    concept_id: int
    language: str
    variety: str
    text: str
    part_of_speech: str
    status: str
    usage_note: str
    source: str
    verification: str
    approved_by: int | None
    approved_at: datetime | None
    ipa: str
    orthography_issues: str
    version: int


class ConceptOut(Out):
    id: int
    external_id: str
    subject_field: str
    definition: str
    citations: list[str]
    note: str
    verification: str
    verified_by: int | None = Field(
        default=None, description="Who approved the definition and citations (legal review)"
    )
    verified_at: datetime | None = None
    version: int
    terms: list[TermOut]


class ProposalOut(Out):
    id: int
    kind: str
    concept_id: int | None
    term_id: int | None
    language: str
    variety: str
    payload: dict[str, object]
    comment: str
    state: str
    proposed_by: int
    proposed_at: datetime
    decided_by: int | None
    decided_at: datetime | None
    decision_note: str


class RevisionOut(Out):
    id: int
    release_number: int
    concept_id: int | None
    term_id: int | None
    object_type: str
    action: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    actor_id: int | None
    at: datetime
    proposal_id: int | None
    reverts: int | None


class LookupHitOut(BaseModel):
    term: TermOut
    concept_external_id: str
    definition: str
    chinese_terms: list[str] = Field(
        default_factory=list,
        description="The concept's Chinese (cmn) terms, best first: the meaning of a hit in "
        "another language",
    )
    how: str
    score: float


class RecogniseIn(Strict):
    text: str = Field(min_length=1, max_length=20_000)
    language: LanguageCode


class RecognisedOut(BaseModel):
    start: int
    end: int
    surface: str
    term: TermOut
    concept_external_id: str


class RecogniseOut(BaseModel):
    release: int
    matches: list[RecognisedOut]


class ImportReport(BaseModel):
    format: str
    encoding: str = ""
    dry_run: bool
    ok: bool
    problems: list[dict[str, object]]
    concepts_in_file: int
    concepts_created: int
    concepts_changed: int
    terms_created: int
    terms_changed: int
    warnings: list[str]
    release: int | None
