"""Undoing classic mojibake: UTF-8 bytes that an editor read as GBK or as Latin-1 (Windows
code page 1252) and saved again, so 「你好」 became 「浣犲ソ」 or 「ä½ å¥½」.

Repaired only when it is clearly that: the whole text turns back into the bytes (the wrong
codec encodes every character), those bytes are strict UTF-8, and the result is ordinary
Chinese (at least MIN_HAN Han characters, at least MIN_REPAIRED_COMMON of its non-ASCII
characters common, none of them Hangul/private-use/replacement/control) while the text as
given is not (at most MAX_GARBLED_COMMON common). Mojibake that lost bytes on the way (an
editor's 「锟斤拷」 or 「?」) cannot be undone and is left as it is.
"""

from __future__ import annotations

from interp_service.transcripts import charsets

__all__ = ["repair_mojibake"]

MIN_HAN = 2
MIN_REPAIRED_COMMON = 0.9
MAX_GARBLED_COMMON = 0.5


def _as_latin(text: str) -> bytes:
    """The bytes a Latin-1 / cp1252 reading turned into `text`; UnicodeEncodeError when a
    character is in neither (code points below 256 are Latin-1, the rest cp1252's
    0x80-0x9F typography such as € “ ”)."""
    out = bytearray()
    for ch in text:
        out += bytes((ord(ch),)) if ord(ch) < 0x100 else ch.encode("cp1252")
    return bytes(out)


def _gb(text: str) -> bytes:
    return text.encode("gb18030")


def _clearly_better(garbled: str, repaired: str) -> bool:
    return (
        charsets.han_count(repaired) >= MIN_HAN
        and charsets.common_share(repaired) >= MIN_REPAIRED_COMMON
        and charsets.bad_share(repaired) == 0.0
        and charsets.common_share(garbled) <= MAX_GARBLED_COMMON
    )


def repair_mojibake(text: str) -> str | None:
    """The text before it was garbled, or None when it is not clearly mojibake."""
    if sum(1 for ch in text if ord(ch) > 0x7F) < 2:
        return None
    for reverse in (_gb, _as_latin):
        try:
            repaired = reverse(text).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
        if repaired != text and _clearly_better(text, repaired):
            return repaired
    return None
