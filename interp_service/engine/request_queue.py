"""The micro-batcher's waiting room: when the next batch is due, and which requests it takes.

Pure bookkeeping on the event loop's thread (no waiting, no threads); ``batcher`` does the
waiting and the running.
"""

from __future__ import annotations

import asyncio
import math
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from interp_service.engine.backends import Hypothesis
from interp_service.engine.errors import EngineError, EngineTimeout

Options = tuple[int, int]  # (beam_size, num_hypotheses)


@dataclass(eq=False)
class Request:
    """One waiting request; ``cost`` in tokens, times in event-loop seconds."""

    text: str
    options: Options
    cost: int
    future: asyncio.Future[list[Hypothesis]]
    enqueued: float
    deadline: float | None

    def fail(self, error: EngineError) -> None:
        """Answer with ``error`` unless already answered (or given up by the caller)."""
        if not self.future.done():
            self.future.set_exception(error)


class RequestQueue:
    """Requests in arrival order. A batch is due when the requests sharing the oldest
    request's options reach ``max_batch_size`` sentences or ``max_batch_tokens`` tokens,
    or when the oldest has waited ``max_wait_s`` seconds."""

    def __init__(self, *, max_batch_size: int, max_batch_tokens: int, max_wait_s: float) -> None:
        self.max_batch_size = max_batch_size
        self.max_batch_tokens = max_batch_tokens
        self.max_wait_s = max_wait_s
        self._items: deque[Request] = deque()
        self._flush = False

    def __len__(self) -> int:
        return len(self._items)

    def append(self, request: Request) -> None:
        self._items.append(request)

    def live(self) -> int:
        """Requests still waiting for an answer."""
        return sum(1 for r in self._items if not r.future.done())

    def purge(self, now: float, name: str) -> int:
        """Drop requests already answered (timed out, given up) and answer those past their
        deadline with EngineTimeout; returns how many timed out here."""
        kept: deque[Request] = deque()
        expired = 0
        for request in self._items:
            if request.future.done():
                continue
            if request.deadline is not None and request.deadline <= now:
                expired += 1
                request.fail(EngineTimeout(f"{name}: deadline passed"))
                continue
            kept.append(request)
        self._items = kept
        return expired

    def fail_all(self, error: Callable[[], EngineError]) -> None:
        """Answer every waiting request with a fresh ``error()`` and empty the queue."""
        while self._items:
            self._items.popleft().fail(error())

    def _same(self) -> list[Request]:
        first = self._items[0]
        return [r for r in self._items if r.options == first.options]

    def wait_s(self, now: float, closing: bool) -> float:
        """Seconds until the next batch is due: 0 when it is due now (always, when
        ``closing``, as long as something waits), inf when empty."""
        if not self._items:
            return math.inf
        same = self._same()
        full = (
            len(same) >= self.max_batch_size or sum(r.cost for r in same) >= self.max_batch_tokens
        )
        if full or closing or self._flush:
            return 0.0
        return max(0.0, self._items[0].enqueued + self.max_wait_s - now)

    def take(self, idle_replicas: int) -> list[Request]:
        """Remove and return the next batch: the oldest request and those after it with the
        same options, in arrival order, within the size and token limits. When several
        replicas are idle the waiting requests are shared out among them, and what is left
        is due at once for the next idle replica."""
        same = self._same()
        cap = min(self.max_batch_size, math.ceil(len(same) / max(1, idle_replicas)))
        batch: list[Request] = []
        tokens = 0
        for request in same:
            if len(batch) >= cap or (batch and tokens + request.cost > self.max_batch_tokens):
                break
            batch.append(request)
            tokens += request.cost
        taken = {id(r) for r in batch}
        self._items = deque(r for r in self._items if id(r) not in taken)
        self._flush = len(batch) == cap < len(same) and cap < self.max_batch_size
        return batch
