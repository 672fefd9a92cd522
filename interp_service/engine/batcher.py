"""Micro-batching of translation requests for one loaded model.

Requests wait in a bounded queue; a batch is cut when it reaches ``max_batch_size``
sentences or ``max_batch_tokens`` tokens, or when its oldest request has waited
``max_wait_s`` seconds. Only requests with the same search options share a batch; inside
a batch, sentences are sorted by length. Each replica (one translator instance, normally
one CPU thread) has its own worker thread, so inference never runs on the event loop;
all replicas take their batches from the one queue; when several replicas are idle, the
waiting requests are shared out among them, and when all are idle a request is due at once
(``max_wait_s`` only gathers requests while another batch is running).
Every accepted request gets exactly one answer: its hypotheses, EngineTimeout,
EngineError (the translator failed) or EngineClosed.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from interp_service.engine.backends import Hypothesis, Translator, check_options
from interp_service.engine.errors import EngineClosed, EngineError, EngineOverloaded, EngineTimeout
from interp_service.engine.options import DEFAULT_BATCHING, BatchingOptions
from interp_service.engine.request_queue import Request, RequestQueue


@dataclass(frozen=True)
class BatcherStats:
    """A snapshot: queue depth and in-flight counts in requests, durations in seconds."""

    queue_depth: int
    in_flight: int
    replicas: int
    busy_replicas: int
    batches: int
    requests: int
    mean_batch_size: float
    mean_batch_s: float
    rejected: int
    timed_out: int
    failed: int


class MicroBatcher:
    """Batches concurrent ``translate`` calls onto ``translators`` (one per replica).

    ``options`` sets the queue bound and where batches are cut (its ``replicas`` is the
    Engine's business: the batcher runs one worker per translator it is given);
    ``max_batch_tokens`` counts ``length_fn`` of each text (characters by default, the
    tokenizer's count when given); ``max_length`` caps each output in tokens. Call
    ``start()`` inside the event loop (the first ``translate`` does it too) and
    ``await close()`` at the end.
    """

    def __init__(
        self,
        translators: Sequence[Translator],
        options: BatchingOptions = DEFAULT_BATCHING,
        *,
        max_length: int = 256,
        min_length: int = 0,
        length_fn: Callable[[str], int] = len,
        name: str = "model",
    ) -> None:
        if not translators:
            raise ValueError("need at least one translator")
        self._translators = list(translators)
        self.options = options
        self.queue_size = options.queue_size
        self.max_length = max_length
        self.min_length = min_length
        self._length_fn = length_fn
        self.name = name
        self._queue = RequestQueue(
            max_batch_size=options.max_batch_size,
            max_batch_tokens=options.max_batch_tokens,
            max_wait_s=options.max_wait_s,
        )
        self._arrived: asyncio.Event | None = None
        self._forming: asyncio.Lock | None = None
        self._workers: list[asyncio.Task[None]] = []
        self._executors: list[ThreadPoolExecutor] = []
        self._closing = False
        self._busy = 0
        self._in_flight = 0
        self._batches = 0
        self._requests = 0
        self._batch_seconds = 0.0
        self._ema_batch_s = 0.0
        self._rejected = 0
        self._timed_out = 0
        self._failed = 0

    # -- life cycle -----------------------------------------------------------------------

    def start(self) -> None:
        """Start one worker (task + dedicated thread) per replica; idempotent."""
        if self._workers:
            return
        if self._closing:
            raise EngineClosed(f"{self.name}: closed")
        self._arrived = asyncio.Event()
        self._forming = asyncio.Lock()
        for i, translator in enumerate(self._translators):
            executor = ThreadPoolExecutor(1, thread_name_prefix=f"engine-{self.name}-{i}")
            self._executors.append(executor)
            self._workers.append(asyncio.create_task(self._worker(translator, executor)))

    async def close(self, *, drain: bool = False) -> None:
        """Stop accepting requests. With ``drain`` the queued requests are still translated;
        without, they fail with EngineClosed. Batches already running finish either way."""
        self._closing = True
        if not drain:
            self._queue.fail_all(self._closed_error)
        if self._arrived is not None:
            self._arrived.set()
        workers, self._workers = self._workers, []
        if workers:
            await asyncio.gather(*workers, return_exceptions=True)
        self._queue.fail_all(self._closed_error)  # only if the workers died
        for executor in self._executors:
            executor.shutdown(wait=False)
        self._executors = []

    def _closed_error(self) -> EngineError:
        return EngineClosed(f"{self.name}: closed")

    @property
    def closed(self) -> bool:
        """True once ``close`` has been called."""
        return self._closing

    # -- requests -------------------------------------------------------------------------

    async def translate(
        self,
        text: str,
        *,
        beam_size: int = 1,
        num_hypotheses: int = 1,
        timeout_s: float | None = None,
    ) -> list[Hypothesis]:
        """Translate one text; returns its ``num_hypotheses`` best hypotheses, best first.

        ``timeout_s`` (seconds) bounds the whole wait: past it, EngineTimeout, and a request
        still queued is dropped rather than computed. A full queue raises EngineOverloaded
        at once. ValueError on impossible search options.
        """
        check_options(beam_size, num_hypotheses, self.max_length, self.min_length)
        if self._closing:
            raise EngineClosed(f"{self.name}: closed")
        if timeout_s is not None and timeout_s <= 0:
            self._timed_out += 1
            raise EngineTimeout(f"{self.name}: deadline passed before queueing")
        self.start()
        loop = asyncio.get_running_loop()
        now = loop.time()
        if len(self._queue) >= self.queue_size:
            self._timed_out += self._queue.purge(now, self.name)
            if len(self._queue) >= self.queue_size:
                self._rejected += 1
                raise EngineOverloaded(
                    f"{self.name}: {len(self._queue)} requests waiting", self.retry_after_s()
                )
        request = Request(
            text=text,
            options=(beam_size, num_hypotheses),
            cost=max(1, self._length_fn(text)),
            future=loop.create_future(),
            enqueued=now,
            deadline=None if timeout_s is None else now + timeout_s,
        )
        self._queue.append(request)
        assert self._arrived is not None
        self._arrived.set()
        if timeout_s is None:
            return await request.future
        try:
            async with asyncio.timeout(timeout_s):
                return await request.future  # on timeout the future is cancelled: skipped
        except TimeoutError:
            self._timed_out += 1
            raise EngineTimeout(f"{self.name}: no result within {timeout_s:.3f} s") from None

    def retry_after_s(self) -> float:
        """Seconds after which a rejected request may find room: the time to run the
        queued batches at the recent mean batch duration (1 s before any batch ran)."""
        if self._ema_batch_s <= 0:
            return 1.0
        per_round = self._queue.max_batch_size * len(self._translators)
        rounds = math.ceil(len(self._queue) / per_round)
        return max(0.05, round(rounds * self._ema_batch_s, 3))

    def stats(self) -> BatcherStats:
        """Counters since start."""
        return BatcherStats(
            queue_depth=self._queue.live(),
            in_flight=self._in_flight,
            replicas=len(self._translators),
            busy_replicas=self._busy,
            batches=self._batches,
            requests=self._requests,
            mean_batch_size=self._requests / self._batches if self._batches else 0.0,
            mean_batch_s=self._batch_seconds / self._batches if self._batches else 0.0,
            rejected=self._rejected,
            timed_out=self._timed_out,
            failed=self._failed,
        )

    # -- workers --------------------------------------------------------------------------

    async def _next_batch(self) -> list[Request] | None:
        """Wait for a batch to be due and take it from the queue; None once closed and empty."""
        assert self._arrived is not None
        loop = asyncio.get_running_loop()
        while True:
            self._timed_out += self._queue.purge(loop.time(), self.name)
            # With every replica idle nothing is running that could bring more requests
            # soon: what waits is due at once (a lone request does not wait max_wait_s).
            wait = self._queue.wait_s(loop.time(), self._closing or self._busy == 0)
            if wait <= 0:
                return self._queue.take(idle_replicas=len(self._translators) - self._busy)
            if wait == math.inf and self._closing:
                return None
            self._arrived.clear()
            try:
                async with asyncio.timeout(None if wait == math.inf else wait):
                    await self._arrived.wait()
            except TimeoutError:
                pass

    async def _worker(self, translator: Translator, executor: ThreadPoolExecutor) -> None:
        assert self._forming is not None
        while True:
            async with self._forming:
                batch = await self._next_batch()
                if batch is None:
                    return
                self._busy += 1
            try:
                await self._run(translator, executor, batch)
            finally:
                self._busy -= 1

    async def _run(
        self, translator: Translator, executor: ThreadPoolExecutor, batch: list[Request]
    ) -> None:
        """Translate one batch on the replica's thread and answer its requests."""
        loop = asyncio.get_running_loop()
        now = loop.time()
        live: list[Request] = []
        for request in batch:
            if request.deadline is not None and request.deadline <= now:
                self._timed_out += 1
                request.fail(EngineTimeout(f"{self.name}: deadline passed"))
            elif not request.future.done():
                live.append(request)
        if not live:
            return
        ordered = sorted(live, key=lambda r: r.cost)  # by length; answers keep request order
        beam_size, num_hypotheses = live[0].options
        call = partial(
            translator.translate_batch,
            [r.text for r in ordered],
            beam_size=beam_size,
            num_hypotheses=num_hypotheses,
            max_length=self.max_length,
            min_length=self.min_length,
        )
        self._in_flight += len(live)
        started = time.perf_counter()
        try:
            results = await loop.run_in_executor(executor, call)
            if len(results) != len(ordered):
                raise EngineError(f"translator returned {len(results)} results for {len(live)}")
        except asyncio.CancelledError:  # the loop is shutting down under us
            for request in live:
                request.fail(self._closed_error())
            raise
        except Exception as exc:  # every request of the batch gets the failure
            self._failed += len(live)
            for request in live:
                error = EngineError(f"{self.name}: translation failed: {exc}")
                error.__cause__ = exc
                request.fail(error)
            return
        finally:
            self._in_flight -= len(live)
            elapsed = time.perf_counter() - started
            self._batches += 1
            self._requests += len(live)
            self._batch_seconds += elapsed
            self._ema_batch_s = (
                elapsed if self._batches == 1 else 0.8 * self._ema_batch_s + 0.2 * elapsed
            )
        by_request = {id(r): result for r, result in zip(ordered, results, strict=True)}
        for request in live:  # request (arrival) order
            if not request.future.done():
                request.future.set_result(by_request[id(request)])
