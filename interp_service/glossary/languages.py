"""Language tags in exchanged glossary files, mapped to the ISO 639-3 code the glossary stores.

Used by the TBX and CSV/TSV readers.
"""

from __future__ import annotations

import re

__all__ = [
    "DEFAULT_REGIONS",
    "LANGUAGE_ALIASES",
    "NOT_A_LANGUAGE",
    "LanguageError",
    "normalize_language",
]

# Two-letter (ISO 639-1) and ISO 639-2/B or macrolanguage codes seen in exchanged files,
# mapped to the ISO 639-3 individual language the glossary stores. Kept small on purpose:
# anything else must be given as a three-letter ISO 639-3 code.
LANGUAGE_ALIASES: dict[str, str] = {
    "zh": "cmn",
    "zho": "cmn",
    "chi": "cmn",
    "en": "eng",
    "ja": "jpn",
    "ko": "kor",
    "fr": "fra",
    "fre": "fra",
    "de": "deu",
    "ger": "deu",
    "ru": "rus",
    "es": "spa",
    "bo": "bod",
    "tib": "bod",
    "ug": "uig",
    "vi": "vie",
}
# Region subtags that only restate where the language is normally written (zh-CN is plain
# Mandarin) and so are not a variety.
DEFAULT_REGIONS: dict[str, str] = {"cmn": "cn", "mmr": "cn", "muq": "cn"}
# Valid ISO 639 codes that name no single language; a term needs one.
NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})

# Macrolanguages whose BCP 47 tags may carry an extended-language subtag (zh-yue).
_EXTLANG_PREFIXES = frozenset({"zh", "ar", "ms"})
_SUBTAG = re.compile(r"^[a-z0-9]{1,8}$")


class LanguageError(ValueError):
    """A language tag that names no ISO 639-3 language."""


def normalize_language(tag: str) -> tuple[str, str]:
    """Map a language tag to (ISO 639-3 code, variety).

    Accepts ISO 639-3 codes (`mmr`), the aliases in LANGUAGE_ALIASES (`zh` → cmn) and BCP 47
    tags built on either (`zh-Hans-CN`, `zh-cmn`, `en-GB`). The variety is taken, in this
    order, from private-use subtags (`mmr-x-huayuan` → huayuan), variant subtags, then the
    region subtag unless it is the language's home region (`zh-TW` → TW, `zh-CN` → "").
    Script subtags are dropped. Raises LanguageError with a message in Chinese.
    """
    raw = tag.strip()
    parts = raw.replace("_", "-").split("-")
    lowered = [p.lower() for p in parts]
    if not raw or not all(_SUBTAG.match(p) for p in lowered):
        raise LanguageError(f"语言代码无效：{raw!r}")
    primary, rest = lowered[0], lowered[1:]
    if not primary.isalpha() or len(primary) not in (2, 3):
        raise LanguageError(f"语言代码无效：{raw!r}（应为 ISO 639-3 三字母代码，如 cmn、mmr）")
    # An extended-language subtag (zh-cmn, zh-yue) is itself the ISO 639-3 code.
    if primary in _EXTLANG_PREFIXES and rest and len(rest[0]) == 3 and rest[0].isalpha():
        primary, rest = rest[0], rest[1:]
    code = LANGUAGE_ALIASES.get(primary, primary)
    if len(code) != 3:
        raise LanguageError(f"未知语言代码：{raw!r}（应为 ISO 639-3 三字母代码，如 cmn、mmr）")
    if code in NOT_A_LANGUAGE:
        raise LanguageError(f"语言代码 {raw!r} 不指某一种语言")
    private: list[str] = []
    variants: list[str] = []
    region = ""
    original = parts[len(parts) - len(rest) :]
    for i, sub in enumerate(rest):
        if sub == "x":
            private = original[i + 1 :]
            break
        if len(sub) == 4 and sub.isalpha():
            continue  # script
        if (len(sub) == 2 and sub.isalpha()) or (len(sub) == 3 and sub.isdigit()):
            region = sub
        elif len(sub) >= 5 or (len(sub) == 4 and sub[0].isdigit()):
            variants.append(original[i])
        else:
            raise LanguageError(f"语言代码无效：{raw!r}")
    if private:
        return code, "-".join(private)
    if variants:
        return code, "-".join(variants)
    if region and DEFAULT_REGIONS.get(code) != region:
        return code, region.upper()
    return code, ""
