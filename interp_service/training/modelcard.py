"""The card of a model trained by the service, and its sample table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from interp_service.engine.cards import ModelCard, Scalar
from interp_service.training.dataset import NEAR_DUPLICATE, SPLIT_RULE, Example
from interp_service.training.evaluation import SampleRow
from interp_service.training.request import TrainRequest

if TYPE_CHECKING:
    from interp_service.engine.trainer import LoopConfig
    from interp_service.engine.training import FitResult, ModelSize
    from interp_service.training.runner import Prepared


def write_samples(path: Path, rows: list[tuple[str, SampleRow]]) -> None:
    """``data/samples.tsv``: direction, source, reference, baseline, candidate."""
    lines = ["direction\tsource\treference\tbaseline\tcandidate"]
    for direction, row in rows:
        cells = (row.source, row.reference, row.baseline, row.candidate)
        lines.append("\t".join([direction, *(" ".join(c.split()) for c in cells)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _varieties(examples: list[Example], side: str) -> str:
    return ", ".join(sorted({getattr(e, f"{side}_variety") for e in examples} - {""}))


def card_for(
    prepared: Prepared,
    request: TrainRequest,
    folder: Path,
    version: int,
    size: ModelSize,
    loop: LoopConfig,
    fitted: FitResult,
    tags: dict[str, str],
) -> ModelCard:
    """The card of a freshly trained model (metrics: training only; the runner adds the
    test scores). Tables: [size], [training], [dataset] (see models/README.md)."""
    dataset = prepared.dataset
    sentences = [e for e, _ in dataset.pairs if e.origin != "glossary"]
    counts = dataset.counts()
    metrics = fitted.metrics()
    if "dev_score" in metrics:
        metrics["dev_chrf"] = metrics.pop("dev_score")
    metrics["train_pairs"] = float(len(dataset.examples("train")))
    size_table: dict[str, Scalar] = {
        "d_model": size.d_model,
        "layers": size.layers,
        "decoder_layers": size.decoder_depth,
        "heads": size.heads,
        "ffn": size.ffn,
        "vocab": fitted.vocab_size,
        "dropout": size.dropout,
        "preset": request.size,
    }
    training: dict[str, Scalar] = {
        "epochs": loop.epochs,
        "planned_steps": fitted.loop.total_steps,
        "steps": fitted.loop.steps,
        "best_step": fitted.loop.best_step,
        "stopped": fitted.loop.stopped,
        "batch_size": loop.batch_size,
        "learning_rate": loop.learning_rate,
        "warmup_steps": loop.warmup_steps,
        "seed": loop.seed,
        "eval_every": loop.eval_every or 0,
        "patience": loop.patience,
        "min_steps": loop.min_steps,
        "checkpoint_every": loop.checkpoint_every or 0,
        "resumed_from_step": fitted.loop.resumed_from,
        "tokenizer": request.preset.tokenizer,
        "device": fitted.device,
        "threads": fitted.threads,
        "seconds": round(fitted.seconds, 1),
    }
    data: dict[str, Scalar] = {
        "hash": dataset.data_hash,
        "exported_at": prepared.exported_at,
        "exported": dataset.exported,
        "duplicates_removed": dataset.duplicates,
        "near_duplicates_removed": dataset.near_duplicates,
        "empty": dataset.empty,
        "near_duplicate_ratio": NEAR_DUPLICATE,
        "split_rule": SPLIT_RULE,
        **counts,
    }
    return ModelCard(
        task="mt",
        name=request.model_name,
        version=str(version),
        source_language=dataset.source_language,
        target_language=dataset.target_language,
        source_variety=_varieties(sentences, "source"),
        target_variety=_varieties(sentences, "target"),
        licence=prepared.licence or "see the data source",
        source=prepared.source or "trained by the service",
        folder=folder,
        metrics=metrics,
        directions=tuple(dataset.directions) if dataset.both else (),
        target_tags=tags,
        size=size_table,
        training=training,
        dataset=data,
    )
