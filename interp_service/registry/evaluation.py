"""The gate's evaluator over `interp_service.training.evaluation`: the candidate and the
promoted model translate the test sources as served (CTranslate2 int8, beam 4); the
baseline answers from a memory of the training pairs only, else the lexical gloss over the
glossary as it is now. Scores are sacrebleu corpus chrF and BLEU (0-100)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from interp_service.engine.cards import ModelCard
from interp_service.registry.gate import Evaluated
from interp_service.training.dataset import Example
from interp_service.training.evaluation import baseline_outputs, model_outputs, score
from interp_service.training.gloss import session_gloss


class TrainingEvaluator:
    """Implements `gate.Evaluator`; the glossary is read from `session` on first use."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def model(self, card: ModelCard, test: Sequence[Example]) -> Evaluated:
        outputs = model_outputs(card, test)
        scores = score(outputs, [p.target for p in test], card.target_language)
        return Evaluated(scores.chrf, scores.bleu, scores.n, outputs)

    def baseline(
        self, train: Sequence[Example], test: Sequence[Example], card: ModelCard
    ) -> Evaluated:
        gloss = session_gloss(
            self.session, card.source_language, card.target_language, card.target_variety
        )
        outputs = baseline_outputs(train, test, gloss)
        scores = score(outputs, [p.target for p in test], card.target_language)
        return Evaluated(scores.chrf, scores.bleu, scores.n, outputs)
