"""The translation pipeline: normalise → split into sentences → per sentence, approved
memory (exact, then fuzzy) → a promoted model with enforced glossary terms → the lexical
gloss. Every sentence comes back with a receipt saying which path produced it.

Pure of web and database concerns: the caller gathers the indexes (`TranslationContext`)
inside a database session and then awaits `translate` on the event loop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Protocol

from interp_service.glossary.search.searching import GlossaryIndex
from interp_service.translation.gloss import gloss_sentence
from interp_service.translation.normalise import normalise
from interp_service.translation.receipts import (
    PATH_LABELS,
    MemorySource,
    ModelSource,
    SentenceReceipt,
    SentenceResult,
    TranslationResult,
)
from interp_service.translation.segment import Segmenter
from interp_service.translation.sentences import split_sentences
from interp_service.translation.terms import protect, restore, source_terms, terms_in_output


class MemoryLookup(Protocol):
    def exact(
        self, text: str, source_language: str, target_language: str, target_variety: str = ""
    ) -> Any: ...

    def fuzzy(
        self,
        text: str,
        source_language: str,
        target_language: str,
        target_variety: str = "",
        threshold: float = 75.0,
        limit: int = 3,
    ) -> list[Any]: ...


class ModelProvider(Protocol):
    async def model_for(self, source_language: str, target_language: str) -> Any: ...

    def promoted(self, source_language: str, target_language: str) -> Any: ...

    async def refresh_if_changed(self) -> object: ...  # the engine says whether it reloaded


@dataclass
class TranslationContext:
    """Everything a translation reads; built per request from the app's cached indexes."""

    glossary: GlossaryIndex
    segmenter: Segmenter
    memory: MemoryLookup | None
    models: ModelProvider | None
    fuzzy_threshold: float = 75.0
    timeout_s: float | None = 10.0
    beam_size: int = 4
    alternatives: int = 3


@dataclass(frozen=True)
class Request:
    text: str
    source_language: str
    target_language: str
    target_variety: str = ""
    use_memory: bool = True
    use_model: bool = True


async def translate(ctx: TranslationContext, request: Request) -> TranslationResult:
    """Translate a text sentence by sentence; sentences go to the model concurrently so that
    the engine can batch them."""
    await _pick_up_promotions(ctx)
    text = normalise(request.text, request.source_language)
    spans = split_sentences(text, request.source_language)
    results = await asyncio.gather(
        *(translate_sentence(ctx, request, span.text, span.start) for span in spans)
    )
    joiner = "" if request.target_language == "cmn" else " "
    return TranslationResult(
        source_language=request.source_language,
        target_language=request.target_language,
        target_variety=request.target_variety,
        text=text,
        output=joiner.join(r.output for r in results),
        sentences=list(results),
        glossary_release=ctx.glossary.release,
    )


async def stream(
    ctx: TranslationContext, request: Request, window: int = 16
) -> AsyncIterator[SentenceResult]:
    """Sentences in order, each as soon as it and those before it are done; at most `window`
    sentences are in flight, so a long text does not fill the engine's queue alone."""
    await _pick_up_promotions(ctx)
    text = normalise(request.text, request.source_language)
    spans = split_sentences(text, request.source_language)
    pending: list[asyncio.Task[SentenceResult]] = []
    try:
        for span in spans:
            pending.append(
                asyncio.ensure_future(translate_sentence(ctx, request, span.text, span.start))
            )
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


def _memory_source(hit: Any) -> MemorySource:
    approved_at = getattr(hit, "approved_at", None)
    return MemorySource(
        entry_id=hit.entry_id,
        score=float(hit.score),
        approved_by=hit.approved_by,
        approved_by_name=hit.approved_by_name or "",
        approved_at=approved_at.isoformat() if approved_at is not None else None,
        origin=hit.origin,
        entry_source=hit.source_text,
        differences=[tuple(d) for d in getattr(hit, "differences", [])],
    )


async def translate_sentence(
    ctx: TranslationContext, request: Request, sentence: str, offset: int
) -> SentenceResult:
    """One sentence through the paths, first that answers wins."""
    src, tgt, variety = request.source_language, request.target_language, request.target_variety
    words = ctx.segmenter.words(sentence, src)
    matches = source_terms(ctx.glossary, sentence, src, words)
    base: dict[str, Any] = {
        "source_start": offset,
        "source_end": offset + len(sentence),
        "glossary_release": ctx.glossary.release,
    }
    flags: list[str] = []

    if ctx.memory is not None and request.use_memory:
        hit = ctx.memory.exact(sentence, src, tgt, variety)
        path = "memory-exact"
        if hit is None:
            fuzzy = ctx.memory.fuzzy(sentence, src, tgt, variety, threshold=ctx.fuzzy_threshold)
            hit = fuzzy[0] if fuzzy else None
            path = "memory-fuzzy"
        if hit is not None:
            output = hit.target_text
            receipt = SentenceReceipt(
                path=path,
                label=PATH_LABELS[path],
                memory=_memory_source(hit),
                terms=terms_in_output(ctx.glossary, matches, output, tgt, variety),
                flags=[] if path == "memory-exact" else ["interpreter-required"],
                **base,
            )
            return SentenceResult(source=sentence, output=output, receipt=receipt)

    model = None
    if ctx.models is not None and request.use_model:
        model = await ctx.models.model_for(src, tgt)
        if model is None and ctx.models.promoted(src, tgt) is not None:
            flags.append("model-unavailable")  # promoted but failed to load
    if model is not None:
        protected = protect(ctx.glossary, sentence, matches, tgt, variety)
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
            **base,
        )
        return SentenceResult(source=sentence, output=output, receipt=receipt)

    output, tokens, fired, gloss_flags = gloss_sentence(
        ctx.glossary, sentence, words, matches, src, tgt, variety
    )
    receipt = SentenceReceipt(
        path="gloss",
        label=PATH_LABELS["gloss"],
        terms=fired,
        gloss=tokens,
        flags=gloss_flags + flags,
        **base,
    )
    return SentenceResult(source=sentence, output=output, receipt=receipt)
