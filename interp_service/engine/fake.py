"""A deterministic stand-in translator, and a fake model folder, for tests (no torch).

``FakeTranslator`` reverses the words of each text and upper-cases them, leaving
placeholders such as ``<t0>`` intact: "zz-0001 <t0> abc" → "ABC <t0> ZZ-0001". The k-th
extra hypothesis gets " #k" appended. It records each batch it is given.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from interp_service.engine.backends import Hypothesis, check_options
from interp_service.engine.cards import ModelCard, write_card
from interp_service.engine.placeholders import PLACEHOLDER_PATTERN


def fake_translation(text: str) -> str:
    """What FakeTranslator makes of ``text`` as its best hypothesis."""
    words = []
    for word in reversed(text.split()):
        parts = PLACEHOLDER_PATTERN.split(word)  # [text, number, text, number, text…]
        words.append("".join(f"<t{p}>" if i % 2 else p.upper() for i, p in enumerate(parts)))
    return " ".join(words)


@dataclass(frozen=True)
class FakeCall:
    """One ``translate_batch`` call as the fake saw it."""

    texts: list[str]
    beam_size: int
    num_hypotheses: int
    thread: str


@dataclass
class FakeTranslator:
    """Implements ``Translator``. ``delay_s`` (seconds) is slept per batch; ``gate``, when
    set, must be opened before a batch completes (``started`` is set when one begins);
    ``fail_with`` is raised by every batch."""

    delay_s: float = 0.0
    gate: threading.Event | None = None
    fail_with: Exception | None = None
    started: threading.Event = field(default_factory=threading.Event)
    calls: list[FakeCall] = field(default_factory=list)

    @property
    def batch_sizes(self) -> list[int]:
        """Number of texts of each batch, in call order."""
        return [len(call.texts) for call in self.calls]

    def translate_batch(
        self,
        texts: list[str],
        *,
        beam_size: int = 1,
        num_hypotheses: int = 1,
        max_length: int = 128,
        min_length: int = 0,
    ) -> list[list[Hypothesis]]:
        """See ``Translator.translate_batch``; lengths are ignored."""
        check_options(beam_size, num_hypotheses, max_length, min_length)
        self.calls.append(
            FakeCall(list(texts), beam_size, num_hypotheses, threading.current_thread().name)
        )
        self.started.set()
        if self.gate is not None:
            self.gate.wait()
        if self.delay_s:
            time.sleep(self.delay_s)
        if self.fail_with is not None:
            raise self.fail_with
        out = []
        for text in texts:
            best = fake_translation(text)
            tokens = len(best.split())
            out.append(
                [
                    Hypothesis(best + (f" #{k}" if k else ""), -0.1 * (k + 1), tokens + (k > 0))
                    for k in range(num_hypotheses)
                ]
            )
        return out


def write_fake_model(
    root: Path,
    name: str = "fake-cmn-mmr",
    *,
    source_language: str = "cmn",
    target_language: str = "mmr",
    version: str = "1",
) -> ModelCard:
    """A valid model folder ``<root>/mt/<name>/`` whose files are dummies: for Engine tests
    with ``translator_factory=lambda card: FakeTranslator()``; no real backend can load it."""
    folder = Path(root) / "mt" / name
    for relative in ("hf/config.json", "hf/source.spm", "ct2/model.bin", "ct2/config.json"):
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"fake {relative} of {name} {version}\n")
    return write_card(
        ModelCard(
            task="mt",
            name=name,
            version=version,
            source_language=source_language,
            target_language=target_language,
            licence="test only",
            source="fake model for tests (interp_service.engine.fake)",
            folder=folder,
        )
    )
