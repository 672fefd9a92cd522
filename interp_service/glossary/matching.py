"""Finding glossary terms in sentences and looking terms up; pure and in memory.

`TermRecogniser` is an Aho-Corasick automaton over all terms of a language: one pass over a
sentence gives every term in it, with character spans into the original sentence, overlaps
resolved leftmost-longest. `LookupIndex` answers a typed query, ranked exact > tone-insensitive
> prefix > pinyin > fuzzy. Both are built once from `IndexedTerm`s; rebuild them when the
glossary changes.

Chinese (cmn, zho, chi) is matched character by character after folding each character on its own:
traditional to simplified (OpenCC t2s), full-width to half-width, lower case. Folding one
character at a time keeps an exact offset map and folds a term and a sentence the same way.
Other languages are matched word by word, so a term never matches inside a longer word. For
Miao (mmr, muq) each word goes through the plugged `miao_normalise` (the orthography's
`normalise`), and a plugged `miao_tone_key` (its `strip_tones`) enables tone-insensitive
matching; the defaults only lowercase and strip.
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import opencc
from pypinyin import Style, lazy_pinyin
from rapidfuzz import fuzz, process

CHINESE_LANGUAGES = frozenset({"cmn", "zho", "chi"})
MIAO_LANGUAGES = frozenset({"mmr", "muq"})

STATUS_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2, "forbidden": 3}
VERIFICATION_RANK = {"approved": 0, "unverified": 1}
HOW_RANK = {"exact": 0, "tone-insensitive": 1, "prefix": 2, "pinyin": 3, "fuzzy": 4}
_HOWS = tuple(HOW_RANK)

TextKey = Callable[[str], str]

# A word: letters and digits (tone numbers), joined by in-word hyphens or apostrophes; any
# other non-space character is a token of its own so a term cannot match across punctuation.
_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|\S")
_PINYIN_QUERY = re.compile(r"[a-z1-5]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_PINYIN_SEPARATORS = re.compile(r"[\s'’\-·]+")
# A bigram shared by more keys than this says little about similarity; skipping it keeps the
# fuzzy candidate set bounded.
_MAX_POSTING = 1000


def simple_normalise(text: str) -> str:
    """Default normaliser: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


@dataclass(frozen=True, slots=True)
class IndexedTerm:
    """One glossary term as the matchers see it; ids are database ids."""

    term_id: int
    concept_id: int
    language: str
    variety: str
    text: str
    status: str
    verification: str

    @property
    def preference(self) -> tuple[int, int]:
        """Sort key: preferred before deprecated/forbidden, approved before unverified."""
        return (STATUS_RANK.get(self.status, 9), VERIFICATION_RANK.get(self.verification, 9))


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a sentence; `start`/`end` are character offsets into the original
    sentence (end exclusive), `text` the sentence's own spelling there."""

    term: IndexedTerm
    start: int
    end: int
    text: str
    tone_insensitive: bool = False

    @property
    def status(self) -> str:
        return self.term.status

    @property
    def verification(self) -> str:
        return self.term.verification


@dataclass(frozen=True, slots=True)
class Hit:
    """A lookup result. `how` is exact/tone-insensitive/prefix/pinyin/fuzzy; `score` (0-100) is
    the similarity within that kind: 100 exact as typed, 99 exact after normalisation, the
    share of the term covered for prefixes, the rapidfuzz ratio for fuzzy."""

    term: IndexedTerm
    how: str
    score: float

    @property
    def status(self) -> str:
        return self.term.status

    @property
    def verification(self) -> str:
        return self.term.verification

    @property
    def rank_key(self) -> tuple[int, float, int, int, int, str, int]:
        """Order of results: kind, score, term preference, then shorter text first."""
        return (HOW_RANK[self.how], -self.score, *_tie_break(self.term))


def _tie_break(term: IndexedTerm) -> tuple[int, int, int, str, int]:
    return (*term.preference, len(term.text), term.text, term.term_id)


