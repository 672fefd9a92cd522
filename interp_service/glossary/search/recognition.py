"""Finding glossary terms in sentences; pure and in memory.

`TermRecogniser` is an Aho-Corasick automaton over all terms of a language: one pass over a
sentence gives every term in it, with character spans into the original sentence, overlaps
resolved leftmost-longest. Build it once from `IndexedTerm`s; rebuild it when the glossary
changes.

Chinese (cmn, zho, chi) is matched character by character after folding each character on its
own (see `folding`). Other languages are matched word by word, so a term never matches inside a
longer word. For Miao (mmr, muq) each word goes through the plugged `miao_normalise` (the
orthography's `normalise`), and a plugged `miao_tone_key` (its `strip_tones`) enables
tone-insensitive matching; the defaults only lowercase and strip. Zero-width characters
and direction controls (`interp_service.invisible`) are ignored on both sides, and spans
still point into the sentence as given (`取\u200b保候审` gives the span 0-5).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence

from interp_service.glossary.search.automaton import Automaton, leftmost_longest
from interp_service.glossary.search.folding import fold_chinese
from interp_service.glossary.search.match_records import (
    CHINESE_LANGUAGES,
    MIAO_LANGUAGES,
    IndexedTerm,
    Match,
    TextKey,
    simple_normalise,
)
from interp_service.invisible import strip_invisible_mapped

# Narrowing a search: which terms count, and which character spans (start, end) may hold one.
TermFilter = Callable[[IndexedTerm], bool]
SpanFilter = Callable[[int, int], bool]

# A word: letters and digits (tone numbers), joined by in-word hyphens or apostrophes; any
# other non-space character is a token of its own so a term cannot match across punctuation.
_TOKEN = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*|\S")


def _word_symbols(text: str, key: TextKey) -> tuple[list[str], list[tuple[int, int]]]:
    """Normalised word symbols of a text and each symbol's span in it.

    Zero-width characters and direction controls are left out before the text is split
    into words (they would split one), and each span is mapped back into `text`."""
    symbols: list[str] = []
    spans: list[tuple[int, int]] = []
    visible, origin = strip_invisible_mapped(text)
    for token in _TOKEN.finditer(visible):
        parts = _split_key(key, token.group())
        span = token.span()
        if origin is not None:
            span = (origin[span[0]], origin[span[1] - 1] + 1)
        for part in parts:
            symbols.append(part)
            spans.append(span)
    return symbols, spans


@functools.lru_cache(maxsize=1 << 16)
def _split_key(key: TextKey, word: str) -> tuple[str, ...]:
    return tuple(key(word).split())


class _LanguageMatcher:
    """The automata and term groups of one language."""

    def __init__(self, terms: list[IndexedTerm], word_key: TextKey | None) -> None:
        """`word_key` normalises one word; None means Chinese, matched by character."""
        self.word_key = word_key
        self.automaton = Automaton()
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
        self.toneless: Automaton | None = None
        self.toneless_groups: list[list[tuple[IndexedTerm, tuple[str, ...]]]] = []

    def add_toneless(self, tone_key: TextKey) -> None:
        self.toneless = Automaton()
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

    def __init__(self, origin: Sequence[int]) -> None:
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

    def find(
        self,
        sentence: str,
        language: str,
        *,
        tone_insensitive: bool = False,
        accept: TermFilter | None = None,
        span_ok: SpanFilter | None = None,
    ) -> list[Match]:
        """Terms of `language` in the sentence, leftmost-longest, ordered by start.

        Several glossary terms with the same spelling give one Match each, same span, preferred
        first. `tone_insensitive` (Miao only) needs the recogniser to have a `miao_tone_key`.

        `accept` and `span_ok` narrow the search *before* overlaps are resolved, so a term left
        out never hides a shorter or later one: only terms `accept` returns True for count,
        and only occurrences whose character span `span_ok(start, end)` allows."""
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
            members = matcher.toneless_groups
            found = _narrowed(
                matcher.toneless.scan(toneless),
                lambda group: [term for term, _ in members[group]],
                spans,
                accept,
                span_ok,
            )
            for start, end, group in leftmost_longest(found):
                first, last = spans[start][0], spans[end - 1][1]
                seen = tuple(symbols[start:end])
                for term, exact in members[group]:
                    if accept is None or accept(term):
                        matches.append(
                            Match(
                                term,
                                first,
                                last,
                                sentence[first:last],
                                tone_insensitive=seen != exact,
                            )
                        )
            return matches
        groups = matcher.groups
        found = _narrowed(
            matcher.automaton.scan(symbols), groups.__getitem__, spans, accept, span_ok
        )
        for start, end, group in leftmost_longest(found):
            first, last = spans[start][0], spans[end - 1][1]
            for term in groups[group]:
                if accept is None or accept(term):
                    matches.append(Match(term, first, last, sentence[first:last]))
        return matches


def _narrowed(
    found: list[tuple[int, int, int]],
    members: Callable[[int], Sequence[IndexedTerm]],
    spans: _Spans,
    accept: TermFilter | None,
    span_ok: SpanFilter | None,
) -> list[tuple[int, int, int]]:
    """The occurrences (symbol start, end, group) that hold an accepted term on an allowed
    span; all of them when there is no filter."""
    if accept is None and span_ok is None:
        return found
    kept: list[tuple[int, int, int]] = []
    verdicts: dict[int, bool] = {}
    for start, end, group in found:
        if accept is not None:
            verdict = verdicts.get(group)
            if verdict is None:
                verdict = verdicts[group] = any(accept(t) for t in members(group))
            if not verdict:
                continue
        if span_ok is not None and not span_ok(spans[start][0], spans[end - 1][1]):
            continue
        kept.append((start, end, group))
    return kept
