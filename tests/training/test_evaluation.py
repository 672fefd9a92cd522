"""Scores and the retrieval baseline the promotion gate compares a model with."""

from __future__ import annotations

from interp_service.training.dataset import Example
from interp_service.training.evaluation import (
    Scores,
    baseline_outputs,
    bleu_tokenize,
    evaluate_baseline,
    sample_rows,
    score,
)
from interp_service.training.gloss import copy_source, term_gloss


def pair(source: str, target: str, origin: str = "memory") -> Example:
    return Example(source, target, "cmn", "mmr", origin=origin)


def test_bleu_segments_chinese_targets() -> None:
    assert bleu_tokenize("cmn") == "zh" and bleu_tokenize("mmr") == "13a"
    chinese = score(["你认识他的邻居"], ["你认识他的邻居吗"], "cmn")
    assert chinese.bleu > 0  # with 13a an unsegmented Chinese sentence is one "word"
    assert score(["a b c d"], ["a b c d"], "mmr") == Scores(100.0, 100.0, 1)
    assert score([], [], "mmr") == Scores(0.0, 0.0, 0)


def test_baseline_uses_the_training_memory_then_the_gloss() -> None:
    train = [
        pair("请说明被告人的情况", "zz-0001 zz-0002 zz-0101 zz-0003"),
        pair("证人", "zz-0102", origin="glossary"),  # terms are not memory sentences
    ]
    test = [
        pair("请说明证人的情况", "zz-0001 zz-0002 zz-0102 zz-0003"),  # fuzzy hit (82)
        pair("证人", "zz-0102"),  # only the glossary knows it: the gloss answers
        pair("完全不同的一句话", "zz-0900"),
    ]
    gloss = term_gloss([p for p in train if p.origin == "glossary"])
    outputs = baseline_outputs(train, test, gloss)
    assert outputs == ["zz-0001 zz-0002 zz-0101 zz-0003", "zz-0102", "[完全不同的一句话]"]
    assert baseline_outputs(train, test, None)[1:] == ["", ""]
    assert baseline_outputs(train, test[2:], copy_source) == ["完全不同的一句话"]
    scores = evaluate_baseline(train, test, gloss)
    assert scores.n == 3 and 0 < scores.chrf < 100


def test_a_test_pair_is_never_its_own_baseline() -> None:
    test = [pair("你认识证人吗", "zz-0006 zz-0102")]
    assert baseline_outputs([], test, None) == [""]
    assert evaluate_baseline(test, test, None).chrf == 100.0  # what withholding prevents


def test_term_gloss_takes_the_longest_term() -> None:
    terms = [
        Example("zz-0110", "车", "mmr", "cmn", origin="glossary"),
        Example("zz-0110 zz-0111", "那辆车", "mmr", "cmn", origin="glossary"),
    ]
    gloss = term_gloss(terms)
    assert gloss("zz-0110 zz-0111 zz-0999 zz-0998") == "那辆车[zz-0999 zz-0998]"
    assert gloss("ZZ-0110") == "车"


def test_sample_rows_keep_the_test_order() -> None:
    test = [pair(f"句子{i}", f"zz-{i:04d}") for i in range(12)]
    rows = sample_rows(test, ["b"] * 12, ["c"] * 12)
    assert len(rows) == 10 and rows[0].source == "句子0" and rows[0].reference == "zz-0000"
