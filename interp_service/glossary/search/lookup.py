"""Ranked term lookup; pure and in memory.

`LookupIndex` answers a typed query, ranked exact > tone-insensitive > prefix > pinyin > fuzzy.
Build it once from `IndexedTerm`s; rebuild it when the glossary changes. Chinese keys are folded
(see `folding`); Miao keys go through the plugged `miao_normalise`, and a plugged
`miao_tone_key` enables tone-insensitive hits.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left
from collections.abc import Callable, Iterable

from rapidfuzz import fuzz, process

from interp_service.glossary.search.folding import chinese_key, has_han, pinyin_query, term_pinyin
from interp_service.glossary.search.match_records import (
    CHINESE_LANGUAGES,
    HOW_RANK,
    MIAO_LANGUAGES,
    Hit,
    IndexedTerm,
    TextKey,
    simple_normalise,
    term_tie_break,
)
from interp_service.invisible import strip_invisible

_HOWS = tuple(HOW_RANK)
# A bigram shared by more keys than this says little about similarity; skipping it keeps the
# fuzzy candidate set bounded.
_MAX_POSTING = 1000


def _bigrams(text: str) -> set[str]:
    return {text[i : i + 2] for i in range(len(text) - 1)}


class _Table:
    """Keys of one language: exact dict, sorted keys for prefixes, pinyin, fuzzy bigrams."""

    def __init__(
        self,
        language: str,
        terms: list[tuple[int, IndexedTerm]],
        key: TextKey,
        tone: TextKey | None,
    ) -> None:
        self.key = key
        self.tone = tone
        self.exact: dict[str, list[int]] = {}
        self.toneless: dict[str, list[int]] = {}
        self.pinyin_toned: dict[str, list[int]] = {}
        self.pinyin_plain: dict[str, list[int]] = {}
        for index, term in terms:
            k = key(term.text)
            if not k:
                continue
            self.exact.setdefault(k, []).append(index)
            if tone is not None:
                self.toneless.setdefault(tone(k), []).append(index)
            if language in CHINESE_LANGUAGES and has_han(term.text):
                toned, plain = term_pinyin(term.text)
                self.pinyin_toned.setdefault(toned, []).append(index)
                self.pinyin_plain.setdefault(plain, []).append(index)
        self.sorted_keys = sorted(self.exact)
        self.sorted_pinyin = sorted(self.pinyin_plain)
        self.bigrams: dict[str, list[str]] = {}
        for k in self.sorted_keys:
            for bigram in _bigrams(k):
                self.bigrams.setdefault(bigram, []).append(k)


class LookupIndex:
    """Ranked term lookup. Exact, prefix and pinyin go through dicts and bisection on sorted
    keys; only fuzzy compares strings, over candidates sharing a character bigram."""

    def __init__(
        self,
        terms: Iterable[IndexedTerm],
        *,
        miao_normalise: TextKey = simple_normalise,
        miao_tone_key: TextKey | None = None,
        fuzzy_threshold: float = 70.0,
        candidate_cap: int = 200,
        fuzzy_candidates: int = 2000,
    ) -> None:
        """`fuzzy_threshold` is the least rapidfuzz ratio (0-100) of a fuzzy hit;
        `candidate_cap` bounds the prefix keys taken per language, `fuzzy_candidates`
        (roughly) the keys compared by rapidfuzz per language."""
        self.terms = list(terms)
        self._tie_break = [term_tie_break(term) for term in self.terms]
        self.fuzzy_threshold = fuzzy_threshold
        self.candidate_cap = candidate_cap
        self.fuzzy_candidates = fuzzy_candidates

        def miao_key(text: str) -> str:
            return simple_normalise(miao_normalise(strip_invisible(text).casefold()))

        by_language: dict[str, list[tuple[int, IndexedTerm]]] = {}
        for index, term in enumerate(self.terms):
            by_language.setdefault(term.language, []).append((index, term))
        self._tables: dict[str, _Table] = {}
        for language, group in by_language.items():
            if language in CHINESE_LANGUAGES:
                self._tables[language] = _Table(language, group, chinese_key, None)
            elif language in MIAO_LANGUAGES:
                self._tables[language] = _Table(language, group, miao_key, miao_tone_key)
            else:
                self._tables[language] = _Table(language, group, simple_normalise, None)

    def search(self, query: str, *, language: str | None = None, limit: int = 20) -> list[Hit]:
        """At most `limit` hits, best first (see `Hit.rank_key`). Zero-width characters and
        direction controls in the query are ignored."""
        query = strip_invisible(query)
        if language is None:
            tables = list(self._tables.values())
        else:
            table = self._tables.get(language)
            tables = [table] if table is not None else []
        typed = query.strip()
        # Plain tuples until the end: prefix and fuzzy stages may offer hundreds of terms.
        best: dict[int, tuple[int, float]] = {}  # term index -> (how rank, -score)

        def offer(indices: Iterable[int], how: str, score: float) -> None:
            rank = (HOW_RANK[how], -round(score, 1))
            for index in indices:
                old = best.get(index)
                if old is None or rank < old:
                    best[index] = rank

        keys = [(table, table.key(query)) for table in tables]
        for table, key in keys:
            if not key:
                continue
            for index in table.exact.get(key, ()):
                offer([index], "exact", 100.0 if self.terms[index].text == typed else 99.0)
            if table.tone is not None:
                offer(table.toneless.get(table.tone(key), ()), "tone-insensitive", 100.0)
            for longer in self._prefixed(table.sorted_keys, key):
                offer(table.exact[longer], "prefix", 100.0 * len(key) / len(longer))
        pinyin = pinyin_query(query)
        if pinyin is not None and len(best) < limit:
            for table, _ in keys:
                self._pinyin(table, pinyin, offer)
        if len(best) < limit:
            for table, key in keys:
                for longer, ratio in self._fuzzy(table, key, limit):
                    offer(table.exact[longer], "fuzzy", ratio)
        tie_break = self._tie_break
        top = heapq.nsmallest(limit, best.items(), key=lambda item: item[1] + tie_break[item[0]])
        return [Hit(self.terms[i], _HOWS[how], -score) for i, (how, score) in top]

    def _prefixed(self, sorted_keys: list[str], key: str) -> list[str]:
        """Keys that start with `key` and are longer, at most `candidate_cap` of them."""
        found: list[str] = []
        i = bisect_left(sorted_keys, key)
        while i < len(sorted_keys) and len(found) < self.candidate_cap:
            longer = sorted_keys[i]
            if not longer.startswith(key):
                break
            if longer != key:
                found.append(longer)
            i += 1
        return found

    def _pinyin(
        self,
        table: _Table,
        pinyin: tuple[str | None, str],
        offer: Callable[[Iterable[int], str, float], None],
    ) -> None:
        toned, plain = pinyin
        if not table.pinyin_plain:
            return
        if toned is not None:
            offer(table.pinyin_toned.get(toned, ()), "pinyin", 100.0)
        # Right syllables with other tones still count, a little lower.
        offer(table.pinyin_plain.get(plain, ()), "pinyin", 100.0 if toned is None else 90.0)
        if len(plain) >= 2:
            for longer in self._prefixed(table.sorted_pinyin, plain):
                offer(table.pinyin_plain[longer], "pinyin", 100.0 * len(plain) / len(longer))

    def _fuzzy(self, table: _Table, key: str, limit: int) -> list[tuple[str, float]]:
        """Keys within the ratio threshold: the best `limit` and any tied with the last of
        them, at most max(limit, candidate_cap)."""
        if len(key) < 2:
            return []
        # Rarest bigrams first: they are the most telling, and the set stops growing at the bound.
        postings = sorted(
            (
                p
                for b in sorted(_bigrams(key))
                if (p := table.bigrams.get(b)) and len(p) <= _MAX_POSTING
            ),
            key=len,
        )
        candidates: dict[str, None] = {}  # a dict keeps a set's order fixed from run to run
        for posting in postings:
            if len(candidates) >= self.fuzzy_candidates:
                break
            candidates.update(dict.fromkeys(posting))
        candidates.pop(key, None)
        found = process.extract(
            key, list(candidates), scorer=fuzz.ratio, score_cutoff=self.fuzzy_threshold, limit=None
        )
        if len(found) > limit > 0:
            floor = found[limit - 1][1]
            found = [f for f in found[: max(limit, self.candidate_cap)] if f[1] >= floor]
        return [(candidate, score) for candidate, score, _ in found]
