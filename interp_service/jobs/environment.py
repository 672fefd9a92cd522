"""The long-lived parts a process needs to run jobs, built from settings alone: the same
`AppServices` the web application builds, for worker processes (and for `create_app`)."""

from __future__ import annotations

from interp_service.config import Settings
from interp_service.db.base import import_all_models
from interp_service.db.session import make_engine, make_session_factory
from interp_service.engine.service import Engine as TranslationEngine
from interp_service.evidence.store import EvidenceStore
from interp_service.jobs.inprocess import InProcessJobRunner
from interp_service.services import AppServices
from interp_service.speech.models import SpeechModels


def build_translation_engine(settings: Settings) -> TranslationEngine:
    # A model the service trained and promoted wins over a shipped one for the same pair.
    return TranslationEngine(
        [settings.trained_models_dir, settings.shipped_models_dir], settings.batching()
    )


def build_services(
    settings: Settings, translation_engine: TranslationEngine | None = None
) -> AppServices:
    """Database engine and sessions, evidence store, closure-job runner, translation engine
    (models load on `await translation_engine.refresh()`, on the loop that will serve
    them) and speech models (loaded on first use). The caller disposes of them."""
    # A task module imports only its own tables; their foreign keys name other domains'.
    import_all_models()
    database = make_engine(settings)
    return AppServices(
        settings=settings,
        database=database,
        session_factory=make_session_factory(database),
        evidence_store=EvidenceStore(settings.evidence_dir),
        job_runner=InProcessJobRunner(settings.job_workers),
        translation_engine=translation_engine or build_translation_engine(settings),
        speech_models=SpeechModels(settings),
    )
