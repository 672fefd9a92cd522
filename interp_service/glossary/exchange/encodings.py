"""Detecting the text encoding of an imported glossary file.

UTF-8 (with or without BOM), UTF-16/32 by BOM, UTF-16 without a BOM by its NUL bytes, else
the legacy Chinese encodings LEGACY_ENCODINGS, the likelier reading winning.
"""

from __future__ import annotations

import codecs

__all__ = ["LEGACY_ENCODINGS", "decode"]

# Tried, in order, after UTF-8 and the UTF-16/32 byte-order marks.
LEGACY_ENCODINGS = ("gb18030", "big5")


def _legacy_score(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are level-1 (common) hanzi of the encoding.

    Real GB text is nearly all GB2312 level 1 (lead byte B0–D7) and real Big5 text nearly
    all Big5 level 1 (lead A4–C6); bytes of one read as the other land there far less.
    """
    lead = (0xB0, 0xD7) if encoding == "gb18030" else (0xA4, 0xC6)
    codec = "gb2312" if encoding == "gb18030" else "big5"
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    hits = 0
    for ch in wide:
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and lead[0] <= encoded[0] <= lead[1]:
            hits += 1
    return hits / len(wide)


def decode(data: bytes) -> tuple[str, str] | None:
    """(text, codec) for the first encoding that reads the bytes cleanly, else None."""
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, codec in boms:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a BOM: the ASCII header puts a NUL in every other byte.
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for codec, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if nuls >= len(data) // 8 and other == 0:
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass
    readings: list[tuple[float, str, str]] = []
    for codec in LEGACY_ENCODINGS:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            readings.append((_legacy_score(text, codec), codec, text))
    if not readings:
        return None
    # max() keeps the first of equal scores, so GB18030 wins ties.
    score, codec, text = max(readings, key=lambda r: r[0])
    return text, codec
