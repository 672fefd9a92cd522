"""Text normalisation for the translation pipeline.

Chinese: traditional to simplified (OpenCC t2s), full-width letters, digits and spaces to
ASCII (Chinese punctuation such as ，。？（） is kept), stray inline pinyin annotations
(`當(dāng)前` -> `当前`) removed, whitespace collapsed. Xiangxi Miao (`mmr`): the 1956
orthography's own normalisation (`glossary.orthography.normalise`: lower case, variant
spellings, tone numbers to tone letters). The data lives in data files (OpenCC's tables,
pypinyin's readings, `glossary/data/xiangxi_orthography.toml`), not in this module. In every
language zero-width characters (U+200B-U+200D, U+2060, U+FEFF) and direction controls
(U+200E, U+200F, U+202A-U+202E, U+2066-U+2069, U+061C) are removed: invisible, they would
split a word or term.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import opencc
from pypinyin import pinyin_dict

from interp_service.errors import ValidationFailed
from interp_service.glossary.exchange.encodings import LEGACY_ENCODINGS, decode
from interp_service.glossary.lexicon import orthography
from interp_service.invisible import strip_invisible

__all__ = [
    "UndecodableText",
    "decode_bytes",
    "match_key",
    "normalise",
    "normalise_chinese",
    "normalise_miao",
]

_WHITESPACE = re.compile(r"\s+")
# Full-width digits and letters (not punctuation) and the ideographic space.
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}
_HALF_WIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})
_HALF_WIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_HALF_WIDTH[0x3000] = 0x20
_HAN = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A Han character, then a parenthesised run of letters (tone-marked or not), tone digits,
# spaces, apostrophes or hyphens; whether it really is pinyin is checked by _is_pinyin.
_ANNOTATION = re.compile(rf"(?<=[{_HAN}])[(（]\s*([^\W\d_][\w'’ \-]*?)\s*[)）]")
_PINYIN_SEPARATORS = re.compile(r"[\s'’\-]+")
_TONE_MARKS = {"\u0300", "\u0301", "\u0304", "\u030c"}  # grave, acute, macron, caron
_MAX_SYLLABLE = 7  # 'zhuang' plus a tone digit
# Folded to full-width in Chinese match keys, so 你好? and 你好？ share a key.
_CJK_PUNCT = str.maketrans({",": "，", "?": "？", "!": "！", ":": "：", ";": "；"})
_FINAL_PUNCT = ".!?;:,…。！？；：，、~～"
_LANGUAGES_WITH_ORTHOGRAPHY = {"mmr"}


class UndecodableText(ValidationFailed):
    """Uploaded bytes are in none of the supported encodings."""

    kind = "undecodable-text"
    title = "无法识别文本编码"


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.cache
def _pinyin_syllables() -> frozenset[str]:
    """Toneless pinyin syllables (ü kept) of every reading in pypinyin's dictionary."""
    out: set[str] = set()
    for readings in pinyin_dict.pinyin_dict.values():
        for reading in readings.split(","):
            out.add(_strip_tone(reading)[0])
    return frozenset(out)


def _strip_tone(syllable: str) -> tuple[str, int]:
    """(syllable without tone marks, number of tone marks); the diaeresis of ü is kept."""
    decomposed = unicodedata.normalize("NFD", syllable)
    base = "".join(ch for ch in decomposed if ch not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), len(decomposed) - len(base)


def _toned_syllable(text: str) -> bool:
    """One pinyin syllable carrying a tone: a tone mark (dāng) or a tone digit (dang1)."""
    if text[-1] in "12345":
        base, marks = _strip_tone(text[:-1].replace("v", "ü"))
        return marks == 0 and base in _pinyin_syllables()
    base, marks = _strip_tone(text.replace("v", "ü"))
    return marks == 1 and base in _pinyin_syllables()


def _is_pinyin(annotation: str) -> bool:
    """Whether every separated piece splits wholly into toned syllables (dāngqián, dang1)."""
    for piece in _PINYIN_SEPARATORS.split(annotation.lower()):
        if not piece:
            continue
        reachable = [True] + [False] * len(piece)
        for end in range(1, len(piece) + 1):
            reachable[end] = any(
                reachable[start] and _toned_syllable(piece[start:end])
                for start in range(max(0, end - _MAX_SYLLABLE), end)
            )
        if not reachable[-1]:
            return False
    return True


