"""The FastAPI application: `create_app(settings)` wires storage, jobs, routes and pages."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import swagger_ui_bundle
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from interp_service import __version__
from interp_service.api import openapi as openapi_document
from interp_service.api.middleware import BodyLimitMiddleware, SecurityHeadersMiddleware
from interp_service.api.system import router as system_router
from interp_service.api.text_guard import TextGuardMiddleware
from interp_service.audit.routes import router as audit_router
from interp_service.cases.routes import router as cases_router
from interp_service.config import Settings
from interp_service.coverage.routes import router as coverage_router
from interp_service.db.session import make_engine, make_session_factory
from interp_service.documents.routes import router as documents_router
from interp_service.engine.service import Engine as TranslationEngine
from interp_service.error_handlers import UnhandledErrorMiddleware, install_error_handlers
from interp_service.evidence.routes import router as evidence_router
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary.routes import router as glossary_router
from interp_service.interviews.routes import router as interviews_router
from interp_service.jobs.inprocess import InProcessJobRunner
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.queue import install_queue
from interp_service.jobs.queue import recover as recover_queued_jobs
from interp_service.jobs.routes import router as jobs_router
from interp_service.jobs.tasks import TaskEnv, load_task_modules
from interp_service.memory.routes import router as memory_router
from interp_service.registry.routes import router as registry_router
from interp_service.services import AppServices
from interp_service.speech.live.routes import router as live_speech_router
from interp_service.speech.models import SpeechModels
from interp_service.speech.openai.routes import router as openai_speech_router
from interp_service.speech.processing import recover_interrupted
from interp_service.speech.routes import router as speech_router
from interp_service.transcripts.routes import router as transcripts_router
from interp_service.translation.libretranslate import router as libretranslate_router
from interp_service.translation.routes import router as translation_router
from interp_service.users.routes import router as users_router
from interp_service.web.routes import routers as page_routers

STATIC_DIR = Path(__file__).parent / "web" / "static"
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)

# Mounted file trees are public by declaration; the route-policy test checks this list.
PUBLIC_MOUNTS = {"/static", "/static/swagger"}


def _glossary_state(services: AppServices) -> dict[str, object]:
    index = services.glossary_index.current
    if index is None:
        return {"ready": True, "built": False, "note": "built on first lookup"}
    return {"ready": True, "built": True, "release": index.release}


def create_app(
    settings: Settings | None = None, translation_engine: TranslationEngine | None = None
) -> FastAPI:
    """The service. `translation_engine` replaces the one built from settings (tests pass
    an engine with a fake translator)."""
    settings = settings or Settings()
    engine = make_engine(settings)
    runner = InProcessJobRunner(settings.job_workers)
    translation_engine = translation_engine or TranslationEngine(
        # A model the service trained and promoted wins over a shipped one for the same pair.
        [settings.trained_models_dir, settings.shipped_models_dir],
        settings.batching(),
    )

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await translation_engine.refresh()
        # Queued jobs run translation on this loop (jobs/loop_bridge.py).
        bridge.attach(asyncio.get_running_loop())
        recover_interrupted(services.session_factory)
        if job_queue.name == "in-process":
            await asyncio.to_thread(recover_queued_jobs, task_env)
        yield
        # Off the loop: running jobs may still need it to reach their next progress report.
        await asyncio.to_thread(job_queue.shutdown)
        bridge.detach()
        await translation_engine.close()
        runner.shutdown()
        engine.dispose()

    app = FastAPI(
        title="苗语翻译辅助服务 · Miao interpreting support",
        version=__version__,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    services = AppServices(
        settings=settings,
        database=engine,
        session_factory=make_session_factory(engine),
        evidence_store=EvidenceStore(settings.evidence_dir),
        job_runner=runner,
        translation_engine=translation_engine,
        speech_models=SpeechModels(settings),
    )
    load_task_modules()
    bridge = LoopBridge()
    task_env = TaskEnv(services, bridge)
    job_queue = install_queue(task_env)
    services.readiness_probes.update(
        {
            "jobs": lambda: {
                "ready": True,
                "runner": "in-process",
                "workers": settings.job_workers,
            },
            "job_queue": job_queue.status,
            "glossary_index": lambda: _glossary_state(services),
            # A model that fails to load leaves the service ready: translation falls back to
            # memory and gloss, and the failure is listed here.
            "translation_models": lambda: {"ready": True, **translation_engine.status()},
            "speech_models": lambda: services.speech_models.status(),
        }
    )
    # The one place the application object carries state; see api/deps.get_services.
    app.state.services = services

    install_error_handlers(app)
    openapi_document.install(app)  # every status each operation answers, as problem+json
    for router in (
        system_router,
        users_router,
        cases_router,
        evidence_router,
        documents_router,
        glossary_router,
        memory_router,
        registry_router,
        audit_router,
        jobs_router,
        translation_router,
        interviews_router,
        speech_router,
        live_speech_router,
        openai_speech_router,
        coverage_router,
        transcripts_router,
        libretranslate_router,
        *page_routers,
    ):
        app.include_router(router)
    app.mount("/static/swagger", StaticFiles(directory=SWAGGER_DIR), name="swagger")
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # Added innermost first. A request meets, in order: the security headers; the 500 of
    # an unhandled error (which keeps the connection open); the body size limit; the
    # refusal of NUL and lone surrogates (reading only bodies the limit admitted).
    app.add_middleware(TextGuardMiddleware, max_body=settings.max_body_bytes)
    app.add_middleware(
        BodyLimitMiddleware, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes
    )
    app.add_middleware(UnhandledErrorMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
