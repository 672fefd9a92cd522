"""Text normalisation for the translation pipeline: Chinese, Miao, dispatch, keys, bytes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from interp_service.errors import ValidationFailed
from interp_service.translation.normalise import (
    UndecodableText,
    decode_bytes,
    match_key,
    normalise,
    normalise_chinese,
    normalise_miao,
)

LEXICON = Path(__file__).parents[2] / "glossaries" / "xiangxi-lexicon-chen2012.tsv"


def lexicon_form(concept_id: str) -> str:
    """The first Xiangxi Miao form of a concept in the shipped Chen (2012) lexicon."""
    with LEXICON.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row["concept_id"] == concept_id and row["language"] == "mmr":
                return row["term"]
    raise LookupError(concept_id)


def test_traditional_becomes_simplified() -> None:
    assert normalise_chinese("檢察院當前審查逮捕") == "检察院当前审查逮捕"


def test_full_width_letters_digits_and_space_become_ascii_but_punctuation_stays() -> None:
    text = "案号ＡＢ１２３号　第（一）项，是吗？"
    assert normalise_chinese(text) == "案号AB123号 第（一）项，是吗？"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("當(dāng)前", "当前"),
        ("当（dāng）前", "当前"),
        ("检(jian3)察院", "检察院"),
        ("当前(dāng qián)的", "当前的"),
        ("当前（dāngqián）", "当前"),
        ("女(nǚ)子", "女子"),
    ],
)
def test_inline_pinyin_annotations_are_removed(text: str, expected: str) -> None:
    assert normalise_chinese(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "第（一）项",  # list number
        "刑事诉讼法(2018)",  # year
        "议员(AM)",  # acronym, no tone
        "当(dang)前",  # pinyin without a tone is kept: could be anything
        "他说(见附件)",
        "词(xyzā)",  # tone mark but not a pinyin syllable
        "(dāng)前",  # no Han character before it
    ],
)
def test_other_parentheses_are_kept(text: str) -> None:
    assert normalise_chinese(text) == text


def test_whitespace_is_collapsed_but_line_breaks_are_kept() -> None:
    assert normalise_chinese("  你好 \t 再见  ") == "你好 再见"
    assert normalise_chinese("你好\r\n\n  \n再见\n") == "你好\n再见"
    assert normalise("zz-0001 \n\n zz-0002", "mmr") == "zz-0001\nzz-0002"
    assert match_key("你好\n再见", "cmn") == "你好再见"
    assert match_key("Hello\nworld", "eng") == "hello world"


def test_miao_tone_numbers_case_and_spaces() -> None:
    cloud = lexicon_form("chen2012-5_cloud")  # giad dut (cɑ⁴⁴tu⁵³)
    assert cloud == "giad dut"
    assert normalise_miao("Gia44   DU53") == cloud
    assert normalise_miao("ＧＩＡＤ\u3000dut") == cloud


def test_dispatch_by_language() -> None:
    day = lexicon_form("chen2012-469_day")
    assert normalise(day.upper(), "mmr") == day
    assert normalise("當前", "cmn") == "当前"
    assert normalise("ＺＺ-0001  x", "muq") == "zz-0001 x"  # folded only
    assert normalise("Cafe\u0301   Au Lait", "eng") == "Café Au Lait"  # case kept


def test_match_key_ignores_spacing_width_and_final_punctuation() -> None:
    assert match_key("你 好?", "cmn") == match_key("你好？", "cmn") == match_key("你好。", "cmn")
    assert match_key("你好，再见", "cmn") == match_key("你好, 再见", "cmn")
    assert match_key("你好吗", "cmn") != match_key("你好", "cmn")
    assert match_key("Hello  World.", "eng") == match_key("hello world", "eng")
    day = lexicon_form("chen2012-469_day")
    assert match_key(day.title() + ".", "mmr") == day


def test_match_key_keeps_miao_tones() -> None:
    cloud = lexicon_form("chen2012-5_cloud")
    assert match_key("gia44 du53", "mmr") == match_key(cloud, "mmr")
    assert match_key("giad dub", "mmr") != match_key(cloud, "mmr")


SENTENCE = "犯罪嫌疑人有權使用本民族語言文字進行訴訟。檢察院應當為他提供翻譯。"


@pytest.mark.parametrize("codec", ["utf-8", "utf-8-sig", "utf-16", "gb18030", "big5"])
def test_decode_bytes_detects_the_encoding(codec: str) -> None:
    assert decode_bytes(SENTENCE.encode(codec)) == SENTENCE


def test_decode_bytes_unifies_line_ends() -> None:
    assert decode_bytes("一\r\n二\r三\n".encode()) == "一\n二\n三\n"


def test_undecodable_bytes_raise_a_422_error() -> None:
    with pytest.raises(UndecodableText) as caught:
        decode_bytes(b"\x80\x80\x80")
    assert isinstance(caught.value, ValidationFailed)
    assert caught.value.status == 422