def _drop_annotation(match: re.Match[str]) -> str:
    return "" if _is_pinyin(match.group(1)) else match.group(0)


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _by_line(text: str, fn: Callable[[str], str]) -> str:
    """`fn` applied to each line, zero-width characters and direction controls removed
    first (取\u200b保候审 is 取保候审); blank lines dropped, line breaks kept as one \n."""
    lines = (fn(strip_invisible(line)) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _chinese_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line).translate(_HALF_WIDTH)
    line = _ANNOTATION.sub(_drop_annotation, line)
    return _collapse(str(_t2s().convert(line)))


def normalise_chinese(text: str) -> str:
    """NFC, full-width letters/digits/space to ASCII, inline pinyin annotations removed,
    traditional to simplified; whitespace collapsed to one space within a line, blank lines
    dropped, line breaks kept (they end sentences)."""
    return _by_line(text, _chinese_line)


# Chinese inside a Miao line (code-switching, or Chinese typed in the wrong pane): Han
# characters with the CJK and full-width punctuation around them, kept exactly as typed.
_CHINESE_RUN = re.compile(
    rf"[{_HAN}\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]+"
)


def _miao_line(line: str) -> str:
    if not re.search(f"[{_HAN}]", line):
        return _collapse(unicodedata.normalize("NFC", orthography.normalise(line)))

    def latin(part: str) -> str:  # keeps the spaces around it
        body = part.strip()
        if not body:
            return part
        lead, trail = part[: len(part) - len(part.lstrip())], part[len(part.rstrip()) :]
        return lead + orthography.normalise(body) + trail

    pieces: list[str] = []
    cursor = 0
    for run in _CHINESE_RUN.finditer(line):
        pieces.append(latin(line[cursor : run.start()]))
        pieces.append(unicodedata.normalize("NFC", run.group()))
        cursor = run.end()
    pieces.append(latin(line[cursor:]))
    return _collapse(unicodedata.normalize("NFC", "".join(pieces)))


def normalise_miao(text: str) -> str:
    """Xiangxi Miao (1956 orthography): NFC, lower case, full-width to ASCII, variant
    spellings to canonical, tone numbers (du53, du⁵³) to tone letters; whitespace as in
    normalise_chinese. Tokens that are not syllables of the orthography are kept as folded.
    Chinese runs in the line (Han characters and their punctuation) are kept as typed."""
    return _by_line(text, _miao_line)


def _folded_line(line: str) -> str:
    return _collapse(orthography.fold(line))


def _nfc_line(line: str) -> str:
    return _collapse(unicodedata.normalize("NFC", line))


def normalise(text: str, language: str) -> str:
    """Normalise by ISO 639-3 code: `cmn` Chinese, `mmr` Xiangxi orthography, `muq` (no
    orthography tables for Eastern Xiangxi yet) full-width folded and lower-cased only; any
    other language NFC only. Whitespace always as in normalise_chinese."""
    if language == "cmn":
        return normalise_chinese(text)
    if language in _LANGUAGES_WITH_ORTHOGRAPHY:
        return normalise_miao(text)
    return _by_line(text, _folded_line if language == "muq" else _nfc_line)


def match_key(text: str, language: str) -> str:
    """Key for exact translation-memory lookup: two texts with the same key are the same
    sentence to a reader.

    `normalise(text, language)`, case-folded, line breaks as spaces, with the trailing run
    of sentence-final punctuation (.!?;:,… and 。！？；：，、) removed. Chinese loses every space
    (spaces carry no meaning between Han characters) and its ASCII , ? ! : ; become
    full-width, so 你好? and 你 好？ share a key. Tones are kept for Miao: a different tone
    is a different word, so tone-insensitive matching belongs to fuzzy lookup.
    """
    words = normalise(text, language).casefold().split()
    key = "".join(words).translate(_CJK_PUNCT) if language == "cmn" else " ".join(words)
    return key.rstrip(_FINAL_PUNCT + " ")


def decode_bytes(data: bytes) -> str:
    """Text of an uploaded file: UTF-8 (BOM or not), UTF-16/32, GB18030 or Big5, detected
    as for glossary imports (`glossary.encodings.decode`); line ends become \\n.

    Raises UndecodableText when no supported encoding reads the bytes.
    """
    decoded = decode(data)
    if decoded is None:
        supported = ", ".join(("UTF-8", "UTF-16", *(e.upper() for e in LEGACY_ENCODINGS)))
        raise UndecodableText(f"无法识别文本编码（支持 {supported}）")
    text = decoded[0].removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n")
