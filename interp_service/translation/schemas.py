"""Request and response bodies of the translation API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from interp_service.api.ids import Id
from interp_service.translation.receipts import SentenceResult, TranslationResult


class TranslateBatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    texts: list[str] = Field(min_length=1, max_length=64)
    source_language: str = Field(min_length=3, max_length=3)
    target_language: str = Field(min_length=3, max_length=3)
    target_variety: str = Field(default="", max_length=64)
    case_id: Id | None = None
    interview_id: Id | None = None
    use_memory: bool = True
    use_model: bool = True


class TranslateBatchOut(BaseModel):
    results: list[TranslationResult]
    glossary_release: int | None


class TranslateStream(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=500_000)
    source_language: str = Field(min_length=3, max_length=3)
    target_language: str = Field(min_length=3, max_length=3)
    target_variety: str = Field(default="", max_length=64)
    case_id: Id | None = None
    interview_id: Id | None = None


class StreamLine(BaseModel):
    """One line of the streaming answer (NDJSON): a sentence, then a final summary."""

    index: int
    sentence: SentenceResult | None = None
    done: bool = False
    sentences: int | None = None
    error: str | None = None


class DetectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(min_length=1, max_length=20_000)


class DetectOut(BaseModel):
    language: str
    confidence: float
    scores: dict[str, float]
