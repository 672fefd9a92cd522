"""Errors of the training command; each says what to do about it."""

from __future__ import annotations

from pathlib import Path

from interp_service.errors import AppError, Conflict, ValidationFailed


class NoTrainingData(ValidationFailed):
    """The language pair has no approved pairs at all."""

    kind = "no-training-data"
    title = "没有可用的训练数据"


class NotEnoughData(ValidationFailed):
    """Too few approved pairs to train a model worth evaluating."""

    kind = "not-enough-training-data"
    title = "训练数据不足"
    #: Said only by the command line, after the message: pages and the API name no options.
    cli_hint = "如只想用更少的数据试训，可用 --min-pairs 调低训练集的最低句对数。"


class ResumeMismatch(Conflict):
    """``--resume`` found an interrupted training made from other data or settings."""

    kind = "training-resume-mismatch"
    title = "无法继续中断的训练"


class TrainingFailed(AppError):
    """Training stopped on an error; its temporary folder was removed."""

    status = 500
    kind = "training-failed"
    title = "训练失败"


class StorageFull(TrainingFailed):
    """The disk filled up while training; its temporary folder was removed."""

    status = 507
    kind = "storage-full"
    title = "磁盘空间不足"


class TrainingInterrupted(KeyboardInterrupt):
    """Ctrl-C during training: the last checkpoint is kept in ``build`` for ``--resume``."""

    def __init__(self, build: Path) -> None:
        super().__init__(str(build))
        self.build = build
