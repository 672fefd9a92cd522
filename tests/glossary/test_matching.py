"""Term recognition in sentences and ranked term lookup (no database).

Miao terms are placeholders (zz-...): no Miao word is invented here."""

from __future__ import annotations

import random

import pytest

from interp_service.glossary.search.automaton import leftmost_longest
from interp_service.glossary.search.folding import chinese_key
from interp_service.glossary.search.matching import (
    IndexedTerm,
    LookupIndex,
    Match,
    TermRecogniser,
    simple_normalise,
)

_next_id = iter(range(1, 1_000_000))


def term(
    text: str,
    language: str = "cmn",
    *,
    status: str = "preferred",
    verification: str = "approved",
    concept_id: int | None = None,
) -> IndexedTerm:
    term_id = next(_next_id)
    return IndexedTerm(term_id, concept_id or term_id, language, "", text, status, verification)


def spans(matches: list[Match]) -> list[tuple[str, int, int]]:
    return [(m.term.text, m.start, m.end) for m in matches]


LEGAL = [
    term("取保候审"),
    term("逮捕"),
    term("批准逮捕"),
    term("犯罪嫌疑人"),
    term("候审期间"),
    term("嫌疑人", status="deprecated"),
]


def test_term_found_with_its_span() -> None:
    sentence = "犯罪嫌疑人申请取保候审的"
    found = spans(TermRecogniser(LEGAL).find(sentence, "cmn"))
    assert ("取保候审", 7, 11) in found
    assert sentence[7:11] == "取保候审"


def test_traditional_input_spans_refer_to_the_original() -> None:
    sentence = "  犯罪嫌疑人申請取保候審，"
    found = TermRecogniser(LEGAL).find(sentence, "cmn")
    hit = next(m for m in found if m.term.text == "取保候审")
    assert (hit.start, hit.end, hit.text) == (9, 13, "取保候審")
    assert sentence[hit.start : hit.end] == "取保候審"


def test_full_width_latin_folds_and_keeps_offsets() -> None:
    recogniser = TermRecogniser([term("DNA鉴定")])
    sentence = "进行ＤＮＡ鑒定。"
    (hit,) = recogniser.find(sentence, "cmn")
    assert sentence[hit.start : hit.end] == "ＤＮＡ鑒定"


def test_longest_match_wins() -> None:
    found = spans(TermRecogniser(LEGAL).find("检察院批准逮捕犯罪嫌疑人", "cmn"))
    assert found == [("批准逮捕", 3, 7), ("犯罪嫌疑人", 7, 12)]


def test_overlapping_terms_resolved_leftmost() -> None:
    # 取保候审 and 候审期间 overlap on 候审: the leftmost wins, nothing overlaps.
    found = spans(TermRecogniser(LEGAL).find("取保候审期间不得离开", "cmn"))
    assert found == [("取保候审", 0, 4)]


def test_forbidden_terms_found_with_status() -> None:
    recogniser = TermRecogniser([term("zz-ffo", "mmr", status="forbidden")])
    (hit,) = recogniser.find("zz-aa zz-ffo", "mmr")
    assert hit.status == "forbidden"


def test_miao_term_not_found_inside_a_longer_word() -> None:
    recogniser = TermRecogniser([term("zz-aab", "mmr"), term("zz-cc zz-dd", "mmr")])
    assert recogniser.find("zz-aabx zz-aab-ee xzz-aab", "mmr") == []
    found = spans(recogniser.find("Zz-aab, zz-cc  ZZ-DD zz-cc, zz-dd", "mmr"))
    # Case-folded, spaces between words free, but not across punctuation.
    assert found == [("zz-aab", 0, 6), ("zz-cc zz-dd", 8, 20)]


