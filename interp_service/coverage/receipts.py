"""Interview sentences as the coverage domain reads them: each sentence of each exchange's
stored receipt, with its case, time, direction and the Miao variety it concerns."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from interp_service.glossary.search.match_records import CHINESE_LANGUAGES


@dataclass(frozen=True)
class SeenSentence:
    """One sentence of an interview exchange and the receipt part that served it.

    `direction` is "into" when the exchange was translated into the language asked about,
    "from" when out of it; `variety` is the variety of that side (the exchange's own, else
    the party's)."""

    exchange_id: int
    interview_id: int
    case_id: int
    at: datetime
    direction: str
    source_language: str
    variety: str
    receipt: dict[str, Any]
    exchange_text: str = ""

    @property
    def source(self) -> str:
        return str(self.receipt.get("source") or "")

    @property
    def path(self) -> str:
        return str(self.receipt.get("path") or "")

    @property
    def from_chinese(self) -> bool:
        return self.source_language in CHINESE_LANGUAGES

    def gloss_tokens(self) -> list[dict[str, Any]]:
        return [t for t in self.receipt.get("gloss") or [] if isinstance(t, dict)]

    def terms(self) -> list[dict[str, Any]]:
        return [t for t in self.receipt.get("terms") or [] if isinstance(t, dict)]

    def memory_entry_id(self) -> int | None:
        memory = self.receipt.get("memory")
        if isinstance(memory, dict) and isinstance(memory.get("entry_id"), int):
            return int(memory["entry_id"])
        return None

    def concepts_fired(self) -> set[tuple[int, int]]:
        """(concept id, offset in the sentence) of every glossary term recognised in it,
        from the fired terms and the gloss tokens, each span once."""
        found: set[tuple[int, int]] = set()
        for item in (*self.terms(), *self.gloss_tokens()):
            concept, start = item.get("concept_id"), item.get("source_start")
            if isinstance(concept, int) and isinstance(start, int):
                found.add((concept, start))
        return found


def sentences_of(
    rows: Sequence[Any], language: str, variety: str, direction: str = "both"
) -> Iterator[SeenSentence]:
    """Sentences of `repository.exchange_rows` rows, restricted to a variety ("" = any) and
    a direction ("into", "from" or "both")."""
    for (
        _id,
        interview_id,
        case_id,
        at,
        source_language,
        source_variety,
        target_language,
        target_variety,
        receipt,
        party_language,
        party_variety,
    ) in rows:
        way = "into" if target_language == language else "from"
        if direction != "both" and way != direction:
            continue
        side = target_variety if way == "into" else source_variety
        if not side and party_language == language:
            side = party_variety
        if variety and side != variety:
            continue
        if not isinstance(receipt, dict):
            continue
        text = str(receipt.get("text") or "")
        for item in receipt.get("sentences") or []:
            if isinstance(item, dict):
                yield SeenSentence(
                    _id, interview_id, case_id, at, way, source_language, side or "", item, text
                )


def is_word(text: str) -> bool:
    """True for a token with a letter, digit or Han character (not bare punctuation)."""
    return any(ch.isalnum() for ch in text)
