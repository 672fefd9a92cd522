"""Recording an exchange: translate what was said, then store it with the suggestion and
its receipt. Shared by the API and the interview page."""

from __future__ import annotations

from typing import Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from interp_service.interviews import service
from interp_service.interviews.orm import Exchange
from interp_service.interviews.schemas import ExchangeCreate
from interp_service.translation.pipeline import Request as PipelineRequest
from interp_service.translation.pipeline import TranslationContext
from interp_service.translation.service import check_request, context_for, run
from interp_service.users.orm import User


async def record_exchange(
    app: Any, db: Session, user: User, case_id: int, interview_id: int, body: ExchangeCreate
) -> Exchange:
    """Translate `body.text` (database work off the event loop) and append the exchange."""
    ask = PipelineRequest(
        body.text, body.source_language, body.target_language, body.target_variety
    )
    check_request(ask, app.state.settings)

    def prepare() -> TranslationContext:
        interview = service.get_interview(db, case_id, interview_id)
        service.check_open(interview)
        service.check_direction(db, interview, body)
        return context_for(app, db)

    ctx = await run_in_threadpool(prepare)
    result = await run(ctx, ask)

    def store() -> Exchange:
        interview = service.get_interview(db, case_id, interview_id)
        exchange = service.add_exchange(db, user, interview, body, result)
        db.commit()
        return exchange

    return await run_in_threadpool(store)
