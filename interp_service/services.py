"""The application's long-lived parts, built once by `create_app` and typed: the database,
settings, evidence store, job runner, models and the indexes rebuilt when their data moves.

Routes receive them through the `Services` dependency (api/deps.py); domain code receives
only the part it needs (a session, a cache, the store), never the application object.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from sqlalchemy import Engine as DatabaseEngine
from sqlalchemy.orm import Session, sessionmaker

from interp_service.config import Settings

if TYPE_CHECKING:
    from interp_service.engine.service import Engine as TranslationEngine
    from interp_service.evidence.store import EvidenceStore
    from interp_service.glossary.search.searching import GlossaryIndex
    from interp_service.jobs.base import JobRunner
    from interp_service.memory.lookup import MemoryIndex
    from interp_service.speech.models import SpeechModels
    from interp_service.translation.segment import Segmenter

V = TypeVar("V")


class VersionedCache(Generic[V]):
    """One value per data version (a glossary release, the memory's version counter),
    rebuilt once when the version moves on, even when many threads ask at once."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: tuple[int, V] | None = None

    def get(self, version: int, build: Callable[[], V]) -> V:
        entry = self._entry
        if entry is None or entry[0] != version:
            with self._lock:
                entry = self._entry
                if entry is None or entry[0] != version:
                    entry = (version, build())
                    self._entry = entry
        return entry[1]

    @property
    def current(self) -> V | None:
        """The value last built, or None before the first use."""
        return None if self._entry is None else self._entry[1]


Probe = Callable[[], dict[str, object]]


@dataclass
class AppServices:
    settings: Settings
    database: DatabaseEngine
    session_factory: sessionmaker[Session]
    evidence_store: EvidenceStore
    job_runner: JobRunner
    translation_engine: TranslationEngine
    speech_models: SpeechModels
    glossary_index: VersionedCache[GlossaryIndex] = field(default_factory=VersionedCache)
    memory_index: VersionedCache[MemoryIndex] = field(default_factory=VersionedCache)
    segmenter: VersionedCache[Segmenter] = field(default_factory=VersionedCache)
    readiness_probes: dict[str, Probe] = field(default_factory=dict)
