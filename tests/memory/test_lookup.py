"""MemoryIndex on its own: exact and fuzzy lookup, scores, threshold, differing spans, the
variety rule, and the pre-filter giving the same answers as scoring every entry."""

from __future__ import annotations

import random

from rapidfuzz import fuzz

from interp_service.memory.lookup import IndexedEntry, MemoryIndex, length_window
from interp_service.translation.normalise import match_key


def entry(
    entry_id: int, source: str, target: str, variety: str = "", language: str = "cmn"
) -> IndexedEntry:
    other = "mmr" if language == "cmn" else "cmn"
    return IndexedEntry(
        entry_id, language, other, variety, match_key(source, language), source, target, "interview"
    )


def test_exact_match_ignores_form_but_not_words() -> None:
    index = MemoryIndex([entry(1, "你听得懂翻译人员说的话吗？", "zz-0001")])
    hit = index.exact("你听得懂翻譯人員說的話嗎?", "cmn", "mmr")
    assert hit is not None and hit.entry_id == 1 and hit.kind == "exact" and hit.score == 100
    assert hit.target_text == "zz-0001"
    assert index.exact("你听得懂翻译人员说的话吗", "cmn", "mmr") is not None
    assert index.exact("你听不懂翻译人员说的话吗", "cmn", "mmr") is None
    assert index.exact("你听得懂翻译人员说的话吗？", "mmr", "cmn") is None  # other direction
    assert index.exact("你听得懂翻译人员说的话吗？", "cmn", "muq") is None  # other language


def test_fuzzy_score_threshold_and_differences() -> None:
    index = MemoryIndex(
        [
            entry(1, "你昨天晚上在什么地方？", "zz-0001"),
            entry(2, "你今天上午去了哪里？", "zz-0002"),
        ]
    )
    query = "你前天晚上在什么地方？"
    hits = index.fuzzy(query, "cmn", "mmr")
    assert [h.entry_id for h in hits] == [1]
    hit = hits[0]
    want = round(fuzz.ratio(match_key(query, "cmn"), match_key("你昨天晚上在什么地方？", "cmn")), 2)
    assert hit.kind == "fuzzy" and hit.score == want and 75 <= hit.score < 100
    assert hit.differences == [("replace", 1, 2, 1, 2)]  # 前 → 昨
    assert index.fuzzy(query, "cmn", "mmr", threshold=95) == []
    assert (
        index.fuzzy("你前天晚上在什么地方？", "cmn", "mmr", threshold=0, limit=5)[0].entry_id == 1
    )


def test_fuzzy_insert_and_delete_spans() -> None:
    index = MemoryIndex([entry(1, "你叫什么名字？", "zz-0001")])
    longer = index.fuzzy("你到底叫什么名字？", "cmn", "mmr")[0]
    assert longer.differences == [("delete", 1, 3, 1, 1)]  # the query has 到底 in addition
    shorter = index.fuzzy("你叫什么名？", "cmn", "mmr")[0]
    assert shorter.differences == [("insert", 5, 5, 5, 6)]  # the entry has 字 in addition


def test_exact_hit_is_not_repeated_as_fuzzy() -> None:
    index = MemoryIndex([entry(1, "你叫什么名字？", "zz-0001")])
    assert index.exact("你叫什么名字", "cmn", "mmr") is not None
    assert index.fuzzy("你叫什么名字", "cmn", "mmr") == []


def test_variety_rule() -> None:
    index = MemoryIndex(
        [
            entry(1, "你叫什么名字？", "zz-0001", variety=""),
            entry(2, "你叫什么名字？", "zz-0002", variety="花垣"),
            entry(3, "你住在哪里？", "zz-0003", variety="凤凰"),
        ]
    )
    same = index.exact("你叫什么名字？", "cmn", "mmr", "花垣")
    assert same is not None and same.entry_id == 2  # the requested variety wins
    generic = index.exact("你叫什么名字？", "cmn", "mmr", "吉首")
    assert generic is not None and generic.entry_id == 1  # "" serves every variety
    unspecified = index.exact("你叫什么名字？", "cmn", "mmr")
    assert unspecified is not None and unspecified.entry_id == 1
    assert index.exact("你住在哪里？", "cmn", "mmr", "花垣") is None  # 凤凰 only
    found = index.exact("你住在哪里？", "cmn", "mmr", "")
    assert found is not None and found.entry_id == 3  # no variety asked: any
    fuzzy = index.fuzzy("你到底叫什么名字？", "cmn", "mmr", "花垣", limit=5)
    assert [h.entry_id for h in fuzzy] == [2, 1]  # equal scores: same variety first
    assert index.fuzzy("你到底住在哪里？", "cmn", "mmr", "花垣") == []


def test_miao_source_and_empty_targets() -> None:
    index = MemoryIndex(
        [
            entry(1, "zz-0001 zz-0002 zz-0003", "我不知道。", language="mmr"),
            entry(2, "zz-0004 zz-0005", "", language="mmr"),  # no target: never a hit
        ]
    )
    hit = index.exact("ZZ-0001  zz-0002 zz-0003.", "mmr", "cmn")
    assert hit is not None and hit.target_text == "我不知道。"
    assert index.exact("zz-0004 zz-0005", "mmr", "cmn") is None
    anything = index.fuzzy("zz-0004 zz-0005", "mmr", "cmn", threshold=0, limit=5)
    assert [h.entry_id for h in anything] == [1]
    near = index.fuzzy("zz-0001 zz-0002 zz-0009", "mmr", "cmn")
    assert [h.entry_id for h in near] == [1]


def test_length_window_bounds() -> None:
    assert length_window(20, 0.75) == (12, 33)
    assert length_window(10, 1.0) == (10, 10)
    low, high = length_window(20, 0.75)
    # the edges can still reach the threshold, one character beyond cannot
    assert fuzz.ratio("a" * 20, "a" * low) >= 75 > fuzz.ratio("a" * 20, "a" * (low - 1))
    assert fuzz.ratio("a" * 20, "a" * high) >= 75 > fuzz.ratio("a" * 20, "a" * (high + 1))


def test_prefilter_agrees_with_scoring_every_entry() -> None:
    rng = random.Random(7)
    chars = "的了在是我你他们去来说看家里村山路钱手机牛猪鸡米酒饭"
    texts = list({"".join(rng.choices(chars, k=rng.randint(2, 30))) for _ in range(3000)})
    index = MemoryIndex([entry(i + 1, t, f"zz-{i:04d}") for i, t in enumerate(texts)])
    for _ in range(150):
        base = list(rng.choice(texts))
        for _ in range(rng.randint(0, 4)):
            base[rng.randrange(len(base))] = rng.choice(chars)
        query = "".join(base)
        key = match_key(query, "cmn")
        threshold = rng.choice((60.0, 75.0, 90.0))
        scored = [(fuzz.ratio(key, match_key(t, "cmn")), i + 1) for i, t in enumerate(texts)]
        kept = [
            (score, n)
            for score, n in scored
            if score >= threshold and match_key(texts[n - 1], "cmn") != key
        ]
        want = [(round(s, 2), n) for s, n in sorted(kept, key=lambda m: (-m[0], -m[1]))[:3]]
        got = index.fuzzy(query, "cmn", "mmr", threshold=threshold)
        assert [(h.score, h.entry_id) for h in got] == want
