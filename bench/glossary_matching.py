"""Glossary lookup and term recognition, against naive scans measured in the same run.

    .venv/bin/python -m bench.glossary_matching [--concepts 10000] [--sentences 1000]
                                                [--queries 2000] [--seed 1]

Synthetic glossary, built in memory only (nothing is written into glossaries/): each concept
has one Chinese and one Miao placeholder term, neither of which can pass for a real term.
Chinese: the prefix 术语 plus the concept number in base 16, written with 16 rare characters
(龘靐齉爩…, all unchanged by t2s); concepts below 4096 get three such digits, the rest four, so
shorter terms are prefixes of longer ones and longest-match matters. Miao (mmr): zz-00000 to
zz-09999. Sentences: half Chinese filler (common function characters) and half Miao filler
words (yy-123), each with one to three terms embedded.

Lookup: queries of eight kinds in equal shares (Chinese exact, prefix, toneless and toned
pinyin, one-character typo; Miao exact, prefix, one-character typo), p50/p95 in ms. The naive
baseline scans every term with ==, startswith and `in` on the same precomputed keys and
pinyin; it does no fuzzy matching, so on typo queries it does less work than the index.
The synthetic keys are unusually alike (one prefix, digits from a small set), so prefix and
fuzzy stages meet more candidates here than in a real glossary.
Recognition: the automaton against testing every term of the sentence's language with
str.find.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from interp_service.glossary.lexicon import orthography
from interp_service.glossary.search.folding import chinese_key, pinyin_query, term_pinyin
from interp_service.glossary.search.matching import (
    IndexedTerm,
    LookupIndex,
    TermRecogniser,
    simple_normalise,
)

RARE = "龘靐齉爩鱻麤灪籱羴猋掱毳犇麣骉飝"
TYPO = "鼺"
FILLER_HAN = "的了在是和与对把被将于其及或"
STATUSES = ("preferred", "admitted", "deprecated", "forbidden")


def chinese_placeholder(number: int) -> str:
    digits = 3 if number < 16**3 else 4
    out = []
    for _ in range(digits):
        number, digit = divmod(number, 16)
        out.append(RARE[digit])
    return "术语" + "".join(reversed(out))


def build_terms(concepts: int, rng: random.Random) -> list[IndexedTerm]:
    terms = []
    for n in range(concepts):
        status = rng.choice(STATUSES)
        terms.append(
            IndexedTerm(2 * n + 1, n + 1, "cmn", "", chinese_placeholder(n), status, "approved")
        )
        terms.append(IndexedTerm(2 * n + 2, n + 1, "mmr", "", f"zz-{n:05d}", status, "approved"))
    return terms


def build_sentences(
    terms: list[IndexedTerm], count: int, rng: random.Random
) -> list[tuple[str, str]]:
    chinese = [t.text for t in terms if t.language == "cmn"]
    miao = [t.text for t in terms if t.language == "mmr"]
    sentences = []
    for i in range(count):
        if i % 2 == 0:
            parts = ["".join(rng.choices(FILLER_HAN, k=rng.randint(5, 15)))]
            for text in rng.sample(chinese, rng.randint(1, 3)):
                parts += [text, "".join(rng.choices(FILLER_HAN, k=rng.randint(5, 15)))]
            sentences.append(("".join(parts) + "。", "cmn"))
        else:
            words = [f"yy-{rng.randint(0, 999)}" for _ in range(rng.randint(6, 14))]
            for text in rng.sample(miao, rng.randint(1, 3)):
                words.insert(rng.randint(0, len(words)), text)
            sentences.append((" ".join(words) + ".", "mmr"))
    return sentences


def typo(text: str, start: int, replacement: str, rng: random.Random) -> str:
    at = rng.randrange(start, len(text))
    return text[:at] + replacement + text[at + 1 :]


def build_queries(terms: list[IndexedTerm], count: int, rng: random.Random) -> list[str]:
    chinese = [t.text for t in terms if t.language == "cmn"]
    miao = [t.text for t in terms if t.language == "mmr"]
    kinds: list[Callable[[], str]] = [
        lambda: rng.choice(chinese),
        lambda: rng.choice(chinese)[:4],
        lambda: term_pinyin(rng.choice(chinese))[1],
        lambda: term_pinyin(rng.choice(chinese))[0],
        lambda: typo(rng.choice(chinese), 2, TYPO, rng),
        lambda: rng.choice(miao),
        lambda: rng.choice(miao)[:7],
        lambda: typo(rng.choice(miao), 3, "q", rng),
    ]
    return [kinds[i % len(kinds)]() for i in range(count)]


class NaiveLookup:
    """Every term tested with ==, startswith and `in` on precomputed keys and pinyin."""

    def __init__(self, terms: list[IndexedTerm]) -> None:
        self.rows = []
        for t in terms:
            key = chinese_key(t.text) if t.language == "cmn" else simple_normalise(t.text)
            toned, plain = term_pinyin(t.text) if t.language == "cmn" else ("", "")
            self.rows.append((t, key, toned, plain))

    def search(self, query: str) -> list[IndexedTerm]:
        keys = {"cmn": chinese_key(query), "mmr": simple_normalise(query)}
        pinyin = pinyin_query(query)
        toned, plain_query = pinyin if pinyin is not None else (None, "\x00")
        found = []
        for t, key, toned_key, plain in self.rows:
            q = keys[t.language]
            if (
                key == q
                or key.startswith(q)
                or q in key
                or toned_key == toned
                or plain.startswith(plain_query)
            ):
                found.append(t)
        return found


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def timed(call: Callable[[str], object], queries: list[str]) -> list[float]:
    """Latency of each call in ms."""
    out = []
    for query in queries:
        start = time.perf_counter()
        call(query)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concepts", type=int, default=10_000)
    parser.add_argument("--sentences", type=int, default=1000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    terms = build_terms(args.concepts, rng)
    sentences = build_sentences(terms, args.sentences, rng)
    queries = build_queries(terms, args.queries, rng)
    print(f"{len(terms)} terms, {len(sentences)} sentences, {len(queries)} queries")

    # The service's own configuration: Miao keys come from the orthography module.
    options = {"miao_normalise": orthography.normalise, "miao_tone_key": orthography.lookup_key}
    start = time.perf_counter()
    index = LookupIndex(terms, **options)
    built_index = time.perf_counter() - start
    start = time.perf_counter()
    recogniser = TermRecogniser(terms, **options)
    built_recogniser = time.perf_counter() - start
    naive = NaiveLookup(terms)
    print(f"build: lookup index {built_index:.2f} s, recogniser {built_recogniser:.2f} s")

    index.search(queries[0])  # warm the OpenCC and pypinyin caches
    fast = timed(index.search, queries)
    slow = timed(naive.search, queries)
    fast50, fast95 = percentile(fast, 0.5), percentile(fast, 0.95)
    slow50, slow95 = percentile(slow, 0.5), percentile(slow, 0.95)
    print(f"lookup index: p50 {fast50:.3f} ms, p95 {fast95:.3f} ms")
    print(f"naive scan:   p50 {slow50:.3f} ms, p95 {slow95:.3f} ms")
    print(f"lookup speed-up: p50 x{slow50 / fast50:.0f}, p95 x{slow95 / fast95:.0f}")

    by_language: dict[str, list[str]] = {}
    for t in terms:
        by_language.setdefault(t.language, []).append(t.text)
    start = time.perf_counter()
    found = sum(len(recogniser.find(s, language)) for s, language in sentences)
    cold = time.perf_counter() - start
    # Second pass: the per-word orthography cache has seen these words, as it will have in
    # a running service; the cold first pass is printed too.
    start = time.perf_counter()
    found = sum(len(recogniser.find(s, language)) for s, language in sentences)
    automaton = time.perf_counter() - start
    start = time.perf_counter()
    naive_found = sum(
        1 for s, language in sentences for text in by_language[language] if s.find(text) >= 0
    )
    scanned = time.perf_counter() - start
    per = 1000 / len(sentences)
    print(
        f"recognition automaton: {automaton * per:.3f} ms/sentence ({found} matches), "
        f"first pass with cold word cache {cold * per:.3f} ms/sentence"
    )
    print(f"recognition naive:     {scanned * per:.3f} ms/sentence ({naive_found} occurrences)")
    print(f"recognition speed-up: x{scanned / automaton:.0f} (cold: x{scanned / cold:.0f})")


if __name__ == "__main__":
    main()
