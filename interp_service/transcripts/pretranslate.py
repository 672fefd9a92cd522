"""Suggested translations of every segment through the translation pipeline, in batches
sent together so that the engine batches across segments; each with its receipt."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any

from sqlalchemy.orm import Session

from interp_service.db.session import release_connection
from interp_service.services import AppServices
from interp_service.translation.pipeline import Request
from interp_service.translation.receipts import TranslationResult
from interp_service.translation.service import context_for, run

BATCH = 64
"""Segments sent to the pipeline at once (its sentences reach the engine together)."""


def provenance(result: TranslationResult | None) -> str:
    """memory / model / gloss / none for a whole segment: its least certain sentence."""
    if result is None or not result.sentences:
        return "none"
    paths = result.paths
    if "gloss" in paths:
        return "gloss"
    if "model" in paths:
        return "model"
    return "memory"


def suggest_all(
    services: AppServices,
    session: Session,
    requests: list[Request],
    run_async: Callable[[Coroutine[Any, Any, list[TranslationResult | None]]], Any],
    progress: Callable[[int, int], None],
) -> list[TranslationResult | None]:
    """One result per request (None for an empty text), in order; `progress(done, total)`
    after each batch."""
    ctx = context_for(services, session)
    release_connection(session)
    results: list[TranslationResult | None] = []

    async def batch(chunk: list[Request]) -> list[TranslationResult | None]:
        async def one(request: Request) -> TranslationResult | None:
            if not request.text.strip():
                return None
            return await run(ctx, request)

        return list(await asyncio.gather(*(one(r) for r in chunk)))

    for start in range(0, len(requests), BATCH):
        chunk = requests[start : start + BATCH]
        results.extend(run_async(batch(chunk)))
        progress(len(results), len(requests))
    return results
