"""Exact and fuzzy lookup over the approved translation memory.

`MemoryIndex` is built in memory from every approved entry with a non-empty target and kept
in the application's cache (`AppServices.memory_index`). It is tagged with
`memory_state.version`, a counter the services raise in the same transaction as every
change to the memory; `memory_index_for` reads that one row per call and rebuilds when
another request or another process has changed the memory.

Scores are rapidfuzz `fuzz.ratio` of the two match keys (normalised indel similarity,
0-100: 200·LCS / (len a + len b), in characters). Fuzzy lookup keeps only entries that can
reach the threshold before scoring them: an entry of b characters can score s·100 against a
query of a characters only if s·a/(2-s) ≤ b ≤ a·(2-s)/s (entries are sorted by length, so
that is one slice), and only if the characters they share, counted with multiplicity, reach
s·(a+b)/2 (an upper bound of their longest common subsequence, summed with numpy over
per-character postings). Whatever passes is scored exactly.
"""

from __future__ import annotations

import difflib
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process
from sqlalchemy.orm import Session

from interp_service.memory import repository as repo
from interp_service.services import VersionedCache
from interp_service.translation.normalise import match_key

Span = tuple[str, int, int, int, int]  # op, query_start, query_end, entry_start, entry_end
DEFAULT_THRESHOLD = 75.0


@dataclass(frozen=True, slots=True)
class IndexedEntry:
    """What lookup keeps of an approved entry (`source_key` is its stored match key)."""

    entry_id: int
    source_language: str
    target_language: str
    target_variety: str
    source_key: str
    source_text: str
    target_text: str
    origin: str
    approved_by: int | None = None
    approved_by_name: str = ""
    approved_at: datetime | None = None
    is_phrase: bool = False


@dataclass(frozen=True)
class MemoryHit:
    """An approved entry offered for a query; `score` 0-100 (100 for exact), `differences`
    the character spans where the query and the entry's source text differ."""

    entry_id: int
    kind: Literal["exact", "fuzzy"]
    score: float
    source_text: str
    target_text: str
    target_variety: str
    origin: str
    approved_by: int | None
    approved_by_name: str
    approved_at: datetime | None
    is_phrase: bool
    differences: list[Span] = field(default_factory=list)


def differences(query: str, entry_source: str) -> list[Span]:
    """Spans (op, query_start, query_end, entry_start, entry_end), character offsets, that
    turn the query into the entry's source; equal stretches are left out."""
    matcher = difflib.SequenceMatcher(None, query, entry_source, autojunk=False)
    return [(op, i1, i2, j1, j2) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal"]


def variety_fits(entry_variety: str, wanted: str) -> bool:
    """An entry without a variety serves every variety; a request without one takes any."""
    return not entry_variety or not wanted or entry_variety == wanted


def _preference(entry: IndexedEntry, wanted: str) -> tuple[int, float, int]:
    """Sort key: the requested variety first, then the latest approval, then the newest id."""
    stamp = entry.approved_at.timestamp() if entry.approved_at is not None else 0.0
    return (0 if entry.target_variety == wanted else 1, -stamp, -entry.entry_id)


def length_window(length: int, share: float) -> tuple[int, int]:
    """Shortest and longest key (characters) that can score `share`·100 against a key of
    `length` characters."""
    if share <= 0:
        return 0, 1 << 30
    low = int(np.ceil(length * share / (2 - share) - 1e-9))
    high = int(np.floor(length * (2 - share) / share + 1e-9))
    return low, high


class PairIndex:
    """The approved entries of one language pair, sorted by key length."""

    def __init__(self, entries: list[IndexedEntry]) -> None:
        self.entries = sorted(entries, key=lambda e: (len(e.source_key), e.entry_id))
        self.keys = [e.source_key for e in self.entries]
        self.lengths: npt.NDArray[np.int32] = np.array([len(k) for k in self.keys], dtype=np.int32)
        self.by_key: dict[str, list[IndexedEntry]] = {}
        positions: dict[str, list[int]] = {}
        counts: dict[str, list[int]] = {}
        for at, entry in enumerate(self.entries):
            self.by_key.setdefault(entry.source_key, []).append(entry)
            for char, n in Counter(entry.source_key).items():
                positions.setdefault(char, []).append(at)
                counts.setdefault(char, []).append(n)
        self.postings: dict[str, tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]] = {
            char: (np.array(at, dtype=np.int32), np.array(counts[char], dtype=np.int32))
            for char, at in positions.items()
        }

    def exact(self, key: str, variety: str) -> IndexedEntry | None:
        found = [e for e in self.by_key.get(key, ()) if variety_fits(e.target_variety, variety)]
        return min(found, key=lambda e: _preference(e, variety)) if found else None

    def candidates(self, key: str, share: float) -> list[int]:
        """Positions of the entries that pass the length and shared-character bounds."""
        low, high = length_window(len(key), share)
        start = int(np.searchsorted(self.lengths, low, "left"))
        stop = int(np.searchsorted(self.lengths, high, "right"))
        if start >= stop:
            return []
        if share <= 0:
            return list(range(start, stop))
        where: list[npt.NDArray[np.int32]] = []
        weights: list[npt.NDArray[np.int32]] = []
        for char, wanted in Counter(key).items():
            posting = self.postings.get(char)
            if posting is None:
                continue
            at, counts = posting
            lo, hi = np.searchsorted(at, start), np.searchsorted(at, stop)
            where.append(at[lo:hi])
            weights.append(np.minimum(counts[lo:hi], wanted))
        if not where:
            return []
        shared = np.bincount(
            np.concatenate(where) - start, weights=np.concatenate(weights), minlength=stop - start
        )
        needed = share * (len(key) + self.lengths[start:stop])
        return [int(i) + start for i in np.flatnonzero(2 * shared >= needed - 1e-9)]


