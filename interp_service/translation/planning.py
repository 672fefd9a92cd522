"""The CPU part of a translation, meant for a worker thread: normalise, split into sentences
and, per sentence, segment words, recognise glossary terms, look up approved memory and,
when no model can serve the pair, make the lexical gloss. A sentence left for the model is
`Pending`, its glossary terms already protected; `pipeline` awaits the model for those.

Pure of web, database and event-loop concerns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from interp_service.glossary.search.match_records import Match
from interp_service.glossary.search.searching import GlossaryIndex
from interp_service.translation.gloss import gloss_sentence
from interp_service.translation.normalise import normalise
from interp_service.translation.receipts import (
    PATH_LABELS,
    MemorySource,
    SentenceReceipt,
    SentenceResult,
)
from interp_service.translation.segment import Segmenter, Token
from interp_service.translation.sentences import Span, split_sentences
from interp_service.translation.terms import Protected, protect, source_terms, terms_in_output


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


@dataclass
class Pending:
    """A sentence no memory entry answers, left for the promoted model (or, when it turns
    out not to load, the gloss). `offset` is in characters of the normalised text."""

    sentence: str
    offset: int
    words: list[Token]
    matches: list[Match]
    protected: Protected


Planned = SentenceResult | Pending


@dataclass
class Plan:
    """One text: normalised, and its sentences in order, answered or pending."""

    request: Request
    text: str
    sentences: list[Planned]


def split(request: Request) -> tuple[str, list[Span]]:
    """The normalised text and its sentences."""
    text = normalise(request.text, request.source_language)
    return text, split_sentences(text, request.source_language)


def plan(ctx: TranslationContext, request: Request) -> Plan:
    """Everything of `request` that needs no model."""
    text, spans = split(request)
    return Plan(request, text, plan_sentences(ctx, request, spans))


def plan_many(ctx: TranslationContext, requests: Sequence[Request]) -> list[Plan]:
    return [plan(ctx, r) for r in requests]


def model_may_serve(ctx: TranslationContext, request: Request) -> bool:
    """Whether a model is promoted for the pair and wanted (it may still fail to load)."""
    return (
        request.use_model
        and ctx.models is not None
        and ctx.models.promoted(request.source_language, request.target_language) is not None
    )


def plan_sentences(ctx: TranslationContext, request: Request, spans: list[Span]) -> list[Planned]:
    """Per sentence, the first path that answers without a model: approved memory, or the
    gloss when no model is promoted; otherwise `Pending`."""
    src, tgt, variety = request.source_language, request.target_language, request.target_variety
    for_model = model_may_serve(ctx, request)
    out: list[Planned] = []
    for span in spans:
        sentence, offset = span.text, span.start
        words = ctx.segmenter.words(sentence, src)
        matches = source_terms(ctx.glossary, sentence, src, words)
        remembered = _from_memory(ctx, request, sentence, offset, matches)
        if remembered is not None:
            out.append(remembered)
        elif for_model:
            protected = protect(ctx.glossary, sentence, matches, tgt, variety)
            out.append(Pending(sentence, offset, words, matches, protected))
        else:
            out.append(glossed(ctx, request, sentence, offset, words, matches))
    return out


def receipt_base(ctx: TranslationContext, sentence: str, offset: int) -> dict[str, Any]:
    return {
        "source_start": offset,
        "source_end": offset + len(sentence),
        "glossary_release": ctx.glossary.release,
    }


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


def _from_memory(
    ctx: TranslationContext, request: Request, sentence: str, offset: int, matches: list[Match]
) -> SentenceResult | None:
    """The approved memory's answer (exact, then fuzzy), or None."""
    if ctx.memory is None or not request.use_memory:
        return None
    src, tgt, variety = request.source_language, request.target_language, request.target_variety
    hit = ctx.memory.exact(sentence, src, tgt, variety)
    path = "memory-exact"
    if hit is None:
        fuzzy = ctx.memory.fuzzy(sentence, src, tgt, variety, threshold=ctx.fuzzy_threshold)
        hit = fuzzy[0] if fuzzy else None
        path = "memory-fuzzy"
    if hit is None:
        return None
    output = hit.target_text
    receipt = SentenceReceipt(
        path=path,
        label=PATH_LABELS[path],
        memory=_memory_source(hit),
        terms=terms_in_output(ctx.glossary, matches, output, tgt, variety),
        flags=[] if path == "memory-exact" else ["interpreter-required"],
        **receipt_base(ctx, sentence, offset),
    )
    return SentenceResult(source=sentence, output=output, receipt=receipt)


def glossed(
    ctx: TranslationContext,
    request: Request,
    sentence: str,
    offset: int,
    words: list[Token],
    matches: list[Match],
    flags: Sequence[str] = (),
) -> SentenceResult:
    """The word-by-word gloss, labelled *interpreter required*; `flags` are added."""
    output, tokens, fired, gloss_flags = gloss_sentence(
        ctx.glossary,
        sentence,
        words,
        matches,
        request.source_language,
        request.target_language,
        request.target_variety,
    )
    receipt = SentenceReceipt(
        path="gloss",
        label=PATH_LABELS["gloss"],
        terms=fired,
        gloss=tokens,
        flags=gloss_flags + list(flags),
        **receipt_base(ctx, sentence, offset),
    )
    return SentenceResult(source=sentence, output=output, receipt=receipt)


def gloss_pending(
    ctx: TranslationContext, request: Request, pending: Sequence[Pending], flags: Sequence[str]
) -> list[SentenceResult]:
    """The gloss of sentences the model was to translate but cannot."""
    return [glossed(ctx, request, p.sentence, p.offset, p.words, p.matches, flags) for p in pending]
