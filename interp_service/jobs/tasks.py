"""Named tasks a queued job can run, and what a task receives.

A task is a function registered under a kind:

    @task("transcripts.import")
    def import_transcript(env: TaskEnv, payload: dict[str, Any], ctx: JobContext) -> dict:
        ...

It gets the process's services (`env`), the job's JSON payload and a context to report
progress and notice cancellation; it returns a JSON-serialisable result. A task may run more
than once for one job (a worker killed mid-way, a retry), so it must be idempotent: write
its output in one transaction that first removes what an earlier attempt wrote.

Every module that defines tasks is named in `TASK_MODULES`, the one list a worker process
imports at start so that it knows every kind the web process may enqueue.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session, sessionmaker

from interp_service.config import Settings
from interp_service.jobs.base import JobContext
from interp_service.jobs.loop_bridge import LoopBridge

if TYPE_CHECKING:
    from interp_service.evidence.store import EvidenceStore
    from interp_service.services import AppServices

# Modules whose import registers tasks; worker processes import them all at start.
TASK_MODULES: tuple[str, ...] = ("interp_service.transcripts.processing",)


@dataclass
class TaskEnv:
    """What a task may use: the process's long-lived services and the bridge to the event
    loop the translation engine runs on (`bridge.run(coro, timeout_s)`)."""

    services: AppServices
    bridge: LoopBridge

    @property
    def session_factory(self) -> sessionmaker[Session]:
        return self.services.session_factory

    @property
    def settings(self) -> Settings:
        return self.services.settings

    @property
    def evidence_store(self) -> EvidenceStore:
        return self.services.evidence_store


Handler = Callable[[TaskEnv, dict[str, Any], JobContext], dict[str, Any]]

_HANDLERS: dict[str, Handler] = {}


def task(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `kind` (one handler per kind)."""

    def register(fn: Handler) -> Handler:
        existing = _HANDLERS.get(kind)
        if existing is not None and existing is not fn:
            raise ValueError(f"task kind {kind!r} is already registered")
        _HANDLERS[kind] = fn
        return fn

    return register


def handler_for(kind: str) -> Handler | None:
    return _HANDLERS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def load_task_modules(extra: Iterable[str] = ()) -> None:
    """Import `TASK_MODULES` and `extra` (tests add their own) so their tasks register."""
    for name in (*TASK_MODULES, *extra):
        importlib.import_module(name)
