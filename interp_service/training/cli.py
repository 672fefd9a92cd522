"""`interp-service train mt …`: train a translation model from the approved data.

The model is written under the data folder (``<data>/models/mt/<name>-<version>/``) and is
not promoted: promotion goes through the registry's gate.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from interp_service.config import Settings

if TYPE_CHECKING:
    from interp_service.training.request import TrainRequest


def _request(args: argparse.Namespace) -> TrainRequest:
    from interp_service.training.request import TrainRequest

    return TrainRequest(
        source_language=args.source,
        target_language=args.target,
        both=args.both,
        size=args.size,
        epochs=args.epochs,
        seed=args.seed,
        name=args.name,
        resume=args.resume,
        min_pairs=args.min_pairs,
        threads=args.threads,
        patience=args.patience,
    )


def _train_mt(settings: Settings, args: argparse.Namespace) -> int:
    from interp_service.db.session import make_engine, make_session_factory
    from interp_service.errors import AppError
    from interp_service.training.errors import NotEnoughData, TrainingFailed, TrainingInterrupted
    from interp_service.training.progress import ProgressBar
    from interp_service.training.runner import prepare, train

    request = _request(args)
    try:
        request.check()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    engine = make_engine(settings)
    bar = ProgressBar(f"train {request.model_name}")
    try:
        with make_session_factory(engine)() as session:
            prepared = prepare(session, request)
        counts = prepared.dataset.counts()
        print(
            f"pairs: train {counts['train']} (glossary {counts['train_glossary']}, "
            f"+{counts['placeholder']} placeholder copies), dev {counts['dev']}, "
            f"test {counts['test']}; data sha256 {prepared.dataset.data_hash[:16]}…"
        )
        outcome = train(prepared, settings.trained_models_dir, request, monitor=bar)
    except AppError as exc:
        bar.close()
        print(f"error: {exc.detail}", file=sys.stderr)
        if isinstance(exc, NotEnoughData):
            print(exc.cli_hint, file=sys.stderr)
        if isinstance(exc, TrainingFailed) and exc.__cause__ is not None:
            print(f"原因：{exc.__cause__}", file=sys.stderr)
        return 1
    except TrainingInterrupted as exc:
        bar.close()
        print(
            f"\ninterrupted: the last checkpoint is kept in {exc.build}; run the same command "
            "with --resume to continue",
            file=sys.stderr,
        )
        return 130
    except KeyboardInterrupt:
        bar.close()
        print("\ninterrupted before training started; nothing was written", file=sys.stderr)
        return 130
    finally:
        engine.dispose()
    bar.close()
    for note in outcome.notes:
        print(f"note: {note}")
    card = outcome.card
    training = card.training
    print(
        f"stopped: {outcome.stopped} after {training.get('steps')} steps "
        f"(best dev chrF {card.metrics.get('dev_chrf', 0.0):.1f} at step "
        f"{training.get('best_step')})"
    )
    for report in outcome.reports:
        m, b = report.model, report.baseline
        print(
            f"{report.direction} test ({m.n} pairs): model chrF {m.chrf:.1f} BLEU {m.bleu:.1f} | "
            f"retrieval baseline chrF {b.chrf:.1f} BLEU {b.bleu:.1f}"
        )
    print(f"model {card.name} version {card.version} written to {card.folder}")
    print("not promoted: promotion goes through the registry's gate")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    train = sub.add_parser("train", help="train models from the approved data")
    t = train.add_subparsers(dest="train_command", required=True)
    mt = t.add_parser("mt", help="train a translation model for a language pair")
    mt.add_argument("--source", required=True, help="source language (ISO 639-3), e.g. mmr")
    mt.add_argument("--target", required=True, help="target language (ISO 639-3), e.g. cmn")
    mt.add_argument(
        "--both", action="store_true", help="one model for both directions (target tags)"
    )
    mt.add_argument("--size", choices=["tiny", "small", "base"], default="small")
    mt.add_argument("--epochs", type=int, default=60, help="upper bound; stops early on dev chrF")
    mt.add_argument("--patience", type=int, default=5, help="evaluations without gain")
    mt.add_argument("--seed", type=int, default=1)
    mt.add_argument("--name", help="model name (default <source>-<target>[-both])")
    mt.add_argument("--resume", action="store_true", help="continue an interrupted training")
    mt.add_argument(
        "--min-pairs", type=int, default=200, help="training sentence pairs required (200)"
    )
    mt.add_argument("--threads", type=int, help="CPU threads (default: all cores)")
    mt.set_defaults(func=_train_mt)