def test_miao_uses_the_plugged_normaliser_and_tone_key() -> None:
    def normalise(text: str) -> str:
        return simple_normalise(text).replace("zq", "zz")  # a stand-in variant spelling

    def strip_tones(text: str) -> str:
        return text.rstrip("0123456789")

    recogniser = TermRecogniser(
        [term("zz-aab1", "mmr")], miao_normalise=normalise, miao_tone_key=strip_tones
    )
    assert spans(recogniser.find("zq-aab1 .", "mmr")) == [("zz-aab1", 0, 7)]
    assert recogniser.find("zz-aab2", "mmr") == []
    (hit,) = recogniser.find("zz-aab2", "mmr", tone_insensitive=True)
    assert hit.tone_insensitive
    (hit,) = recogniser.find("zz-aab1", "mmr", tone_insensitive=True)
    assert not hit.tone_insensitive
    with pytest.raises(ValueError):
        TermRecogniser([term("zz-a", "mmr")]).find("zz-a", "mmr", tone_insensitive=True)

    index = LookupIndex(
        [term("zz-aab1", "mmr")], miao_normalise=normalise, miao_tone_key=strip_tones
    )
    assert [h.how for h in index.search("zq-aab1")] == ["exact"]
    assert [h.how for h in index.search("zz-aab3")] == ["tone-insensitive"]


def test_english_word_boundaries_and_case() -> None:
    recogniser = TermRecogniser([term("bail", "eng")])
    assert spans(recogniser.find("Bail was granted; bailiff", "eng")) == [("bail", 0, 4)]


@pytest.mark.parametrize(
    "query", ["qubaohoushen", "qu3bao3hou4shen3", "qu bao hou shen", "qǔ bǎo hòu shěn"]
)
def test_lookup_by_pinyin_with_or_without_tones(query: str) -> None:
    hits = LookupIndex(LEGAL).search(query)
    assert hits[0].term.text == "取保候审"
    assert hits[0].how == "pinyin"
    assert hits[0].score == 100


def test_pinyin_with_wrong_tones_ranks_lower() -> None:
    (hit,) = LookupIndex(LEGAL).search("qu1bao1hou1shen1")
    assert (hit.term.text, hit.score) == ("取保候审", 90)


def test_lookup_by_prefix() -> None:
    hits = LookupIndex(LEGAL).search("批准")
    assert [(h.term.text, h.how) for h in hits] == [("批准逮捕", "prefix")]


def test_lookup_traditional_input_is_exact() -> None:
    (hit,) = LookupIndex(LEGAL).search("取保候審")
    assert (hit.term.text, hit.how) == ("取保候审", "exact")


def test_fuzzy_finds_one_character_typo() -> None:
    hits = LookupIndex(LEGAL).search("取保侯审")
    assert [(h.term.text, h.how) for h in hits] == [("取保候审", "fuzzy")]
    miao = LookupIndex([term("zz-abcde", "mmr")]).search("zz-abdde")
    assert [(h.term.text, h.how) for h in miao] == [("zz-abcde", "fuzzy")]


def test_ranking_exact_above_prefix_above_fuzzy() -> None:
    index = LookupIndex([term("zz-abcd", "mmr"), term("zz-abcdx", "mmr"), term("zz-abce", "mmr")])
    hits = index.search("ZZ-ABCD", language="mmr")
    assert [(h.term.text, h.how) for h in hits] == [
        ("zz-abcd", "exact"),
        ("zz-abcdx", "prefix"),
        ("zz-abce", "fuzzy"),
    ]
    assert hits[0].score > hits[2].score


def test_preferred_approved_ranked_above_forbidden_at_equal_quality() -> None:
    forbidden = term("zz-same", "mmr", status="forbidden", verification="approved")
    unverified = term("zz-same", "mmr", status="preferred", verification="unverified")
    preferred = term("zz-same", "mmr", status="preferred", verification="approved")
    hits = LookupIndex([forbidden, unverified, preferred]).search("zz-same")
    assert [h.term for h in hits] == [preferred, unverified, forbidden]
    assert hits[-1].status == "forbidden"
    matches = TermRecogniser([forbidden, preferred]).find("zz-same", "mmr")
    assert [m.term for m in matches] == [preferred, forbidden]


