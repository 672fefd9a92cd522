"""A tqdm progress bar for training: steps done, mean loss of the last 20 steps, best dev
chrF, and tqdm's ETA (an upper bound: early stopping may end the run sooner)."""

from __future__ import annotations

from collections import deque
from typing import IO, Any

from tqdm import tqdm  # type: ignore[import-untyped]


class ProgressBar:
    """Implements ``engine.trainer.Monitor``; writes to ``file`` (stderr by default)."""

    def __init__(self, description: str = "training", file: IO[str] | None = None) -> None:
        self.description = description
        self.file = file
        self.bar: Any = None
        self.recent: deque[float] = deque(maxlen=20)
        self.best: float | None = None

    def started(self, total_steps: int, done_steps: int) -> None:
        self.close()
        self.bar = tqdm(
            total=total_steps,
            initial=done_steps,
            desc=self.description,
            unit="step",
            file=self.file,
            dynamic_ncols=True,
            mininterval=0.5,
        )

    def _postfix(self) -> None:
        values = {}
        if self.recent:
            values["loss"] = f"{sum(self.recent) / len(self.recent):.3f}"
        if self.best is not None:
            values["dev_chrF"] = f"{self.best:.1f}"
        self.bar.set_postfix(values, refresh=False)

    def stepped(self, step: int, loss: float) -> None:
        self.recent.append(loss)
        if self.bar is not None:
            self._postfix()
            self.bar.update(1)

    def evaluated(self, step: int, score: float, best: float) -> None:
        self.best = best
        if self.bar is not None:
            self._postfix()
            self.bar.refresh()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
