"""Scoring a model and the retrieval baseline on held-out pairs (sacrebleu chrF and BLEU).

For the promotion gate and the training command alike:

* ``evaluate_model(card, test_pairs) -> Scores``: the model's CTranslate2 int8 conversion,
  beam 4 as served, on the pairs' sources (prefixed with the card's target tag for a
  model trained on both directions);
* ``evaluate_baseline(train_pairs, test_pairs, gloss) -> Scores``: what the service offers
  without a model. Per test source, the exact or else best fuzzy (score ≥ 75, as served)
  hit of a translation memory made of the *training* pairs only (glossary term pairs
  left out: the service's memory holds sentences), else ``gloss(source)``, else "";
* ``sample_rows`` for the side-by-side table.

``test_pairs`` must all be of one direction (``Example.direction``); read a trained
model's test split with ``dataset.read_split(card.folder, "test")`` and filter on it.
chrF: sacrebleu defaults (character 6-grams, β 2); BLEU: ``tokenize="zh"`` when the target
is Chinese, ``13a`` otherwise. Scores are 0-100.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sacrebleu

from interp_service.engine.cards import ModelCard
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.memory.lookup import DEFAULT_THRESHOLD, IndexedEntry, MemoryIndex
from interp_service.training.dataset import SENTENCE_ORIGINS, Example
from interp_service.translation.normalise import match_key

Gloss = Callable[[str], str]
"""A source sentence → its lexical gloss (the baseline's last resort)."""
TranslateFn = Callable[[list[str]], list[str]]


@dataclass(frozen=True)
class Scores:
    """Corpus chrF and BLEU (0-100) over ``n`` sentences."""

    chrf: float
    bleu: float
    n: int


@dataclass(frozen=True)
class SampleRow:
    """One test sentence side by side."""

    source: str
    reference: str
    baseline: str
    candidate: str


def bleu_tokenize(target_language: str) -> str:
    """sacrebleu's BLEU tokenizer for the target language."""
    return "zh" if target_language in CHINESE_LANGUAGES else "13a"


def score(hypotheses: Sequence[str], references: Sequence[str], target_language: str) -> Scores:
    """Corpus chrF and BLEU of ``hypotheses`` against one reference each."""
    if len(hypotheses) != len(references):
        raise ValueError("one hypothesis per reference is needed")
    if not references:
        return Scores(0.0, 0.0, 0)
    hyps, refs = list(hypotheses), [list(references)]
    chrf = sacrebleu.corpus_chrf(hyps, refs).score
    bleu = sacrebleu.corpus_bleu(hyps, refs, tokenize=bleu_tokenize(target_language)).score
    return Scores(round(float(chrf), 2), round(float(bleu), 2), len(references))


def _direction(pairs: Sequence[Example]) -> tuple[str, str]:
    directions = {(p.source_language, p.target_language) for p in pairs}
    if len(directions) != 1:
        raise ValueError(f"test pairs must share one direction, got {sorted(directions)}")
    return directions.pop()


def model_outputs(
    card: ModelCard,
    pairs: Sequence[Example],
    *,
    beam_size: int = 4,
    threads: int = 1,
    batch_size: int = 32,
) -> list[str]:
    """The model's translations of the pairs' sources (CTranslate2 int8, ``threads`` CPU
    threads, batches of ``batch_size`` sentences sorted by length), in input order. A
    source longer than the model's positions (256 tokens) is cut to fit."""
    from interp_service.engine.ct2_backend import CTranslate2Translator

    if not pairs:
        return []
    _, target = _direction(pairs)
    prefix = card.source_prefix(target)
    translator = CTranslate2Translator(card.ct2_folder, card.hf_folder, intra_threads=threads)
    config = json.loads((card.hf_folder / "config.json").read_text(encoding="utf-8"))
    limit = int(config.get("max_position_embeddings", 256)) - 1  # end of sentence included
    codec = translator.codec
    sources = [prefix + p.source for p in pairs]
    sources = [  # the model has no positions past its limit: cut longer sources to it
        s
        if codec.count(s) <= limit
        else str(codec.source.decode_pieces(codec.encode(s)[: limit - 1]))
        for s in sources
    ]
    order = sorted(range(len(sources)), key=lambda i: len(sources[i]))
    out = [""] * len(sources)
    for start in range(0, len(order), batch_size):
        chunk = order[start : start + batch_size]
        results = translator.translate_batch(
            [sources[i] for i in chunk], beam_size=beam_size, max_length=256
        )
        for i, nbest in zip(chunk, results, strict=True):
            out[i] = nbest[0].text
    return out


def evaluate_model(card: ModelCard, test_pairs: Sequence[Example], *, threads: int = 1) -> Scores:
    """chrF and BLEU of the model on ``test_pairs`` (one direction)."""
    if not test_pairs:
        return Scores(0.0, 0.0, 0)
    _, target = _direction(test_pairs)
    outputs = model_outputs(card, test_pairs, threads=threads)
    return score(outputs, [p.target for p in test_pairs], target)


def retrieval_memory(train_pairs: Sequence[Example]) -> MemoryIndex:
    """A translation memory holding the training sentence pairs only."""
    entries = [
        IndexedEntry(
            entry_id=i,
            source_language=p.source_language,
            target_language=p.target_language,
            target_variety=p.target_variety,
            source_key=match_key(p.source, p.source_language),
            source_text=p.source,
            target_text=p.target,
            origin=p.origin,
        )
        for i, p in enumerate(train_pairs, start=1)
        if p.origin in SENTENCE_ORIGINS
    ]
    return MemoryIndex(entries)


def baseline_outputs(
    train_pairs: Sequence[Example],
    test_pairs: Sequence[Example],
    gloss: Gloss | None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[str]:
    """What the service offers without a model for each test source (module docstring)."""
    memory = retrieval_memory(train_pairs)
    out = []
    for pair in test_pairs:
        src, tgt = pair.source_language, pair.target_language
        hit = memory.exact(pair.source, src, tgt)
        if hit is None:
            fuzzy = memory.fuzzy(pair.source, src, tgt, threshold=threshold, limit=1)
            hit = fuzzy[0] if fuzzy else None
        if hit is not None:
            out.append(hit.target_text)
        else:
            out.append(gloss(pair.source) if gloss is not None else "")
    return out


def evaluate_baseline(
    train_pairs: Sequence[Example], test_pairs: Sequence[Example], gloss: Gloss | None
) -> Scores:
    """chrF and BLEU of the retrieval baseline on ``test_pairs`` (one direction), with a
    memory made of ``train_pairs`` only (the test pairs are withheld)."""
    if not test_pairs:
        return Scores(0.0, 0.0, 0)
    _, target = _direction(test_pairs)
    outputs = baseline_outputs(train_pairs, test_pairs, gloss)
    return score(outputs, [p.target for p in test_pairs], target)


def sample_rows(
    test_pairs: Sequence[Example],
    baseline: Sequence[str],
    candidate: Sequence[str],
    count: int = 10,
) -> list[SampleRow]:
    """The first ``count`` test sentences (the test file's order) with both outputs."""
    rows = zip(test_pairs, baseline, candidate, strict=True)
    return [SampleRow(p.source, p.target, b, c) for p, b, c in list(rows)[:count]]


def dev_scorer(sources: Sequence[str], references: Sequence[str]) -> Callable[[TranslateFn], float]:
    """A ``dev_score`` callback for ``engine.training.fit_marian``: corpus chrF (0-100) of
    the model's greedy translations of ``sources`` (already tagged) against
    ``references``."""
    src, refs = list(sources), list(references)

    def dev_score(translate: TranslateFn) -> float:
        return float(sacrebleu.corpus_chrf(translate(src), [refs]).score)

    return dev_score
