"""Train a model from the approved data: export → dataset → train → evaluate → model folder.

``prepare(session, request)`` reads the database (export, dataset, glossary for the
baseline); ``train(prepared, models_root, request)`` needs no session and may run for
hours. The model is built in ``<root>/mt/.<name>.build/`` (``run.json``, ``checkpoint/``,
``model/``) beside its destination ``<root>/mt/<name>-<version>/`` and renamed into place
when complete, so previous models are never touched. Ctrl-C keeps the build folder for
``--resume`` (TrainingInterrupted); any other failure removes it (StorageFull when the disk
filled up, TrainingFailed otherwise). Nothing is promoted here.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.orm import Session

from interp_service.engine.cards import ModelCard, read_card, write_card
from interp_service.engine.convert import convert_to_ct2
from interp_service.engine.trainer import LoopConfig, Monitor, default_threads
from interp_service.engine.training import ModelSize, fit_marian
from interp_service.errors import AppError
from interp_service.jobs.base import JobCancelled
from interp_service.training.augment import add_placeholder_copies
from interp_service.training.build import disk_full, open_build
from interp_service.training.dataset import Dataset, Example, build_dataset, write_split
from interp_service.training.errors import (
    ResumeMismatch,
    StorageFull,
    TrainingFailed,
    TrainingInterrupted,
)
from interp_service.training.evaluation import (
    Gloss,
    SampleRow,
    Scores,
    baseline_outputs,
    dev_scorer,
    model_outputs,
    sample_rows,
    score,
)
from interp_service.training.export import export_examples
from interp_service.training.gloss import session_gloss
from interp_service.training.modelcard import card_for, write_samples
from interp_service.training.request import Preset, TrainRequest

log = logging.getLogger("interp_service")


@dataclass
class Prepared:
    """The dataset, a baseline gloss per direction, the data licence and export time."""

    dataset: Dataset
    glosses: dict[str, Gloss] = field(default_factory=dict)
    licence: str = ""
    source: str = ""
    exported_at: str = field(
        default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds")
    )


@dataclass(frozen=True)
class DirectionReport:
    """Test scores of one direction: the model, the retrieval baseline, sample rows."""

    direction: str
    model: Scores
    baseline: Scores
    samples: list[SampleRow]


@dataclass(frozen=True)
class TrainOutcome:
    card: ModelCard
    counts: dict[str, int]
    reports: list[DirectionReport]
    notes: list[str]
    stopped: str


def preset_size(preset: Preset) -> ModelSize:
    """The model dimensions a preset stands for (its optimiser settings left out)."""
    return ModelSize(
        d_model=preset.d_model,
        layers=preset.layers,
        decoder_layers=preset.decoder_layers,
        heads=preset.heads,
        ffn=preset.ffn,
        vocab_size=preset.vocab,
        dropout=preset.dropout,
    )


def prepare(session: Session, request: TrainRequest) -> Prepared:
    """Export and split the pair's approved data (raises NoTrainingData / NotEnoughData)
    and read the glossary for the baseline's gloss. Only reads the session."""
    request.check()
    src, tgt = request.source_language, request.target_language
    exported = export_examples(session, src, tgt)
    dataset = build_dataset(
        exported.examples, src, tgt, both=request.both, min_pairs=request.min_pairs
    )
    add_placeholder_copies(dataset)
    glosses = {d: session_gloss(session, d[:3], d[4:]) for d in dataset.directions}
    counts = dataset.counts()
    source = (
        f"trained by the service on approved data: {len(exported.memory)} memory pairs and "
        f"{len(exported.glossary)} glossary term pairs exported, {counts['train']} pairs "
        "in the training split after removing duplicates"
    )
    return Prepared(dataset, glosses, exported.licence(), source)


