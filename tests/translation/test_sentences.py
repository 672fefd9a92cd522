"""Sentence splitting with exact offsets."""

from __future__ import annotations

from pathlib import Path

import pytest

from interp_service.translation.sentences import Span, split_sentences

NTREX = Path(__file__).parents[2].parent / "shared" / "data" / "ntrex128"
needs_ntrex = pytest.mark.skipif(not NTREX.is_dir(), reason=f"shared data missing: {NTREX}")


def texts(text: str, language: str) -> list[str]:
    spans = split_sentences(text, language)
    for span in spans:
        assert text[span.start : span.end] == span.text
        assert span.text and span.text == span.text.strip()
    return [span.text for span in spans]


def test_chinese_splits_after_end_marks_keeping_closing_quotes() -> None:
    text = "他说：“我不去。”你呢？好吧……\n  第二行；结束"
    assert texts(text, "cmn") == ["他说：“我不去。”", "你呢？", "好吧……", "第二行；", "结束"]


def test_chinese_keeps_closing_brackets_and_ignores_decimal_points() -> None:
    text = "罚金3.5万元（已缴纳。）下一句！"
    assert texts(text, "cmn") == ["罚金3.5万元（已缴纳。）", "下一句！"]


def test_latin_splits_only_before_whitespace() -> None:
    text = "First one. Second one? Third 3.5 stays! Last"
    assert texts(text, "eng") == ["First one.", "Second one?", "Third 3.5 stays!", "Last"]


def test_english_abbreviations_initials_and_lower_case_continuations() -> None:
    text = 'Mr. Smith met J. Doe, e.g. here. "Why?" she asked. Done.'
    assert texts(text, "eng") == ["Mr. Smith met J. Doe, e.g. here.", '"Why?" she asked.', "Done."]


def test_miao_uses_latin_rules_and_newlines() -> None:
    text = "zz-0001 zz-0002. zz-0003!\nzz-0004"
    assert texts(text, "mmr") == ["zz-0001 zz-0002.", "zz-0003!", "zz-0004"]


def test_offsets_are_character_offsets_and_no_empty_sentences() -> None:
    text = "\n\n  甲。 \n\n乙。。  "
    spans = split_sentences(text, "cmn")
    assert spans == [Span(4, 6, "甲。"), Span(9, 12, "乙。。")]
    assert split_sentences("", "cmn") == []
    assert split_sentences(" \n\t ", "eng") == []


@needs_ntrex
@pytest.mark.parametrize(
    ("name", "language"),
    [("newstest2019-ref.zho-CN.txt", "cmn"), ("newstest2019-src.eng.txt", "eng")],
)
def test_real_lines_round_trip(name: str, language: str) -> None:
    text = (NTREX / name).read_text(encoding="utf-8")[:20000]
    spans = split_sentences(text, language)
    assert len(spans) >= text.count("\n")
    bounds = [0, *(offset for span in spans for offset in (span.start, span.end)), len(text)]
    gaps = [text[bounds[i] : bounds[i + 1]] for i in range(0, len(bounds), 2)]
    assert all(not gap.strip() for gap in gaps)  # every character outside a span is space
    for span in spans:
        assert text[span.start : span.end] == span.text
