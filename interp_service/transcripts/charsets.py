"""How much a decoded text looks like real Chinese text: the measures that choose between
readings of the same bytes (GB18030 or Big5, repaired or not) and reject wrong ones.

All shares are fractions (0..1) of a character count stated per function.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = [
    "bad_share",
    "common_share",
    "control_share",
    "han_count",
    "is_common",
]

# Control characters a real text file may hold: tab, line feed, vertical tab, form feed,
# carriage return, and DOS's end-of-file mark (Ctrl-Z) left by old editors.
ALLOWED_CONTROLS = frozenset("\t\n\x0b\x0c\r\x1a")

_HAN_RANGES = (
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xF900, 0xFAFF),
    (0x20000, 0x3134F),
)
_HANGUL_RANGES = ((0x1100, 0x11FF), (0x3130, 0x318F), (0xAC00, 0xD7AF))
_PRIVATE_USE_RANGES = ((0xE000, 0xF8FF), (0xF0000, 0x10FFFF))
# CJK and full-width punctuation, general punctuation (“”‘’…—), the middle dot.
_COMMON_PUNCTUATION = ((0x3000, 0x303F), (0xFF01, 0xFF5E), (0x2010, 0x206F), (0xB7, 0xB7))


def _in(ranges: tuple[tuple[int, int], ...], ch: str) -> bool:
    code = ord(ch)
    return any(low <= code <= high for low, high in ranges)


@functools.cache
def _common_han() -> frozenset[str]:
    """GB2312 level 1 (the 3,755 commonest simplified characters, rows B0-D7) and Big5
    level 1 (the 5,401 commonest traditional characters, A440-C67E).

    Text in either encoding is nearly all level 1; bytes of one encoding read as the other,
    or UTF-8 read as GBK, land there far less often.
    """
    chars: set[str] = set()
    for lead in range(0xB0, 0xD8):
        for trail in range(0xA1, 0xFF):
            try:
                chars.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    for lead in range(0xA4, 0xC7):
        for trail in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                chars.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def is_common(ch: str) -> bool:
    """A level-1 Han character of GB2312 or Big5, or common CJK punctuation."""
    return ch in _common_han() or _in(_COMMON_PUNCTUATION, ch)


def _non_ascii(text: str) -> list[str]:
    return [ch for ch in text if ord(ch) > 0x7F and not ch.isspace()]


def common_share(text: str) -> float:
    """Share of the non-ASCII, non-space characters that are common (`is_common`); 0.0 when
    there are none."""
    wide = _non_ascii(text)
    if not wide:
        return 0.0
    return sum(is_common(ch) for ch in wide) / len(wide)


def _is_bad(ch: str) -> bool:
    if ch == "\ufffd" or _in(_HANGUL_RANGES, ch) or _in(_PRIVATE_USE_RANGES, ch):
        return True
    category = unicodedata.category(ch)
    return category in ("Cn", "Cs") or (category == "Cc" and ch not in ALLOWED_CONTROLS)


def bad_share(text: str) -> float:
    """Share of the non-ASCII, non-space characters that a wrong reading produces: Hangul,
    private-use, replacement (U+FFFD), unassigned code points and control characters; 0.0
    when there are none. Transcripts here are Chinese or Miao in Latin letters: Hangul in
    them means the bytes were read in the wrong encoding."""
    wide = _non_ascii(text)
    if not wide:
        return 0.0
    return sum(_is_bad(ch) for ch in wide) / len(wide)


def control_share(text: str) -> float:
    """Share of all characters that are control characters other than ALLOWED_CONTROLS."""
    if not text:
        return 0.0
    controls = sum(
        1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS
    )
    return controls / len(text)


def han_count(text: str) -> int:
    """Number of Han characters (CJK unified ideographs, extensions, compatibility)."""
    return sum(1 for ch in text if _in(_HAN_RANGES, ch))