def test_language_filter_and_english_case() -> None:
    index = LookupIndex([term("Bail", "eng"), term("zz-bail", "mmr")])
    assert [h.term.text for h in index.search("bail", language="eng")] == ["Bail"]
    assert index.search("bail", language="muq") == []


# --- property-style check against a naive scan ------------------------------------------------


def _naive_find(sentence: str, terms: list[IndexedTerm], words: bool) -> set[tuple[int, int, int]]:
    found: list[tuple[int, int, int]] = []
    for t in terms:
        start = sentence.find(t.text)
        while start >= 0:
            end = start + len(t.text)
            bounded = start == 0 or sentence[start - 1] in " ,"
            bounded = bounded and (end == len(sentence) or sentence[end] in " ,")
            if bounded or not words:
                found.append((start, end, t.term_id))
            start = sentence.find(t.text, start + 1)
    by_span: dict[tuple[int, int], list[int]] = {}
    for start, end, term_id in found:
        by_span.setdefault((start, end), []).append(term_id)
    kept = leftmost_longest((s, e, 0) for s, e in by_span)
    return {(s, e, term_id) for s, e, _ in kept for term_id in by_span[(s, e)]}


def _glossary(rng: random.Random) -> tuple[list[IndexedTerm], list[IndexedTerm]]:
    han = "甲乙丙丁戊"
    chinese = {"".join(rng.choice(han) for _ in range(rng.randint(1, 4))) for _ in range(60)}
    syllables = ["zz-a", "zz-b", "zz-ab", "zz-c"]
    miao = {" ".join(rng.choice(syllables) for _ in range(rng.randint(1, 3))) for _ in range(30)}
    return (
        [term(text, "cmn") for text in sorted(chinese)],
        [term(text, "mmr") for text in sorted(miao)],
    )


def test_recognition_equals_naive_scan_on_random_glossary() -> None:
    rng = random.Random(20240611)
    for _ in range(5):
        chinese, miao = _glossary(rng)
        recogniser = TermRecogniser(chinese + miao)
        for _ in range(40):
            sentence = "".join(rng.choice("甲乙丙丁戊己") for _ in range(rng.randint(0, 30)))
            got = {(m.start, m.end, m.term.term_id) for m in recogniser.find(sentence, "cmn")}
            assert got == _naive_find(sentence, chinese, words=False), sentence
            words = [rng.choice(["zz-a", "zz-b", "zz-ab", "zz-c", "zz-d"]) for _ in range(12)]
            sentence = "".join(w + rng.choice([" ", " ", ", "]) for w in words).strip(" ,")
            got = {(m.start, m.end, m.term.term_id) for m in recogniser.find(sentence, "mmr")}
            assert got == _naive_find(sentence, miao, words=True), sentence


def test_lookup_exact_and_prefix_equal_naive_scan_on_random_glossary() -> None:
    rng = random.Random(7)
    chinese, miao = _glossary(rng)
    terms = chinese + miao
    index = LookupIndex(terms, candidate_cap=10_000)
    queries = [t.text[: rng.randint(1, len(t.text))] for t in terms] + ["甲乙", "zz", "戊戊戊"]
    for query in queries:
        for language in ("cmn", "mmr"):
            hits = index.search(query, language=language, limit=10_000)
            got = {(h.term.term_id, h.how) for h in hits if h.how in ("exact", "prefix")}
            key = chinese_key if language == "cmn" else simple_normalise
            want = set()
            for t in terms:
                if t.language != language:
                    continue
                if key(t.text) == key(query):
                    want.add((t.term_id, "exact"))
                elif key(t.text).startswith(key(query)):
                    want.add((t.term_id, "prefix"))
            assert got == want, query
