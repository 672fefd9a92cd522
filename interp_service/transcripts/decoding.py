"""Bytes of an uploaded transcript turned into text (`decode_text`).

The order, first match wins:

1. Empty (or only whitespace) → 「上传的文件是空的」. A known binary signature (PDF, image,
   audio, ZIP/Word, old Office) → 「文件不是文本：…」.
2. A byte-order mark: UTF-8 (codec "utf-8-sig") or UTF-16 ("utf-16"), decoded strictly.
3. NUL bytes: only UTF-16 has them, so UTF-16 without a BOM ("utf-16-le"/"utf-16-be") is
   tried, the endianness whose reading is more ordinary text winning; no plausible reading
   → not text. Without NUL bytes UTF-16 is never considered: this is what keeps GB18030
   (whose 4-byte sequences a detector may take for UTF-16) from coming out as Hangul.
4. More than 1% control bytes (other than tab, line ends, form feed, Ctrl-Z) → not text.
5. Strict UTF-8 ("utf-8").
6. Mixed encodings: when some lines are UTF-8 and others are not, the encoding of most
   lines (the first such line's on a tie) is the file's, and the first line in the other
   encoding is named: 「第 N 行的编码与其他行不同（…）…」. Lines are counted from 1, each
   CR LF, CR or LF ending one. Only UTF-8 against GB18030/Big5 is detected: GB18030 reads
   almost any byte pair, so GBK lines among Big5 lines cannot be told apart line by line.
7. Strict GB18030 and Big5: the reading with the larger share of common characters
   (`charsets.common_share`) wins, GB18030 on a tie.
8. Last resort, charset-normalizer's best guess, kept only when it is not dominated by
   Hangul, private-use, replacement or control characters (`charsets.bad_share`).
9. Otherwise 「无法识别文本编码」.

Then mojibake is undone when it is clearly that (`repair.repair_mojibake`), and the text is
checked once more for control characters (more than 1% → not text). Line ends are kept as
they are; `encoding` is the codec that reads the bytes back into the text (before any
repair).
"""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from interp_service.errors import UnsupportedMedia, ValidationFailed
from interp_service.evidence.sniff import SIGNATURES
from interp_service.transcripts import charsets
from interp_service.transcripts.repair import repair_mojibake
from interp_service.transcripts.shapes import DecodedText
from interp_service.translation.normalise import UndecodableText

__all__ = ["decode_text"]

FIELD = "file"
MAX_CONTROL_SHARE = 0.01
"""More control characters than this share of the file: not text."""
MAX_BAD_SHARE = 0.25
"""A reading with more Hangul/private-use/replacement/control characters than this share of
its non-ASCII characters is a wrong reading."""
MIN_UTF16_ORDINARY = 0.6
"""A UTF-16 reading without BOM needs this share of ASCII or common characters."""

_EMPTY = "上传的文件是空的"
_BINARY = {
    "application/pdf": "PDF 文件",
    "image/png": "图片",
    "image/jpeg": "图片",
    "audio/ogg": "音频",
    "audio/flac": "音频",
    "audio/mpeg": "音频",
    "audio/mp4": "音频",
    "audio/webm": "音频",
}
_MORE_SIGNATURES = (
    (b"PK\x03\x04", "Word（.docx）文档或压缩包，Word 文档请按 .docx 上传"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "旧版 Office（.doc/.xls）文件，请另存为 .docx 或文本"),
    (b"Rar!", "压缩包"),
    (b"7z\xbc\xaf\x27\x1c", "压缩包"),
    (b"\x1f\x8b", "压缩包"),
)
_LINE_BREAK = re.compile(rb"\r\n|\r|\n")
_ALLOWED_CONTROL_BYTES = frozenset(b"\t\n\x0b\x0c\r\x1a")
_LEGACY = ("gb18030", "big5")
_LEGACY_NAMES = {"gb18030": "GB18030/GBK", "big5": "Big5"}


def _not_text(why: str) -> UnsupportedMedia:
    return UnsupportedMedia(f"文件不是文本：{why}", field=FIELD)


def _signature(data: bytes) -> str | None:
    """What a known binary file is, in words, from its first bytes."""
    # Signatures made of letters only (ID3, OggS, fLaC, ftyp) can open a real text, so
    # they count only when control bytes follow, as they do in those binary files.
    binary = _control_bytes_share(data[:1024]) > 0
    for magic, offset, media in SIGNATURES:
        found = data[offset : offset + len(magic)] == magic and media in _BINARY
        if found and (binary or not magic.isalnum()):
            return _BINARY[media]
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "音频"
    for magic, name in _MORE_SIGNATURES:
        if data.startswith(magic):
            return name
    return None


def _ordinary_share(text: str) -> float:
    """Share of non-space characters that are printable ASCII or common CJK."""
    chars = [ch for ch in text if not ch.isspace()]
    if not chars:
        return 0.0
    ordinary = sum(1 for ch in chars if " " < ch < "\x7f" or charsets.is_common(ch))
    return ordinary / len(chars)