class MemoryIndex:
    """Approved pairs by language pair; `version` is the memory_state it was built from."""

    def __init__(self, entries: list[IndexedEntry], version: int = 0) -> None:
        self.version = version
        self.size = len(entries)
        grouped: dict[tuple[str, str], list[IndexedEntry]] = {}
        for entry in entries:
            if entry.target_text.strip():
                grouped.setdefault((entry.source_language, entry.target_language), []).append(entry)
        self.pairs = {pair: PairIndex(group) for pair, group in grouped.items()}

    def exact(
        self, text: str, source_language: str, target_language: str, target_variety: str = ""
    ) -> MemoryHit | None:
        """The approved entry whose source has the same match key, or None."""
        pair = self.pairs.get((source_language, target_language))
        if pair is None:
            return None
        entry = pair.exact(match_key(text, source_language), target_variety)
        return None if entry is None else _hit(entry, "exact", 100.0, text)

    def fuzzy(
        self,
        text: str,
        source_language: str,
        target_language: str,
        target_variety: str = "",
        threshold: float = DEFAULT_THRESHOLD,
        limit: int = 3,
    ) -> list[MemoryHit]:
        """Up to `limit` approved entries scoring at least `threshold` (0-100), best first;
        entries with the query's own key are exact hits and left out."""
        pair = self.pairs.get((source_language, target_language))
        key = match_key(text, source_language)
        if pair is None or not key or limit < 1:
            return []
        share = max(0.0, min(threshold, 100.0)) / 100
        fitting = [
            pair.entries[i]
            for i in pair.candidates(key, share)
            if pair.keys[i] != key and variety_fits(pair.entries[i].target_variety, target_variety)
        ]
        scored = process.extract(
            key,
            [e.source_key for e in fitting],
            scorer=fuzz.ratio,
            score_cutoff=threshold,
            limit=None,
        )
        scored.sort(key=lambda m: (-m[1], _preference(fitting[m[2]], target_variety)))
        return [_hit(fitting[i], "fuzzy", round(score, 2), text) for _, score, i in scored[:limit]]


def _hit(
    entry: IndexedEntry, kind: Literal["exact", "fuzzy"], score: float, text: str
) -> MemoryHit:
    return MemoryHit(
        entry_id=entry.entry_id,
        kind=kind,
        score=score,
        source_text=entry.source_text,
        target_text=entry.target_text,
        target_variety=entry.target_variety,
        origin=entry.origin,
        approved_by=entry.approved_by,
        approved_by_name=entry.approved_by_name,
        approved_at=entry.approved_at,
        is_phrase=entry.is_phrase,
        differences=differences(text, entry.source_text),
    )


def build_index(session: Session) -> MemoryIndex:
    """Read the memory's version, then every approved pair (about a second per 100,000)."""
    version = repo.state_version(session)
    return MemoryIndex([IndexedEntry(*row) for row in repo.approved_rows(session)], version)


def memory_index_for(cache: VersionedCache[MemoryIndex], session: Session) -> MemoryIndex:
    """The cached index, rebuilt when `memory_state.version` has moved on."""
    return cache.get(repo.state_version(session), lambda: build_index(session))
