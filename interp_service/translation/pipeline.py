"""The translation pipeline: normalise → split into sentences → per sentence, approved
memory (exact, then fuzzy) → a promoted model with enforced glossary terms → the lexical
gloss. Every sentence comes back with a receipt saying which path produced it.

Pure of web and database concerns: the caller gathers the indexes (`TranslationContext`)
inside a database session and then awaits `translate` (or `translate_all` for several
texts) on the event loop. The CPU work (`planning`: segmentation, term recognition, memory
lookup, gloss) runs in a worker thread, so one request's sentences never stall the loop;
only the model's sentences are awaited on it, all of a request's texts together so that
the engine batches them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Sequence
from typing import Any, TypeVar

from interp_service.translation.planning import (
    MemoryLookup,
    ModelProvider,
    Pending,
    Plan,
    Planned,
    Request,
    TranslationContext,
    gloss_pending,
    plan,
    plan_many,
    plan_sentences,
    receipt_base,
    split,
)
from interp_service.translation.receipts import (
    PATH_LABELS,
    ModelSource,
    SentenceReceipt,
    SentenceResult,
    TranslationResult,
)
from interp_service.translation.terms import restore, terms_in_output

__all__ = [
    "MemoryLookup",
    "ModelProvider",
    "Request",
    "TEXTS_IN_FLIGHT",
    "TranslationContext",
    "stream",
    "translate",
    "translate_all",
]

TEXTS_IN_FLIGHT = 64
"""Texts of one `translate_all` call awaiting the model at once (a batch request's all)."""

T = TypeVar("T")


async def translate(ctx: TranslationContext, request: Request) -> TranslationResult:
    """Translate a text sentence by sentence; sentences go to the model concurrently so that
    the engine can batch them."""
    await _pick_up_promotions(ctx)
    return await _finish(ctx, await asyncio.to_thread(plan, ctx, request))


async def translate_all(
    ctx: TranslationContext, requests: Sequence[Request], in_flight: int = TEXTS_IN_FLIGHT
) -> list[TranslationResult]:
    """Several texts, results in order: planned in one worker-thread call, then at most
    `in_flight` texts await the model at once. The first failing text (in order, of those
    failed when the failure is seen) raises its error; the others are cancelled."""
    await _pick_up_promotions(ctx)
    plans = await asyncio.to_thread(plan_many, ctx, list(requests))
    gate = asyncio.Semaphore(max(1, in_flight))

    async def one(planned: Plan) -> TranslationResult:
        async with gate:
            return await _finish(ctx, planned)

    return await all_or_first_error([one(p) for p in plans])


async def all_or_first_error(awaitables: Sequence[Awaitable[T]]) -> list[T]:
    """Await them together, results in order; on a failure the rest are cancelled and the
    earliest failed one (in order) raises."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error
    return [task.result() for task in tasks]


async def stream(
    ctx: TranslationContext, request: Request, window: int = 16
) -> AsyncIterator[SentenceResult]:
    """Sentences in order, each as soon as it and those before it are done; at most `window`
    sentences are in flight, so a long text does not fill the engine's queue alone."""
    await _pick_up_promotions(ctx)
    _text, spans = await asyncio.to_thread(split, request)
    pending: list[asyncio.Task[SentenceResult]] = []
    try:
        for start in range(0, len(spans), window):
            chunk = spans[start : start + window]
            for item in await asyncio.to_thread(plan_sentences, ctx, request, chunk):
                pending.append(asyncio.ensure_future(_complete(ctx, request, [item])))
                if len(pending) >= window:
                    yield await pending.pop(0)
        while pending:
            yield await pending.pop(0)
    finally:
        for task in pending:
            task.cancel()


async def _pick_up_promotions(ctx: TranslationContext) -> None:
    """A model promoted by another process (the CLI) is served without a restart."""
    if ctx.models is not None:
        await ctx.models.refresh_if_changed()


async def _finish(ctx: TranslationContext, planned: Plan) -> TranslationResult:
    request = planned.request
    done = await _complete_all(ctx, request, planned.sentences)
    joiner = "" if request.target_language == "cmn" else " "
    return TranslationResult(
        source_language=request.source_language,
        target_language=request.target_language,
        target_variety=request.target_variety,
        text=planned.text,
        output=joiner.join(r.output for r in done),
        sentences=done,
        glossary_release=ctx.glossary.release,
    )


async def _complete(
    ctx: TranslationContext, request: Request, items: list[Planned]
) -> SentenceResult:
    """The one sentence of `items`, completed."""
    [done] = await _complete_all(ctx, request, items)
    return done


async def _complete_all(
    ctx: TranslationContext, request: Request, items: list[Planned]
) -> list[SentenceResult]:
    """The planned sentences with the pending ones answered: by the model, concurrently,
    or, when it did not load, by the gloss (in a worker thread)."""
    waiting = [item for item in items if isinstance(item, Pending)]
    if not waiting:
        return [item for item in items if isinstance(item, SentenceResult)]
    src, tgt = request.source_language, request.target_language
    model = await ctx.models.model_for(src, tgt) if ctx.models is not None else None
    answers: list[SentenceResult]
    if model is not None:
        answers = list(await asyncio.gather(*(_by_model(ctx, request, model, p) for p in waiting)))
    else:
        promoted = ctx.models is not None and ctx.models.promoted(src, tgt) is not None
        flags = ["model-unavailable"] if promoted else []  # promoted but failed to load
        answers = await asyncio.to_thread(gloss_pending, ctx, request, waiting, flags)
    by_item = dict(zip(map(id, waiting), answers, strict=True))
    return [item if isinstance(item, SentenceResult) else by_item[id(item)] for item in items]


async def _by_model(
    ctx: TranslationContext, request: Request, model: Any, pending: Pending
) -> SentenceResult:
    """One sentence through the promoted model, its approved glossary terms enforced."""
    tgt, variety = request.target_language, request.target_variety
    protected, sentence, matches = pending.protected, pending.sentence, pending.matches
    hypotheses = await model.translate(
        protected.text,
        beam_size=ctx.beam_size,
        num_hypotheses=min(ctx.alternatives, ctx.beam_size),
        timeout_s=ctx.timeout_s,
    )
    output, terms, enforced = restore(hypotheses[0].text, protected)
    # Terms without an approved equivalent were not enforced; legal ones are listed all
    # the same, with their equivalent's span where the model happened to produce it.
    slotted = {(s.match.start, s.match.end) for s in protected.slots}
    rest = [m for m in matches if (m.start, m.end) not in slotted]
    taken = [
        (t.output_start, t.output_end)
        for t in terms
        if t.output_start is not None and t.output_end is not None
    ]
    terms = sorted(
        terms + terms_in_output(ctx.glossary, rest, output, tgt, variety, taken),
        key=lambda t: (t.source_start, t.source_end),
    )
    alternatives = [restore(h.text, protected)[0] for h in hypotheses[1:]]
    card = model.card
    receipt = SentenceReceipt(
        path="model",
        label=PATH_LABELS["model"],
        model=ModelSource(
            name=card.name,
            version=card.version,
            backend=getattr(model, "backend", "ctranslate2-int8"),
            alternatives=alternatives,
        ),
        terms=terms,
        flags=[] if enforced else ["enforcement-failed"],
        **receipt_base(ctx, pending.sentence, pending.offset),
    )
    return SentenceResult(source=sentence, output=output, receipt=receipt)
