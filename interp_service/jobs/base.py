"""The job interface: long work runs as a job with a state, progress and cancellation.

Implementations: `InProcessJobRunner` (threads in the service process, the default); a
Redis-backed runner with the same interface lets several machines share the work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

STATES = ("queued", "running", "succeeded", "failed", "cancelled")
FINAL_STATES = {"succeeded", "failed", "cancelled"}


class JobCancelled(Exception):
    """Raised inside a job by `JobContext.check_cancelled` once cancellation was asked for."""


class JobContext(Protocol):
    def progress(self, done: float, total: float, message: str = "") -> None: ...
    def check_cancelled(self) -> None: ...


JobFunction = Callable[[JobContext], dict[str, Any]]


@dataclass
class JobInfo:
    id: str
    kind: str
    owner_id: int | None
    case_id: int | None
    state: str
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    done: float = 0.0
    total: float = 0.0
    message: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    cancel_requested: bool = False

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 0.0


class JobRunner(Protocol):
    def submit(
        self, kind: str, fn: JobFunction, *, owner_id: int | None, case_id: int | None = None
    ) -> JobInfo: ...
    def get(self, job_id: str) -> JobInfo | None: ...
    def list(self, owner_id: int | None = None) -> list[JobInfo]: ...
    def cancel(self, job_id: str) -> JobInfo | None: ...
    def wait(self, job_id: str, timeout_s: float | None = None) -> JobInfo | None: ...
    def shutdown(self) -> None: ...
