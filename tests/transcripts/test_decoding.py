"""Uploaded transcript bytes to text: encodings, the UTF-16 trap, mojibake, refusals."""

from __future__ import annotations

import codecs
import random

import pytest

from interp_service.errors import AppError, UnsupportedMedia, ValidationFailed
from interp_service.transcripts.decoding import decode_text

INTERVIEW = "问：你叫什么名字？\n答：zz-0001\n问：你今天为什么来检察院？\n"


def _refused(data: bytes, kind: type[AppError]) -> AppError:
    with pytest.raises(kind) as caught:
        decode_text(data)
    assert caught.value.field == "file"
    return caught.value


def _hangul(text: str) -> int:
    return sum(1 for ch in text if "\uac00" <= ch <= "\ud7af")


def test_utf8_without_and_with_bom() -> None:
    plain = decode_text(INTERVIEW.encode("utf-8"))
    assert (plain.text, plain.encoding, plain.repaired) == (INTERVIEW, "utf-8", False)
    bom = decode_text(codecs.BOM_UTF8 + INTERVIEW.encode("utf-8"))
    assert (bom.text, bom.encoding) == (INTERVIEW, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    decoded = decode_text(bom + INTERVIEW.encode(codec))
    assert (decoded.text, decoded.encoding) == (INTERVIEW, "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_by_its_nul_bytes(codec: str) -> None:
    # 一 is U+4E00: its own NUL byte sits at the other parity from the ASCII ones.
    text = "问：你有一个哥哥吗？\r\n答：有一个。\r\n"
    decoded = decode_text(text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, codec)


def test_gb18030_with_four_byte_characters_is_not_read_as_utf16_hangul() -> None:
    text = "问：𠀀字怎么读？答：我不知道。"
    data = text.encode("gb18030")
    assert b"\x95\x32\x82\x36" in data  # 𠀀 is a 4-byte sequence
    # The trap is real: both UTF-16 readings succeed and are full of Hangul.
    assert _hangul(data.decode("utf-16-le")) >= 5
    assert _hangul(data.decode("utf-16-be")) >= 5
    decoded = decode_text(data)
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_gb18030_extension_characters_among_common_text() -> None:
    text = "被询问人王䶮说，㐀字和𠀀字他都不认识。\n问：你今天是自愿来的吗？\n"
    decoded = decode_text(text.encode("gb18030"))
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_gbk() -> None:
    text = "问：那天晚上你在哪里？\n答：我在村委会，和两家人一起调解纠纷。\n"
    decoded = decode_text(text.encode("gbk"))
    assert (decoded.text, decoded.encoding) == (text, "gb18030")


def test_big5() -> None:
    text = "問：那天晚上你在哪裡？\n答：我在村委會，和兩家人一起調解糾紛。\n"
    decoded = decode_text(text.encode("big5"))
    assert (decoded.text, decoded.encoding) == (text, "big5")


def test_utf8_read_as_gbk_and_saved_again_is_repaired() -> None:
    original = "那天晚上他喝了很多酒\n老人说他们回家了\n"
    garbled = original.encode("utf-8").decode("gb18030")
    assert garbled.startswith("閭ｅぉ鏅氫笂")
    decoded = decode_text(garbled.encode("utf-8"))
    assert decoded.text == "那天晚上他喝了很多酒\n老人说他们回家了\n"
    assert (decoded.encoding, decoded.repaired) == ("utf-8", True)


def test_utf8_read_as_latin1_and_saved_again_is_repaired() -> None:
    original = "问：你的名字是什么？\n答：我叫王某。\n"
    garbled = original.encode("utf-8").decode("latin-1")
    assert garbled.startswith("é\x97®ï¼\x9a")
    decoded = decode_text(garbled.encode("utf-8"))
    assert decoded.text == "问：你的名字是什么？\n答：我叫王某。\n"
    assert decoded.repaired is True


def test_rare_characters_are_not_taken_for_mojibake() -> None:
    text = "鏃堕棿\n"  # also the GBK reading of 时间's UTF-8 bytes, but too short to be sure
    decoded = decode_text(text.encode("utf-8"))
    assert (decoded.text, decoded.repaired) == (text, False)


@pytest.mark.parametrize("data", [b"", b"   \r\n\n", codecs.BOM_UTF8, codecs.BOM_UTF16_LE])
def test_empty_file(data: bytes) -> None:
    error = _refused(data, ValidationFailed)
    assert error.detail == "上传的文件是空的"


def test_png_is_not_text() -> None:
    error = _refused(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(40), UnsupportedMedia)
    assert error.detail == "文件不是文本：看起来是图片"


def test_random_binary_with_nul_bytes_is_not_text() -> None:
    junk = random.Random(7).randbytes(4096)
    assert b"\x00" in junk
    error = _refused(junk, UnsupportedMedia)
    assert error.detail.startswith("文件不是文本：")


def test_control_characters_without_nul_are_not_text() -> None:
    error = _refused(b"\x01\x02\x03\x04abc\x05\x06\x07\x08" * 30, UnsupportedMedia)
    assert error.detail == "文件不是文本：控制字符过多，像是二进制文件"


def test_a_form_feed_and_a_final_ctrl_z_are_still_text() -> None:
    text = "问：你叫什么名字？\n\x0c答：zz-0001\n\x1a"
    assert decode_text(text.encode("utf-8")).text == text


def test_one_gbk_line_among_utf8_lines_is_named() -> None:
    lines = [
        "问：你叫什么名字？".encode(),
        "答：zz-0001".encode(),
        "问：那天晚上你在哪里？".encode(),
        "答：我在村委会。".encode("gbk"),
        "问：还有谁在场？".encode(),
    ]
    error = _refused(b"\r\n".join(lines), ValidationFailed)
    assert error.detail == (
        "第 4 行的编码与其他行不同（该行是 GB18030/GBK，其他行是 UTF-8），"
        "请统一保存为 UTF-8 后重新上传"
    )


def test_one_utf8_line_among_gbk_lines_is_named() -> None:
    lines = [
        "问：你叫什么名字？".encode("gbk"),
        "问：那天晚上你在哪里？".encode(),
        "答：我在村委会。".encode("gbk"),
        "问：还有谁在场？".encode("gbk"),
    ]
    error = _refused(b"\n".join(lines), ValidationFailed)
    assert error.detail == (
        "第 2 行的编码与其他行不同（该行是 UTF-8，其他行是 GB18030/GBK），"
        "请统一保存为 UTF-8 后重新上传"
    )


def test_bytes_no_supported_encoding_reads() -> None:
    error = _refused(bytes(range(0x80, 0x100)) * 3, ValidationFailed)
    assert error.detail.startswith("无法识别文本编码")


def test_a_text_opening_with_letters_of_an_audio_signature_is_text() -> None:
    text = "ID3 是音频文件的标记，这份笔录只是提到它。\n"
    assert decode_text(text.encode("utf-8")).text == text
