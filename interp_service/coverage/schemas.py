"""Shapes of the worklist, the coverage report and the speech-data summary."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from interp_service.api.pagination import Page

Period = Literal["week", "month"]
Direction = Literal["both", "into", "from"]


class ConceptTask(BaseModel):
    """A glossary concept with no approved term in the language (and variety)."""

    concept_id: int
    external_id: str
    subject_field: str
    chinese: list[str] = Field(description="The concept's Chinese terms, preferred first")
    unverified: list[str] = Field(
        description="Terms in the language that exist but are not approved (verify these)"
    )
    fired: int = Field(description="Times its terms were recognised in interview sentences")
    last_seen: datetime | None
    link: str


class PhraseTask(BaseModel):
    """A phrasebook entry without an approved Miao side, or without an approved recording."""

    entry_id: int
    phrase_code: str | None
    title: str
    source_text: str
    missing_text: bool
    missing_recording: bool
    used: int = Field(description="Interview sentences with the same text (or matched to it)")
    link: str


class WordTask(BaseModel):
    """A word of interview sentences that fell back to the gloss without an approved
    equivalent (`gloss` is the unverified one, if any). Counts are over all cases."""

    text: str
    count: int
    cases: int = Field(description="Distinct cases it occurred in")
    last_seen: datetime
    gloss: str | None = None
    concept_id: int | None = None
    link: str | None = None


class SentenceTask(BaseModel):
    """A whole sentence served by the gloss, shown only from cases the viewer may read;
    `count` is over every case."""

    text: str
    count: int
    last_seen: datetime
    case_id: int
    interview_id: int
    link: str


class Worklist(BaseModel):
    language: str
    variety: str
    since: datetime
    concepts: Page[ConceptTask]
    phrases: Page[PhraseTask]
    words: Page[WordTask]
    sentences: Page[SentenceTask]
    hidden_sentences: int = Field(
        description="Distinct gloss-served sentences from cases the viewer is not assigned to"
    )
    unknown_words: Page[WordTask]
    hidden_words: int = Field(
        description="Words seen only in one case the viewer is not assigned to (withheld)"
    )


class CoverageRow(BaseModel):
    """Sentences of one period by the path that served them; shares sum to 1."""

    period: str
    starts: str = Field(description="First day of the period (Beijing time), ISO date")
    sentences: int
    counts: dict[str, int]
    shares: dict[str, float]


class CoverageReport(BaseModel):
    language: str
    variety: str
    period: Period
    direction: Direction
    since: datetime
    paths: list[str]
    rows: list[CoverageRow]
    total: CoverageRow


class SkippedItem(BaseModel):
    source: str
    reason: str


class SpeechSummary(BaseModel):
    """What the speech-data export would contain now."""

    language: str
    variety: str
    ready: int
    skipped: dict[str, int]
    skipped_items: list[SkippedItem]
