"""Fixtures of the training tests. The "Miao" side is always zz-NNNN placeholder words:
the project never invents Miao text."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI

from interp_service.db.base import utcnow
from interp_service.engine.testing import FRAMES, NOUNS
from interp_service.memory.orm import MemoryEntry
from interp_service.training.dataset import Example
from interp_service.translation.normalise import match_key


def slot_code(i: int) -> str:
    """A placeholder word; any two differ in at least two characters, so sentences that
    differ only in it are not near-duplicates (fuzz.ratio < 95) on the target side."""
    a, b = i % 10, i // 10 + 5
    return f"zz-{a}{a}{b}{b}"


def placeholder_pairs() -> list[tuple[str, str]]:
    """180 (Chinese sentence, placeholder target) pairs: 10 frames × 18 nouns."""
    slots = [(zh, slot_code(i)) for i, (zh, _) in enumerate(NOUNS)]
    return [(f.format(x=zh), t.format(x=code)) for f, t in FRAMES for zh, code in slots]


def examples(pairs: list[tuple[str, str]] | None = None) -> list[Example]:
    return [
        Example(s, t, "cmn", "mmr", origin="memory", ref=f"memory:{i}")
        for i, (s, t) in enumerate(placeholder_pairs() if pairs is None else pairs, start=1)
    ]


AddEntries = Callable[..., list[int]]


@pytest.fixture
def add_entries(app: FastAPI) -> AddEntries:
    """Store approved memory entries directly (as the review queue would leave them)."""

    def add(
        pairs: list[tuple[str, str]],
        source_language: str = "cmn",
        target_language: str = "mmr",
        status: str = "approved",
    ) -> list[int]:
        with app.state.services.session_factory() as session:
            rows = [
                MemoryEntry(
                    source_language=source_language,
                    source_text=source,
                    source_key=match_key(source, source_language),
                    target_language=target_language,
                    target_text=target,
                    origin="import",
                    status=status,
                    approved_at=utcnow(),
                )
                for source, target in pairs
            ]
            session.add_all(rows)
            session.commit()
            return [row.id for row in rows]

    return add
