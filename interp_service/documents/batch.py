"""Translating a document's paragraph texts through the translation pipeline, many at once
so that the engine batches them, without flooding its queue.

A paragraph is cut into pieces at sentence ends (`translation.sentences`): at most
`SENTENCES_PER_PIECE` sentences and `max_chars` characters per piece (the API's limit per
text), a single longer sentence cut at `max_chars`. At most `PIECES_IN_FLIGHT` pieces are
in the pipeline at a time, so at most 16 × 8 = 128 sentences wait in the engine for one
document, half its default queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from interp_service.documents.docx_translate import Rendering
from interp_service.documents.provenance import provenance_of
from interp_service.translation.pipeline import Request, TranslationContext
from interp_service.translation.receipts import TranslationResult
from interp_service.translation.sentences import split_sentences
from interp_service.translation.service import run

SOURCE_LANGUAGE = "cmn"
PIECES_IN_FLIGHT = 16
SENTENCES_PER_PIECE = 8


def pieces_of(text: str, max_chars: int, language: str = SOURCE_LANGUAGE) -> list[str]:
    """`text` cut at sentence ends into pieces of at most `max_chars` characters and
    `SENTENCES_PER_PIECE` sentences; a text within both limits is one piece."""
    spans = split_sentences(text, language)
    if len(text) <= max_chars and len(spans) <= SENTENCES_PER_PIECE:
        return [text]
    pieces: list[str] = []
    start: int | None = None
    end = count = 0
    for span in spans:
        if start is not None and (span.end - start > max_chars or count == SENTENCES_PER_PIECE):
            pieces.append(text[start:end])
            start = None
        if start is None:
            start, count = span.start, 0
        end = span.end
        count += 1
        while end - start > max_chars:  # one sentence longer than the limit alone
            pieces.append(text[start : start + max_chars])
            start += max_chars
            count = 0
    if start is not None and end > start:
        pieces.append(text[start:end])
    return [p for p in pieces if p.strip()]


async def _all_or_nothing(
    awaitables: list[Awaitable[TranslationResult]],
) -> list[TranslationResult]:
    """Await them together; on the first error the rest are cancelled, not left running."""
    tasks = [asyncio.ensure_future(a) for a in awaitables]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        raise


async def translate_texts(
    ctx: TranslationContext,
    texts: list[str],
    target_language: str,
    target_variety: str,
    max_chars: int,
) -> list[Rendering]:
    """One Rendering per text, in order; the service's errors (503 engine busy, 504 past
    the deadline) come through unchanged."""
    gate = asyncio.Semaphore(PIECES_IN_FLIGHT)

    async def piece(text: str) -> TranslationResult:
        async with gate:
            return await run(ctx, Request(text, SOURCE_LANGUAGE, target_language, target_variety))

    cut = [pieces_of(text, max_chars) for text in texts]
    results = await _all_or_nothing([piece(p) for pieces in cut for p in pieces])
    joiner = "" if target_language == SOURCE_LANGUAGE else " "
    renderings: list[Rendering] = []
    at = 0
    for pieces in cut:
        mine, at = results[at : at + len(pieces)], at + len(pieces)
        provenance = provenance_of(mine)
        text = "" if provenance == "none" else joiner.join(r.output for r in mine)
        renderings.append(Rendering(text, provenance))
    return renderings
