"""Request and response shapes of the model registry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interp_service.users.schemas import Strict

PAIR = r"^[a-z]{3}-[a-z]{3}$"


class PromotionIn(Strict):
    """Promote through the gate; `force` with a written `reason` (at least 10 characters)
    promotes a version the gate refused, and is audited."""

    force: bool = False
    reason: str = Field(default="", max_length=2000)


class TrainIn(Strict):
    """Start training a model from the approved data of a pair (runs as a job)."""

    source_language: str = Field(pattern="^[a-z]{3}$")
    target_language: str = Field(pattern="^[a-z]{3}$")
    both: bool = False
    size: str = Field(default="small", pattern="^(tiny|small|base)$")
    epochs: int = Field(default=60, ge=1, le=1000)
    seed: int = Field(default=1, ge=0)
    min_pairs: int = Field(default=200, ge=1)


class RollbackIn(Strict):
    pair: str = Field(pattern=PAIR, description="Language pair key, e.g. cmn-mmr")


class ScoresOut(BaseModel):
    chrf: float = Field(description="chrF (sacrebleu), 0-100")
    bleu: float = Field(description="BLEU (sacrebleu), 0-100")
    n: int = Field(description="Test sentences scored")


class IncumbentScoresOut(ScoresOut):
    id: int
    label: str


class SampleRow(BaseModel):
    source: str
    reference: str
    baseline: str
    candidate: str


class GateOut(BaseModel):
    """The last gate evaluation of a version on its own held-out test split."""

    decision: str = Field(description="promote or refuse (the gate's own verdict)")
    passed: bool
    reasons: list[str]
    margin_chrf: float
    candidate: ScoresOut | None
    baseline: ScoresOut | None
    incumbent: IncumbentScoresOut | None
    samples: list[SampleRow]
    test_pairs: int
    train_pairs: int
    test_sha256: str
    evaluated_at: str


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    task: str
    name: str
    version: str
    pair: str
    folder: str
    status: str = Field(description="candidate, promoted, retired or refused")
    problem: str = Field(description="Why the folder is refused (empty otherwise)")
    card_sha256: str
    data_hash: str
    metrics: dict[str, Any]
    parent: str = Field(description="Training lineage as the card states it")
    previous_id: int | None = Field(description="Version that served when this was promoted")
    previous_label: str | None = None
    created_at: datetime
    promoted_by: int | None
    promoted_by_name: str | None = None
    promoted_at: datetime | None
    forced: bool
    force_reason: str
    gate: GateOut | None = None


class PromotionOut(BaseModel):
    promoted: bool
    forced: bool
    version: VersionOut
    previous: VersionOut | None