# --- folding ----------------------------------------------------------------------------------


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _half_width(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out)


@functools.cache
def _fold_han_char(ch: str) -> str:
    return _half_width(str(_t2s().convert(ch))).lower()


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight (then cached)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_han_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold_chinese(text: str) -> tuple[str, list[int]]:
    """Folded text and, for each of its characters, the index of the original character."""
    folded = text.translate(_FOLD)
    if len(folded) == len(text):  # the usual case: one character for one
        return folded, list(range(len(text)))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_han_char(ch)
        chars.append(folded)
        if len(folded) == 1:
            origin.append(i)
        else:
            origin.extend([i] * len(folded))
    return "".join(chars), origin


def chinese_key(text: str) -> str:
    """Lookup key of Chinese text: folded, whitespace removed."""
    return "".join(fold_chinese(text)[0].split())


def _has_han(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" for ch in text)


def term_pinyin(text: str) -> tuple[str, str]:
    """(with tone numbers, without tones), letters and digits only: qu3bao3hou4shen3."""
    toned: list[str] = []
    plain: list[str] = []
    # One pypinyin call (it dominates build time); the marker tells non-Chinese runs, whose
    # digits are not tones, from syllables.
    for item in lazy_pinyin(text, style=Style.TONE3, errors=lambda run: "\x00" + run):
        if item.startswith("\x00"):
            run = _half_width(item[1:]).lower()
            toned.append(run)
            plain.append(run)
        else:
            toned.append(item)
            plain.append(item.rstrip("12345"))
    return _only_alnum("".join(toned)), _only_alnum("".join(plain))


def _only_alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def pinyin_query(query: str) -> tuple[str | None, str] | None:
    """(toned or None, toneless) if the query reads as pinyin, else None.

    Accepts tone numbers, tone marks (dropped), ü/v/u:, and spaces or apostrophes between
    syllables; 5 is the neutral tone, written without a number in the index."""
    q = unicodedata.normalize("NFD", query.casefold()).replace("u\u0308", "v")
    q = "".join(ch for ch in q if not unicodedata.combining(ch)).replace("u:", "v")
    q = _PINYIN_SEPARATORS.sub("", q)
    if not q or not _PINYIN_QUERY.fullmatch(q):
        return None
    toneless = "".join(ch for ch in q if not ch.isdigit())
    if not toneless:
        return None
    toned = q.replace("5", "") if toneless != q else None
    return toned, toneless


# --- Aho-Corasick ----------------------------------------------------------------------------


class _Automaton:
    """Aho-Corasick over sequences of string symbols (characters or normalised words)."""

    def __init__(self) -> None:
        self._goto: list[dict[str, int]] = [{}]
        self._fail = [0]
        self._depth = [0]
        self._pattern = [-1]
        # Nearest node on the failure chain (itself included) that ends a pattern, or -1.
        self._report = [-1]
        self._next_report = [-1]

    def add(self, symbols: Sequence[str], pattern: int) -> None:
        node = 0
        for sym in symbols:
            nxt = self._goto[node].get(sym)
            if nxt is None:
                nxt = len(self._goto)
                self._goto[node][sym] = nxt
                self._goto.append({})
                self._fail.append(0)
                self._depth.append(self._depth[node] + 1)
                self._pattern.append(-1)
                self._report.append(-1)
                self._next_report.append(-1)
            node = nxt
        self._pattern[node] = pattern

    def build(self) -> None:
        goto, fail, pattern = self._goto, self._fail, self._pattern
        report, next_report = self._report, self._next_report
        queue = list(goto[0].values())
        for child in queue:
            report[child] = child if pattern[child] >= 0 else -1
        head = 0
        while head < len(queue):
            node = queue[head]
            head += 1
            for sym, child in goto[node].items():
                f = fail[node]
                while f and sym not in goto[f]:
                    f = fail[f]
                target = goto[f].get(sym, 0)
                fail[child] = target if target != child else 0
                next_report[child] = report[fail[child]]
                report[child] = child if pattern[child] >= 0 else next_report[child]
                queue.append(child)

    def scan(self, symbols: Sequence[str]) -> list[tuple[int, int, int]]:
        """Every occurrence as (start, end, pattern), in symbol indices, end exclusive."""
        goto, fail, depth, pattern = self._goto, self._fail, self._depth, self._pattern
        report, next_report = self._report, self._next_report
        found: list[tuple[int, int, int]] = []
        state = 0
        for i, sym in enumerate(symbols):
            nxt = goto[state].get(sym)
            while nxt is None and state:
                state = fail[state]
                nxt = goto[state].get(sym)
            state = nxt or 0
            node = report[state]
            while node >= 0:
                found.append((i + 1 - depth[node], i + 1, pattern[node]))
                node = next_report[node]
        return found


def leftmost_longest(found: Iterable[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Keep, from the left, the longest occurrence at each start that overlaps none kept."""
    kept: list[tuple[int, int, int]] = []
    reach = 0
    for start, end, pattern in sorted(found, key=lambda f: (f[0], -f[1])):
        if start >= reach:
            kept.append((start, end, pattern))
            reach = end
    return kept


# --- recognition -----------------------------------------------------------------------------


def _word_symbols(text: str, key: TextKey) -> tuple[list[str], list[tuple[int, int]]]:
    """Normalised word symbols of a text and each symbol's span in it."""
    symbols: list[str] = []
    spans: list[tuple[int, int]] = []
    for token in _TOKEN.finditer(text):
        parts = _split_key(key, token.group())
        if len(parts) == 1:
            symbols.append(parts[0])
            spans.append(token.span())
            continue
        for part in parts:
            symbols.append(part)
            spans.append(token.span())
    return symbols, spans


@functools.lru_cache(maxsize=1 << 16)
def _split_key(key: TextKey, word: str) -> tuple[str, ...]:
    return tuple(key(word).split())


class _LanguageMatcher:
    """The automata and term groups of one language."""

    def __init__(self, terms: list[IndexedTerm], word_key: TextKey | None) -> None:
        """`word_key` normalises one word; None means Chinese, matched by character."""
        self.word_key = word_key
        self.automaton = _Automaton()
        self.groups: list[list[IndexedTerm]] = []
        by_symbols: dict[tuple[str, ...], int] = {}
        for term in terms:
            symbols = tuple(self.symbols(term.text)[0])
            if not symbols:
                continue
            group = by_symbols.get(symbols)
            if group is None:
                group = by_symbols[symbols] = len(self.groups)
                self.groups.append([])
                self.automaton.add(symbols, group)
            self.groups[group].append(term)
        for group_terms in self.groups:
            group_terms.sort(key=lambda t: (t.preference, t.term_id))
        self.automaton.build()
        self.toneless: _Automaton | None = None
        self.toneless_groups: list[list[tuple[IndexedTerm, tuple[str, ...]]]] = []

    def add_toneless(self, tone_key: TextKey) -> None:
        self.toneless = _Automaton()
        by_symbols: dict[tuple[str, ...], int] = {}
        for group_terms in self.groups:
            exact = tuple(self.symbols(group_terms[0].text)[0])
            toneless = tuple(tone_key(sym) for sym in exact)
            group = by_symbols.get(toneless)
            if group is None:
                group = by_symbols[toneless] = len(self.toneless_groups)
                self.toneless_groups.append([])
                self.toneless.add(toneless, group)
            self.toneless_groups[group].extend((term, exact) for term in group_terms)
        for members in self.toneless_groups:
            members.sort(key=lambda m: (m[0].preference, m[0].term_id))
        self.toneless.build()

    def symbols(self, text: str) -> tuple[Sequence[str], _Spans]:
        if self.word_key is None:
            folded, origin = fold_chinese(text)
            return folded, _CharSpans(origin)
        return _word_symbols(text, self.word_key)


class _CharSpans:
    """Spans of folded Chinese characters in the original text, computed on demand (most
    characters are never part of a match, so no list of pairs is built)."""

    def __init__(self, origin: list[int]) -> None:
        self.origin = origin

    def __getitem__(self, index: int) -> tuple[int, int]:
        at = self.origin[index]
        return at, at + 1


_Spans = list[tuple[int, int]] | _CharSpans


class TermRecogniser:
    """Finds glossary terms in sentences, in one pass per sentence (Aho-Corasick)."""

    def __init__(
        self,
        terms: Iterable[IndexedTerm],
        *,
        miao_normalise: TextKey = simple_normalise,
        miao_tone_key: TextKey | None = None,
    ) -> None:
        by_language: dict[str, list[IndexedTerm]] = {}
        for term in terms:
            by_language.setdefault(term.language, []).append(term)

        # Words recur across sentences; the orthography's parse of each is remembered.
        @functools.lru_cache(maxsize=1 << 16)
        def miao_word(word: str) -> str:
            # Folded on both sides: the normaliser may only know lower-case spellings.
            return miao_normalise(word.casefold()).casefold()

        self._tone_key = miao_tone_key
        self._matchers: dict[str, _LanguageMatcher] = {}
        for language, group in by_language.items():
            word_key: TextKey | None
            if language in CHINESE_LANGUAGES:
                word_key = None
            elif language in MIAO_LANGUAGES:
                word_key = miao_word
            else:
                word_key = simple_normalise
            matcher = _LanguageMatcher(group, word_key)
            if miao_tone_key is not None and language in MIAO_LANGUAGES:
                matcher.add_toneless(miao_tone_key)
            self._matchers[language] = matcher

    def find(self, sentence: str, language: str, *, tone_insensitive: bool = False) -> list[Match]:
        """Terms of `language` in the sentence, leftmost-longest, ordered by start.

        Several glossary terms with the same spelling give one Match each, same span, preferred
        first. `tone_insensitive` (Miao only) needs the recogniser to have a `miao_tone_key`."""
        if tone_insensitive and self._tone_key is None:
            raise ValueError("tone-insensitive matching needs a miao_tone_key")
        matcher = self._matchers.get(language)
        if matcher is None:
            return []
        symbols, spans = matcher.symbols(sentence)
        matches: list[Match] = []
        if tone_insensitive and matcher.toneless is not None and self._tone_key is not None:
            tone_key = self._tone_key
            toneless = [tone_key(sym) for sym in symbols]
            for start, end, group in leftmost_longest(matcher.toneless.scan(toneless)):
                first, last = spans[start][0], spans[end - 1][1]
                seen = tuple(symbols[start:end])
                for term, exact in matcher.toneless_groups[group]:
                    matches.append(
                        Match(
                            term, first, last, sentence[first:last], tone_insensitive=seen != exact
                        )
                    )
            return matches
        for start, end, group in leftmost_longest(matcher.automaton.scan(symbols)):
            first, last = spans[start][0], spans[end - 1][1]
            for term in matcher.groups[group]:
                matches.append(Match(term, first, last, sentence[first:last]))
        return matches


# --- lookup ----------------------------------------------------------------------------------


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
            if language in CHINESE_LANGUAGES and _has_han(term.text):
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
        self._tie_break = [_tie_break(term) for term in self.terms]
        self.fuzzy_threshold = fuzzy_threshold
        self.candidate_cap = candidate_cap
        self.fuzzy_candidates = fuzzy_candidates

        def miao_key(text: str) -> str:
            return simple_normalise(miao_normalise(text.casefold()))

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
        """At most `limit` hits, best first (see `Hit.rank_key`)."""
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
