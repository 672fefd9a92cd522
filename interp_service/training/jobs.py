"""Training as a background job, so an admin can start it from the API or the models page:
the data are exported and checked in the request (too little data answers at once), the
training runs on the job runner with progress, and the result is a model folder that
waits for the registry's gate like one trained from the command line."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.config import Settings
from interp_service.jobs.base import JobCancelled, JobContext, JobInfo, JobRunner
from interp_service.training.errors import TrainingFailed
from interp_service.training.request import TrainRequest
from interp_service.training.runner import prepare, train
from interp_service.users.orm import User
from interp_service.users.service import actor_of

JOB_KIND = "model.train"


class JobMonitor:
    """Training progress as job progress (steps); cancellation is checked every step."""

    def __init__(self, ctx: JobContext) -> None:
        self.ctx = ctx
        self.total = 0
        self.best = 0.0

    def started(self, total_steps: int, done_steps: int) -> None:
        self.total = total_steps
        self.ctx.progress(done_steps, total_steps, "训练开始")

    def stepped(self, step: int, loss: float) -> None:
        self.ctx.check_cancelled()
        if step % 10 == 0 or step == self.total:
            self.ctx.progress(
                step, self.total, f"损失 {loss:.3f} · 开发集最佳 chrF {self.best:.1f}"
            )

    def evaluated(self, step: int, score: float, best: float) -> None:
        self.best = best
        self.ctx.progress(step, self.total, f"开发集 chrF {score:.1f}（最佳 {best:.1f}）")


def start_training(
    session: Session, settings: Settings, runner: JobRunner, admin: User, request: TrainRequest
) -> JobInfo:
    """Check the request and the data now (ValidationFailed on too little data or none),
    then train on the job runner. Audited when started; the model is never promoted."""
    try:
        request.check()
    except ValueError as exc:
        from interp_service.errors import ValidationFailed

        raise ValidationFailed(str(exc)) from None
    prepared = prepare(session, request)

    def run(ctx: JobContext) -> dict[str, Any]:
        try:
            outcome = train(prepared, settings.trained_models_dir, request, monitor=JobMonitor(ctx))
        except TrainingFailed as exc:
            if isinstance(exc.__cause__, JobCancelled):
                raise JobCancelled() from None
            raise TrainingFailed(exc.detail) from None
        card = outcome.card
        return {
            "name": card.name,
            "version": card.version,
            "folder": card.folder.name,
            "stopped": outcome.stopped,
            "metrics": dict(card.metrics),
        }

    job = runner.submit(JOB_KIND, run, owner_id=admin.id)
    record(
        session,
        actor_of(admin),
        "model.train.start",
        "job",
        job.id,
        details={
            "pair": f"{request.source_language}-{request.target_language}",
            "both": request.both,
            "size": request.size,
            "data_sha256": prepared.dataset.data_hash,
        },
    )
    return job
