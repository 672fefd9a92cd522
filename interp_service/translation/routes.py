"""The translation API: a batch of texts, a streaming variant for long text (NDJSON), and
language detection. Every answer carries a receipt per sentence."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from interp_service.api.access import SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, get_services
from interp_service.cases.access import require_visible_case
from interp_service.db.session import release_connection
from interp_service.engine.errors import EngineError
from interp_service.errors import DeadlineExceeded, NotFound, Overloaded
from interp_service.interviews.service import get_interview
from interp_service.translation import langid
from interp_service.translation.pipeline import Request as PipelineRequest
from interp_service.translation.pipeline import TranslationContext, stream
from interp_service.translation.schemas import (
    DetectIn,
    DetectOut,
    StreamLine,
    TranslateBatch,
    TranslateBatchOut,
    TranslateStream,
)
from interp_service.translation.service import check_request, context_for, run_all

router = APIRouter(prefix="/api/v1", tags=["translation"])


def check_case_scope(
    db: Session, me: Principal, case_id: int | None, interview_id: int | None
) -> None:
    """A translation made for a case needs the caller to be on it (404 otherwise)."""
    if case_id is None:
        if interview_id is not None:
            raise NotFound("询问记录不存在", field="interview_id")
        return
    require_visible_case(db, me.user, case_id, field="case_id")
    if interview_id is not None:
        try:
            get_interview(db, case_id, interview_id)
        except NotFound:
            raise NotFound("询问记录不存在", field="interview_id") from None


def _prepare(
    request: Request, db: Session, me: Principal, case_id: int | None, interview_id: int | None
) -> TranslationContext:
    check_case_scope(db, me, case_id, interview_id)
    ctx = context_for(get_services(request), db)
    release_connection(db)
    return ctx


@router.post("/translate")
async def translate_batch(
    body: TranslateBatch,
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> TranslateBatchOut:
    settings = get_services(request).settings
    asks = [
        PipelineRequest(
            text,
            body.source_language,
            body.target_language,
            body.target_variety,
            body.use_memory,
            body.use_model,
        )
        for text in body.texts
    ]
    for ask in asks:
        check_request(ask, settings)
    ctx = await run_in_threadpool(_prepare, request, db, me, body.case_id, body.interview_id)
    results = await run_all(ctx, asks)
    return TranslateBatchOut(results=results, glossary_release=ctx.glossary.release)


@router.post("/translate/stream")
async def translate_stream(
    body: TranslateStream,
    request: Request,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> StreamingResponse:
    """NDJSON: one line per sentence in order, then `{"done": true, "sentences": n}`. An
    engine error after the first line ends the stream with a line holding the problem."""
    settings = get_services(request).settings
    ask = PipelineRequest(
        body.text, body.source_language, body.target_language, body.target_variety
    )
    check_request(ask, settings.model_copy(update={"translate_max_chars": 10_000_000}))
    ctx = await run_in_threadpool(_prepare, request, db, me, body.case_id, body.interview_id)

    async def lines() -> AsyncIterator[bytes]:
        count = 0
        try:
            async for sentence in stream(ctx, ask):
                yield StreamLine(index=count, sentence=sentence).model_dump_json().encode() + b"\n"
                count += 1
        except (Overloaded, DeadlineExceeded, EngineError) as exc:
            # The status line is already sent, so the stream itself reports the failure.
            line = StreamLine(index=count, done=True, error=str(exc) or type(exc).__name__)
            yield line.model_dump_json().encode() + b"\n"
            return
        yield StreamLine(index=count, done=True, sentences=count).model_dump_json().encode() + b"\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.post("/detect")
def detect_language(body: DetectIn, _: Principal = require(SIGNED_IN)) -> DetectOut:
    guess = langid.identify(body.text)
    return DetectOut(language=guess.language, confidence=guess.confidence, scores=guess.scores)
