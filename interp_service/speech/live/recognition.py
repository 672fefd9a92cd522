"""Live recognition, one utterance at a time per stream, off the event loop: partials in
one greedy pass, finals decoded as recordings are and conditioned on the stream's earlier
finals."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

import numpy as np
from fastapi.concurrency import run_in_threadpool

from interp_service.engine.speech.types import Recognition
from interp_service.speech.context import Context
from interp_service.speech.live.utterances import Utterance
from interp_service.speech.models import SpeechModels
from interp_service.speech.pipeline import classify, decode, in_simplified

logger = logging.getLogger(__name__)


def recognise(
    models: SpeechModels, samples: np.ndarray, prompt: str, *, final: bool, previous: str = ""
) -> Recognition:
    """Whisper behind its language gate, text in simplified characters (None when gated)."""
    return in_simplified(decoded(models, samples, prompt, final=final, previous=previous))


def decoded(
    models: SpeechModels, samples: np.ndarray, prompt: str, *, final: bool, previous: str = ""
) -> Recognition:
    """Whisper's own text for an utterance, conditioned on `previous` (the stream's earlier
    finals, see `Context`). Finals decode as recordings do (`pipeline.decoding`); partials
    in one greedy pass."""
    return decode(models, samples, prompt, previous, final=final, word_timestamps=False)


def final_message(utterance: Utterance, recognition: Recognition) -> dict[str, Any]:
    kind = classify(recognition)
    return {
        "type": "final",
        "utterance": utterance.number,
        "text": recognition.text,
        "kind": kind,
        "start_s": round(utterance.start_s, 3),
        "end_s": round(utterance.end_s, 3),
        "language_unconfirmed": kind == "unconfirmed",
        "detected_language": recognition.language,
    }


Send = Callable[[dict[str, Any]], Awaitable[None]]


class Recogniser:
    """Runs recognitions for one stream off the event loop, in order. Finals always run;
    a partial is taken only when nothing is running or waiting."""

    def __init__(self, models: SpeechModels, prompt: str, send: Send) -> None:
        self._models = models
        self._prompt = prompt
        self._send = send
        self._queue: asyncio.Queue[Utterance | None] = asyncio.Queue()
        self._running = False
        self._context = Context(enabled=models.settings.asr_condition_on_previous)
        """The stream's earlier finals as Whisper wrote them: what the next one is
        conditioned on, as spans of a recording are."""
        self.counts: Counter[str] = Counter()
        self.task = asyncio.create_task(self._run())

    @property
    def busy(self) -> bool:
        return self._running or not self._queue.empty()

    def offer(self, utterance: Utterance) -> None:
        if utterance.final or not self.busy:
            self._queue.put_nowait(utterance)
        else:
            self.counts["partials_skipped"] += 1

    async def _run(self) -> None:
        while (utterance := await self._queue.get()) is not None:
            self._running = True
            try:
                raw = await run_in_threadpool(
                    decoded,
                    self._models,
                    utterance.samples,
                    self._prompt,
                    final=utterance.final,
                    previous=self._context.text,
                )
            except Exception:
                logger.exception("live recognition failed")
                self.counts["failures"] += 1
                if utterance.final:
                    await self._send({"type": "error", "message": "本句识别失败"})
                self._running = False
                continue
            result = in_simplified(raw)
            try:
                if utterance.final:
                    self._context.update(raw)
                    message = final_message(utterance, result)
                    self.counts["finals"] += 1
                    self.counts[message["kind"]] += 1
                    await self._send(message)
                elif result.text:
                    self.counts["partials"] += 1
                    await self._send(
                        {"type": "partial", "utterance": utterance.number, "text": result.text}
                    )
            finally:
                self._running = False

    async def drain(self) -> None:
        """Wait for every queued recognition to be sent."""
        self._queue.put_nowait(None)
        await self.task

    def cancel(self) -> None:
        self.task.cancel()
