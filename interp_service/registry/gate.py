"""The promotion gate: a candidate must beat, by a stated margin of chrF, both the retrieval
baseline and the model now promoted for its pair, on the candidate's own held-out test split.

The test split is ``<folder>/data/test.tsv`` (source, reference), written by training and
never trained on. The baseline translates it from the *training* split only (fuzzy memory
lookup, falling back to the lexical gloss), so the test pairs are withheld from memory;
the candidate and the promoted model translate it alone, without memory. The result, with
ten sample rows (source, reference, baseline, candidate), is stored with the version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from interp_service.db.base import utcnow
from interp_service.engine.cards import ModelCard
from interp_service.errors import Conflict

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from interp_service.training.dataset import Example

SAMPLE_ROWS = 10


@dataclass(frozen=True)
class Evaluated:
    """Corpus chrF and BLEU (sacrebleu, 0-100) of `n` sentences, with the outputs in the
    order of the test pairs."""

    chrf: float
    bleu: float
    n: int
    outputs: list[str]

    def scores(self) -> dict[str, float | int]:
        return {"chrf": round(self.chrf, 2), "bleu": round(self.bleu, 2), "n": self.n}


class Evaluator(Protocol):
    """How the gate translates and scores; `training_evaluator()` is the real one."""

    def model(self, card: ModelCard, test: Sequence[Example]) -> Evaluated: ...

    def baseline(
        self, train: Sequence[Example], test: Sequence[Example], card: ModelCard
    ) -> Evaluated: ...


class PromotionRefused(Conflict):
    """The gate refused a promotion; the problem body carries the scores and the reasons."""

    kind = "promotion-refused"
    title = "模型未通过晋升门槛"


@dataclass(frozen=True)
class Split:
    """The candidate's held-out test pairs and the training pairs the baseline may use (of
    the card's own direction), with the SHA-256 of the files they were read from."""

    test: list[Example]
    train: list[Example]
    test_sha256: str
    train_sha256: str


def cache_key(
    card_sha256: str, incumbent_sha256: str, split: Split, margin: float
) -> dict[str, Any]:
    """What a stored gate result depends on; an equal key lets the gate reuse it."""
    return {
        "card_sha256": card_sha256,
        "incumbent_card_sha256": incumbent_sha256,
        "test_sha256": split.test_sha256,
        "train_sha256": split.train_sha256,
        "margin_chrf": margin,
    }


def judge(
    candidate: Evaluated,
    baseline: Evaluated,
    incumbent: Evaluated | None,
    margin: float,
    incumbent_label: str = "",
) -> list[str]:
    """Why the candidate may not be promoted (empty: it beats both by `margin` chrF points)."""
    reasons = []
    if candidate.chrf - baseline.chrf < margin:
        reasons.append(
            f"候选模型 chrF {candidate.chrf:.1f} 未比检索基线（{baseline.chrf:.1f}）"
            f"高出 {margin:g} 分"
        )
    if incumbent is not None and candidate.chrf - incumbent.chrf < margin:
        reasons.append(
            f"候选模型 chrF {candidate.chrf:.1f} 未比现用模型 {incumbent_label}"
            f"（{incumbent.chrf:.1f}）高出 {margin:g} 分"
        )
    return reasons


def run_gate(
    evaluator: Evaluator,
    card: ModelCard,
    card_sha256: str,
    split: Split,
    margin: float,
    incumbent: tuple[int, str, ModelCard, str] | None,
) -> dict[str, Any]:
    """Evaluate and decide; returns the JSON-ready gate result. `incumbent` is (version id,
    label, card, card SHA-256) of the model now promoted for the pair, if any."""
    reasons: list[str] = []
    if not split.test:
        reasons.append("没有留出的测试集（data/test.tsv），无法评估")
        return {
            **cache_key(card_sha256, incumbent[3] if incumbent else "", split, margin),
            "decision": "refuse",
            "passed": False,
            "reasons": reasons,
            "candidate": None,
            "baseline": None,
            "incumbent": None,
            "samples": [],
            "test_pairs": 0,
            "train_pairs": len(split.train),
            "evaluated_at": utcnow().isoformat(),
        }
    candidate = evaluator.model(card, split.test)
    baseline = evaluator.baseline(split.train, split.test, card)
    current = evaluator.model(incumbent[2], split.test) if incumbent else None
    reasons = judge(candidate, baseline, current, margin, incumbent[1] if incumbent else "")
    samples = [
        {"source": pair.source, "reference": pair.target, "baseline": base, "candidate": cand}
        for pair, base, cand in zip(
            split.test[:SAMPLE_ROWS], baseline.outputs, candidate.outputs, strict=False
        )
    ]
    return {
        **cache_key(card_sha256, incumbent[3] if incumbent else "", split, margin),
        "decision": "refuse" if reasons else "promote",
        "passed": not reasons,
        "reasons": reasons,
        "candidate": candidate.scores(),
        "baseline": baseline.scores(),
        "incumbent": (
            {"id": incumbent[0], "label": incumbent[1], **current.scores()}
            if incumbent and current
            else None
        ),
        "samples": samples,
        "test_pairs": len(split.test),
        "train_pairs": len(split.train),
        "evaluated_at": utcnow().isoformat(),
    }


def reusable(stored: dict[str, Any] | None, key: dict[str, Any]) -> bool:
    """A stored result made from the same candidate, incumbent, split and margin."""
    return stored is not None and all(stored.get(k) == v for k, v in key.items())


def refusal(version_label: str, result: dict[str, Any]) -> PromotionRefused:
    """The 409 for a refused promotion, with the scores and reasons in the problem body."""
    reasons = list(result.get("reasons", []))
    return PromotionRefused(
        f"{version_label} 未通过晋升门槛：" + "；".join(reasons),
        reasons=reasons,
        gate={k: result.get(k) for k in ("candidate", "baseline", "incumbent", "margin_chrf")},
    )


def training_evaluator(session: Session) -> Evaluator:
    """The gate's evaluator: `interp_service.training.evaluation` (the model's CTranslate2
    int8 conversion as served; the baseline's gloss over the glossary read from `session`)."""
    from interp_service.registry.evaluation import TrainingEvaluator

    return TrainingEvaluator(session)
