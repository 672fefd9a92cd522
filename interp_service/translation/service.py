"""Gathering what a translation reads (glossary, segmenter, memory, engine) and running the
pipeline with the service's error rules: a full queue → 503, past the deadline → 504."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from sqlalchemy.orm import Session

from interp_service.config import Settings
from interp_service.engine.errors import EngineOverloaded, EngineTimeout
from interp_service.errors import DeadlineExceeded, Overloaded, ValidationFailed
from interp_service.glossary.search.searching import index_for
from interp_service.memory.lookup import memory_index_for
from interp_service.services import AppServices
from interp_service.translation.pipeline import (
    Request,
    TranslationContext,
    translate,
    translate_all,
)
from interp_service.translation.receipts import TranslationResult
from interp_service.translation.segment import glossary_segmenter

SUPPORTED = {"cmn", "mmr", "muq", "eng"}


def context_for(services: AppServices, session: Session) -> TranslationContext:
    """Read the current indexes (cheap when nothing changed). Runs in a worker thread; the
    caller then ends its read transaction (`release_connection`), so no database
    connection is held while the engine works."""
    settings = services.settings
    glossary = index_for(services.glossary_index, session)
    ctx = TranslationContext(
        glossary=glossary,
        # One segmenter per glossary release (its Chinese terms are jieba words).
        segmenter=services.segmenter.get(glossary.release, lambda: glossary_segmenter(glossary)),
        memory=memory_index_for(services.memory_index, session),
        models=services.translation_engine,
        fuzzy_threshold=settings.memory_fuzzy_threshold,
        timeout_s=settings.translate_timeout_s,
        beam_size=settings.mt_beam_size,
    )
    return ctx


def check_request(request: Request, settings: Settings) -> None:
    for field, language in (
        ("source_language", request.source_language),
        ("target_language", request.target_language),
    ):
        if language not in SUPPORTED:
            raise ValidationFailed(f"不支持的语言代码：{language}", field=field)
    if request.source_language == request.target_language:
        raise ValidationFailed("源语言与目标语言相同", field="target_language")
    if len(request.text) > settings.translate_max_chars:
        raise ValidationFailed(
            f"文本过长（上限 {settings.translate_max_chars} 字），请分段提交", field="text"
        )


@asynccontextmanager
async def service_errors() -> AsyncIterator[None]:
    """Engine errors turned into the service's: a full queue → 503, past the deadline → 504."""
    try:
        yield
    except EngineOverloaded as exc:
        raise Overloaded(
            "翻译引擎繁忙，请稍后重试", retry_after=max(1, round(exc.retry_after_s))
        ) from None
    except EngineTimeout:
        raise DeadlineExceeded("翻译超时，请缩短文本或稍后重试") from None


async def run(ctx: TranslationContext, request: Request) -> TranslationResult:
    """The pipeline with engine errors turned into the service's errors."""
    async with service_errors():
        return await translate(ctx, request)


async def run_all(ctx: TranslationContext, requests: Sequence[Request]) -> list[TranslationResult]:
    """Several texts at once (`pipeline.translate_all`), results in order, with the same
    errors as `run`: the first failing text's."""
    async with service_errors():
        return await translate_all(ctx, requests)