def train(
    prepared: Prepared,
    models_root: Path,
    request: TrainRequest,
    *,
    monitor: Monitor | None = None,
) -> TrainOutcome:
    """Train, evaluate and write ``<models_root>/mt/<name>-<version>/``; see the module
    docstring for the build folder and the errors."""
    request.check()
    dataset, name = prepared.dataset, request.model_name
    mt = Path(models_root) / "mt"
    build = mt / f".{name}.build"
    fixed = {"data": dataset.data_hash, "settings": request.settings()}
    fingerprint = hashlib.sha256(json.dumps(fixed, sort_keys=True).encode()).hexdigest()
    notes: list[str] = []
    try:
        mt.mkdir(parents=True, exist_ok=True)
        version, resuming = open_build(build, mt, name, fingerprint, request.resume, notes)
        card, reports, stopped = _build(
            prepared, request, build, version, fingerprint, resuming, monitor
        )
        final = mt / f"{name}-{version}"
        shutil.rmtree(build / "checkpoint", ignore_errors=True)
        card.folder.rename(final)
        shutil.rmtree(build, ignore_errors=True)
    except KeyboardInterrupt:
        raise TrainingInterrupted(build) from None
    except ResumeMismatch:
        raise
    except Exception as exc:
        shutil.rmtree(build, ignore_errors=True)
        if disk_full(exc):
            raise StorageFull(
                f"训练 {name} 时磁盘已满。临时文件夹已删除，现有模型均未改动；"
                f"请腾出 {mt} 所在磁盘的空间后再训练。"
            ) from exc
        if isinstance(exc, AppError):
            raise
        if not isinstance(exc, JobCancelled):
            log.error("training %s failed", name, exc_info=exc)
        raise TrainingFailed(
            f"训练 {name} 时出错，已停止。临时文件夹已删除，现有模型均未改动；"
            "错误详情已记入服务日志。"
        ) from exc
    return TrainOutcome(read_card(final), dataset.counts(), reports, notes, stopped)


def _tags(dataset: Dataset) -> dict[str, str]:
    return {d[4:]: f"<2{d[4:]}>" for d in dataset.directions} if dataset.both else {}


def _build(
    prepared: Prepared,
    request: TrainRequest,
    build: Path,
    version: int,
    fingerprint: str,
    resuming: bool,
    monitor: Monitor | None,
) -> tuple[ModelCard, list[DirectionReport], str]:
    dataset, preset = prepared.dataset, request.preset
    folder = build / "model"
    tags = _tags(dataset)

    def tagged(e: Example) -> str:
        return f"{tags[e.target_language]} {e.source}" if tags else e.source

    write_split(dataset, folder / "data")
    train_pairs = dataset.examples("train")
    per_direction = max(1, request.dev_limit // len(dataset.directions))
    dev = [
        e
        for d in dataset.directions
        for e in [x for x in dataset.examples("dev") if x.direction == d][:per_direction]
    ]
    size = preset_size(preset)
    batch = preset.batch_size
    planned = request.epochs * -(-len(train_pairs) // batch)
    every = request.eval_every or max(-(-len(train_pairs) // batch), -(-planned // 20))
    loop = LoopConfig(
        epochs=request.epochs,
        batch_size=batch,
        learning_rate=preset.learning_rate,
        warmup_steps=preset.warmup_steps,
        seed=request.seed,
        eval_every=every,
        patience=request.patience,
        min_steps=planned // 4,
        checkpoint_every=request.checkpoint_every or every,
        max_seconds=request.max_seconds,
    )
    fitted = fit_marian(
        [(tagged(e), e.target) for e in train_pairs],
        folder / "hf",
        size=size,
        loop=loop,
        tokenizer_type=preset.tokenizer,
        extra_symbols=tuple(tags.values()),
        threads=request.threads,
        checkpoint_folder=build / "checkpoint",
        resume=resuming,
        fingerprint=fingerprint,
        dev_score=dev_scorer([tagged(e) for e in dev], [e.target for e in dev]),
        monitor=monitor,
    )
    shutil.rmtree(folder / "ct2", ignore_errors=True)
    convert_to_ct2(
        folder / "hf",
        folder / "ct2",
        shortlist_pairs=[(tagged(e), e.target) for e in train_pairs],
        always=tuple(tags.values()),
    )
    card = write_card(card_for(prepared, request, folder, version, size, loop, fitted, tags))
    reports = []
    threads = request.threads or default_threads()
    for direction in dataset.directions:
        test = [e for e in dataset.examples("test") if e.direction == direction]
        train_d = [e for e in train_pairs if e.direction == direction]
        candidate = model_outputs(card, test, threads=threads)
        baseline = baseline_outputs(train_d, test, prepared.glosses.get(direction))
        refs, target = [e.target for e in test], direction[4:]
        reports.append(
            DirectionReport(
                direction,
                score(candidate, refs, target),
                score(baseline, refs, target),
                sample_rows(test, baseline, candidate),
            )
        )
    write_samples(
        folder / "data" / "samples.tsv", [(r.direction, s) for r in reports for s in r.samples]
    )
    metrics = dict(card.metrics)
    for report in reports:
        prefix = "" if report.direction == card.pair else f"{report.direction}/"
        for key, scores in (("", report.model), ("baseline_", report.baseline)):
            metrics[f"{prefix}{key}chrf"] = scores.chrf
            metrics[f"{prefix}{key}bleu"] = scores.bleu
        metrics[f"{prefix}test_pairs"] = float(report.model.n)
    card = write_card(dataclasses.replace(card, metrics=metrics))
    return card, reports, fitted.loop.stopped
