"""How a loaded translation model is served: the one place its batching defaults live.

Settings builds these from its ``INTERP_ENGINE_*`` variables (``Settings.batching()``), the
Engine and its MicroBatchers take them, and ``bench.translate_engine`` measures the served
path with the same object, so the benchmark runs what the service runs.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BatchingOptions:
    """``replicas`` translator instances per model (one CPU thread each: on two cores two
    single-thread replicas beat one on two threads); at most ``queue_size`` sentences wait
    per model before new ones are refused; a batch is cut at ``max_batch_size`` sentences
    or ``max_batch_tokens`` source tokens, or once its oldest sentence has waited
    ``max_wait_s`` seconds."""

    replicas: int = 2
    max_batch_size: int = 16
    max_wait_s: float = 0.005
    queue_size: int = 256
    max_batch_tokens: int = 2048

    def __post_init__(self) -> None:
        if min(self.replicas, self.max_batch_size, self.queue_size, self.max_batch_tokens) < 1:
            raise ValueError(
                "replicas, max_batch_size, queue_size and max_batch_tokens must be positive"
            )
        if self.max_wait_s < 0:
            raise ValueError("max_wait_s must not be negative")


DEFAULT_BATCHING = BatchingOptions()
