"""Gathering what a translation reads (glossary, segmenter, memory, engine) and running the
pipeline with the service's error rules: a full queue → 503, past the deadline → 504."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy.orm import Session

from interp_service.config import Settings
from interp_service.engine.errors import EngineOverloaded, EngineTimeout
from interp_service.errors import DeadlineExceeded, Overloaded, ValidationFailed
from interp_service.glossary.searching import GlossaryIndex, index_for
from interp_service.memory.lookup import memory_index_for
from interp_service.translation.pipeline import Request, TranslationContext, translate
from interp_service.translation.receipts import TranslationResult
from interp_service.translation.segment import Segmenter, glossary_segmenter

SUPPORTED = {"cmn", "mmr", "muq", "eng"}
_segmenter_lock = threading.Lock()


def segmenter_for(app: Any, glossary: GlossaryIndex) -> Segmenter:
    """One segmenter per glossary release (its Chinese terms are jieba words)."""
    cached: tuple[int, Segmenter] | None = getattr(app.state, "segmenter", None)
    if cached is None or cached[0] != glossary.release:
        with _segmenter_lock:
            cached = getattr(app.state, "segmenter", None)
            if cached is None or cached[0] != glossary.release:
                cached = (glossary.release, glossary_segmenter(glossary))
                app.state.segmenter = cached
    return cached[1]


def context_for(app: Any, session: Session) -> TranslationContext:
    """Read the current indexes (cheap when nothing changed), then end the session's read
    transaction, so no database connection is held while the engine works. Runs in a
    worker thread; the caller's earlier reads are committed with it (it writes nothing)."""
    settings: Settings = app.state.settings
    glossary = index_for(app, session)
    ctx = TranslationContext(
        glossary=glossary,
        segmenter=segmenter_for(app, glossary),
        memory=memory_index_for(app, session),
        models=getattr(app.state, "translation_engine", None),
        fuzzy_threshold=settings.memory_fuzzy_threshold,
        timeout_s=settings.translate_timeout_s,
        beam_size=settings.mt_beam_size,
    )
    session.commit()
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


async def run(ctx: TranslationContext, request: Request) -> TranslationResult:
    """The pipeline with engine errors turned into the service's errors."""
    try:
        return await translate(ctx, request)
    except EngineOverloaded as exc:
        raise Overloaded(
            "翻译引擎繁忙，请稍后重试", retry_after=max(1, round(exc.retry_after_s))
        ) from None
    except EngineTimeout:
        raise DeadlineExceeded("翻译超时，请缩短文本或稍后重试") from None
