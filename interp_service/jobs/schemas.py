"""Job state as the API shows it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from interp_service.jobs.base import JobInfo


class JobOut(BaseModel):
    id: str
    kind: str
    state: str
    case_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    done: float
    total: float
    fraction: float
    message: str
    result: dict[str, Any]
    error: str
    cancel_requested: bool

    @classmethod
    def of(cls, job: JobInfo) -> JobOut:
        return cls(
            id=job.id,
            kind=job.kind,
            state=job.state,
            case_id=job.case_id,
            created_at=job.created_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            done=job.done,
            total=job.total,
            fraction=job.fraction,
            message=job.message,
            result=job.result,
            error=job.error,
            cancel_requested=job.cancel_requested,
        )
