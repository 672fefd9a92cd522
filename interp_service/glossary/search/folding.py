"""Chinese folding and pinyin keys, shared by term recognition and lookup.

Chinese is folded one character at a time: traditional to simplified (OpenCC t2s), full-width
to half-width, lower case; zero-width characters and direction controls (`invisible`) fold to
nothing, so `取\u200b保候审` is 取保候审. Folding each character on its own keeps an exact
offset map and folds a term and a sentence the same way.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

import opencc
from pypinyin import Style, lazy_pinyin

from interp_service.invisible import INVISIBLE, has_invisible

_PINYIN_QUERY = re.compile(r"[a-z1-5]+")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_PINYIN_SEPARATORS = re.compile(r"[\s'’\-·]+")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _half_width(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            ch = chr(code - 0xFEE0)
        elif code == 0x3000:
            ch = " "
        out.append(ch)
    return "".join(out)


@functools.cache
def _fold_han_char(ch: str) -> str:
    if ch in INVISIBLE:
        return ""
    return _half_width(str(_t2s().convert(ch))).lower()


class _FoldTable(dict[int, str]):
    """`str.translate` table that folds each character on first sight (then cached)."""

    def __missing__(self, code: int) -> str:
        folded = _fold_han_char(chr(code))
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold_chinese(text: str) -> tuple[str, Sequence[int]]:
    """Folded text and, for each of its characters, the index of the original character."""
    folded = text.translate(_FOLD)
    # The usual case: one character for one, no map to build. Only an invisible character
    # folds to nothing, so without one an unchanged length means nothing grew either.
    if len(folded) == len(text) and not has_invisible(text):
        return folded, range(len(text))
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        folded = _fold_han_char(ch)
        chars.append(folded)
        if len(folded) == 1:
            origin.append(i)
        else:
            origin.extend([i] * len(folded))
    return "".join(chars), origin


def chinese_key(text: str) -> str:
    """Lookup key of Chinese text: folded, whitespace removed."""
    return "".join(fold_chinese(text)[0].split())


def has_han(text: str) -> bool:
    """Whether the text has a Han character (U+3400-U+9FFF or U+20000-U+3134F)."""
    return any("\u3400" <= ch <= "\u9fff" or "\U00020000" <= ch <= "\U0003134f" for ch in text)


def term_pinyin(text: str) -> tuple[str, str]:
    """(with tone numbers, without tones), letters and digits only: qu3bao3hou4shen3."""
    toned: list[str] = []
    plain: list[str] = []
    # One pypinyin call (it dominates build time); the marker tells non-Chinese runs, whose
    # digits are not tones, from syllables.
    for item in lazy_pinyin(text, style=Style.TONE3, errors=lambda run: "\x00" + run):
        if item.startswith("\x00"):
            run = _half_width(item[1:]).lower()
            toned.append(run)
            plain.append(run)
        else:
            toned.append(item)
            plain.append(item.rstrip("12345"))
    return _only_alnum("".join(toned)), _only_alnum("".join(plain))


def _only_alnum(text: str) -> str:
    return _NOT_ALNUM.sub("", text)


def pinyin_query(query: str) -> tuple[str | None, str] | None:
    """(toned or None, toneless) if the query reads as pinyin, else None.

    Accepts tone numbers, tone marks (dropped), ü/v/u:, and spaces or apostrophes between
    syllables; 5 is the neutral tone, written without a number in the index."""
    q = unicodedata.normalize("NFD", query.casefold()).replace("u\u0308", "v")
    q = "".join(ch for ch in q if not unicodedata.combining(ch)).replace("u:", "v")
    q = _PINYIN_SEPARATORS.sub("", q)
    if not q or not _PINYIN_QUERY.fullmatch(q):
        return None
    toneless = "".join(ch for ch in q if not ch.isdigit())
    if not toneless:
        return None
    toned = q.replace("5", "") if toneless != q else None
    return toned, toneless