def _utf16_without_bom(data: bytes) -> tuple[str, str]:
    """The likelier of the two UTF-16 readings of bytes with NULs, or not text."""
    if len(data) % 2:
        raise _not_text("含有空字节（NUL），像是二进制文件")
    readings: list[tuple[float, str, str]] = []
    for codec in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if charsets.bad_share(text) < MAX_BAD_SHARE:
            readings.append((_ordinary_share(text), codec, text))
    if not readings:
        raise _not_text("含有空字节（NUL），像是二进制文件")
    share, codec, text = max(readings, key=lambda reading: reading[0])
    if share < MIN_UTF16_ORDINARY:
        raise _not_text("含有空字节（NUL），像是二进制文件")
    return text, codec


def _control_bytes_share(data: bytes) -> float:
    controls = sum(1 for byte in data if byte < 0x20 and byte not in _ALLOWED_CONTROL_BYTES)
    return (controls + data.count(0x7F)) / len(data)


def _legacy_reading(data: bytes) -> tuple[str, str] | None:
    """(text, codec) of the better strict GB18030 or Big5 reading, None if neither reads."""
    best: tuple[float, str, str] | None = None
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if charsets.bad_share(text) >= MAX_BAD_SHARE:
            continue
        score = charsets.common_share(text)
        if best is None or score > best[0]:
            best = (score, codec, text)
    return None if best is None else (best[2], best[1])


def _line_is_utf8(line: bytes) -> bool:
    """Whether a line with non-ASCII bytes is UTF-8 rather than a legacy encoding: it reads
    strictly as UTF-8 and that reading has more common characters than its GB18030 one."""
    try:
        as_utf8 = line.decode("utf-8")
    except UnicodeDecodeError:
        return False
    try:
        as_gb = line.decode("gb18030")
    except UnicodeDecodeError:
        return True
    return charsets.common_share(as_utf8) > charsets.common_share(as_gb)


def _check_mixed(data: bytes) -> None:
    """Raise when UTF-8 lines and legacy-encoded lines share the file (rule 6)."""
    kinds: list[tuple[int, bool, bytes]] = [
        (number, _line_is_utf8(line), line)
        for number, line in enumerate(_LINE_BREAK.split(data), start=1)
        if not line.isascii()
    ]
    utf8 = sum(1 for _, is_utf8, _ in kinds if is_utf8)
    legacy = len(kinds) - utf8
    if not utf8 or not legacy:
        return
    majority_utf8 = utf8 > legacy or (utf8 == legacy and kinds[0][1])
    first_odd = next(number for number, is_utf8, _ in kinds if is_utf8 != majority_utf8)
    reading = _legacy_reading(b"\n".join(line for _, is_utf8, line in kinds if not is_utf8))
    legacy_name = _LEGACY_NAMES[reading[1]] if reading else "GB18030/GBK 或 Big5"
    odd, rest = (legacy_name, "UTF-8") if majority_utf8 else ("UTF-8", legacy_name)
    raise ValidationFailed(
        f"第 {first_odd} 行的编码与其他行不同（该行是 {odd}，其他行是 {rest}），"
        "请统一保存为 UTF-8 后重新上传",
        field=FIELD,
    )


def _last_resort(data: bytes) -> tuple[str, str] | None:
    match = charset_normalizer.from_bytes(data).best()
    if match is None or match.encoding.startswith(("utf_16", "utf_32")):
        return None
    text = str(match)
    if charsets.bad_share(text) >= MAX_BAD_SHARE:
        return None
    return text, match.encoding


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(codecs.BOM_UTF16_LE) or data.startswith(codecs.BOM_UTF16_BE):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            raise UndecodableText(
                "文件开头标明是 UTF-16 编码，但内容无法按 UTF-16 读取", field=FIELD
            ) from None
    if b"\x00" in data:
        return _utf16_without_bom(data)
    if _control_bytes_share(data) > MAX_CONTROL_SHARE:
        raise _not_text("控制字符过多，像是二进制文件")
    bom = data.startswith(codecs.BOM_UTF8)
    try:
        return data.decode("utf-8-sig" if bom else "utf-8"), "utf-8-sig" if bom else "utf-8"
    except UnicodeDecodeError:
        pass
    _check_mixed(data)
    found = None if bom else (_legacy_reading(data) or _last_resort(data))
    if found is None:
        raise UndecodableText(
            "无法识别文本编码（支持 UTF-8、UTF-16、GB18030/GBK、Big5），请另存为 UTF-8 后重新上传",
            field=FIELD,
        )
    return found


def decode_text(data: bytes) -> DecodedText:
    """Decode an uploaded text file by the rules in this module's docstring.

    Raises ValidationFailed (empty; mixed encodings), UndecodableText (a ValidationFailed:
    no supported encoding reads it) or UnsupportedMedia (binary, not text), all with
    field="file" and a Chinese detail.
    """
    if not data.strip():
        raise ValidationFailed(_EMPTY, field=FIELD)
    kind = _signature(data)
    if kind is not None:
        raise _not_text(f"看起来是{kind}")
    text, codec = _decode(data)
    if not text.strip():
        raise ValidationFailed(_EMPTY, field=FIELD)
    # Repaired first: Latin-1 mojibake is full of C1 control characters (U+0080-U+009F).
    repaired = repair_mojibake(text)
    final = text if repaired is None else repaired
    if charsets.control_share(final) > MAX_CONTROL_SHARE:
        raise _not_text("控制字符过多，像是二进制文件")
    return DecodedText(final, codec, repaired=repaired is not None)
