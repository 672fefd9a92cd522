"""Language tags in exchanged glossary files, mapped to the ISO 639-3 code the glossary stores.

Used by the TBX and CSV/TSV readers. Any valid BCP 47 tag (`en`, `en-US`, `pt-BR`, `zh-CN`,
`zh-Hant-TW`, `no`, `mmr-x-huayuan`, ISO 639-2 `fre`, …) is read with `langcodes`, whose
copy of the IANA language subtag registry and CLDR likely-subtags data ships inside the
package (nothing is fetched, `language_data` is not needed). Only tags that are not well
formed, or that use a subtag the registry does not know, are refused.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from langcodes import Language
from langcodes.data_dicts import LIKELY_SUBTAGS
from langcodes.tag_parser import LanguageTagError

__all__ = [
    "DEFAULT_REGIONS",
    "INDIVIDUAL_LANGUAGES",
    "NOT_A_LANGUAGE",
    "LanguageError",
    "LanguageTag",
    "normalize_language",
    "parse_language_tag",
    "with_original_tag",
]

# Macrolanguages stored as the individual language the team means by them: Chinese (`zh`,
# `zho`, `chi`) is Mandarin. Other macrolanguages (`no` → nor, `ms` → msa, `hmn` …) are
# kept as the macrolanguage; none of them is Xiangxi Miao.
INDIVIDUAL_LANGUAGES: dict[str, str] = {"zho": "cmn"}
# Region subtags that only restate where the language is normally written (zh-CN is plain
# Mandarin) and so are not a variety. Any other region is the variety (zh-TW → TW, en-GB →
# GB, en-US → US), as before.
DEFAULT_REGIONS: dict[str, str] = {"cmn": "CN", "mmr": "CN", "muq": "CN"}
# Valid ISO 639 codes that name no single language; a term needs one.
NOT_A_LANGUAGE = frozenset({"und", "mul", "mis", "zxx"})
# How a script worth noting is named in the note kept beside the term.
_SCRIPT_NAMES = {"Hans": "简体", "Hant": "繁体", "Latn": "拉丁字母", "Cyrl": "西里尔字母"}
_EXAMPLES = "如 cmn、mmr、zh-CN、en-US"
_NOTE = "原语言标记"


class LanguageError(ValueError):
    """A language tag that names no ISO 639-3 language."""


@dataclass(frozen=True, slots=True)
class LanguageTag:
    """A language tag read from a file.

    `code` is the ISO 639-3 code stored; `variety` the variety label the tag gives (private
    use, variant or non-default region); `script` the ISO 15924 script the tag writes or,
    for a language with CLDR data, implies by its region (zh-TW → Hant), "" otherwise;
    `script_noted` whether that script differs from the language's usual one; `original`
    the tag as written.
    """

    code: str
    variety: str
    script: str
    script_noted: bool
    original: str

    @property
    def note(self) -> str:
        """What the term's source keeps of the tag: "" when the tag is the stored code
        itself, else `原语言标记 zh-Hant-TW（繁体）`."""
        if self.original.lower() == self.code:
            return ""
        if self.script_noted:
            return f"{_NOTE} {self.original}（{_SCRIPT_NAMES.get(self.script, self.script)}）"
        return f"{_NOTE} {self.original}"


def normalize_language(tag: str) -> tuple[str, str]:
    """Map a language tag to (ISO 639-3 code, variety); see `parse_language_tag`."""
    parsed = parse_language_tag(tag)
    return parsed.code, parsed.variety


@functools.lru_cache(maxsize=1024)
def parse_language_tag(tag: str) -> LanguageTag:
    """Read an ISO 639 code or BCP 47 tag (`_` is read as `-`, case is ignored).

    The language becomes its ISO 639-3 code (`en` → eng, `zh`/`zh-cmn` → cmn, `no` → nor,
    `fre` → fra). The variety is taken, in this order, from private-use subtags
    (`mmr-x-huayuan` → huayuan), variant subtags, then the region subtag unless it is the
    language's home region (`zh-TW` → TW, `zh-CN` → ""). Raises LanguageError, with a
    message in Chinese, for a tag that is not well formed, uses an unregistered subtag
    (`xx`, `en_US_POSIX`) or names no single language (`und`, `x-miao`).
    """
    raw = tag.strip()
    if not raw:
        raise LanguageError(f"语言代码为空（{_EXAMPLES}）")
    if not raw.isascii():
        raise LanguageError(f"语言代码无效：{raw!r}（{_EXAMPLES}）")
    try:
        language = Language.get(raw.replace("_", "-"))
    except LanguageTagError as exc:
        raise LanguageError(f"语言代码无效：{raw!r}，格式不符合 BCP 47（{_EXAMPLES}）") from exc
    primary = raw.replace("_", "-").split("-")[0].lower()
    if primary in NOT_A_LANGUAGE or language.language in NOT_A_LANGUAGE:
        raise LanguageError(f"语言代码 {raw!r} 不指某一种语言")
    # A private-use-only tag (x-miao) parses with the whole tag as its "language".
    if not language.language or primary == "x":
        raise LanguageError(f"语言代码 {raw!r} 没有语言部分（{_EXAMPLES}）")
    if not language.is_valid():
        raise LanguageError(f"语言代码无效：{raw!r}，{_unregistered(language)}（{_EXAMPLES}）")
    try:
        alpha3 = language.to_alpha3()
    except LookupError as exc:
        raise LanguageError(f"语言代码无效：{raw!r}（{_EXAMPLES}）") from exc
    code = INDIVIDUAL_LANGUAGES.get(alpha3, alpha3)
    script, noted = _script(language)
    return LanguageTag(code, _variety(raw, language, code), script, noted, raw)


def _unregistered(language: Language) -> str:
    """Which part of a well-formed but invalid tag the registry does not know."""
    if not Language.make(language=language.language).is_valid():
        return f"未登记的语言 {language.language!r}"
    if language.script and not Language.make(script=language.script).is_valid():
        return f"未登记的文字 {language.script!r}"
    if language.territory and not Language.make(territory=language.territory).is_valid():
        return f"未登记的地区 {language.territory!r}"
    for variant in language.variants or ():
        if not Language.make(variants=[variant]).is_valid():
            return f"未登记的变体 {variant!r}"
    return "子标记重复或不合规则"


def _script(language: Language) -> tuple[str, bool]:
    """(script written or implied, whether it differs from the language's usual script)."""
    base = "zh" if language.language == "cmn" else language.language
    if base not in LIKELY_SUBTAGS:
        return language.script or "", False
    usual = Language.make(language=base).maximize().script or ""
    script = language.script
    if not script:
        script = Language.make(language=base, territory=language.territory).maximize().script
    return script or "", bool(script) and script != usual


def _variety(raw: str, language: Language, code: str) -> str:
    # Private-use and variant subtags keep the spelling of the file; langcodes lowers them.
    written = raw.replace("_", "-").split("-")
    lowered = [part.lower() for part in written]
    if language.private:
        start = lowered.index("x") + 1
        return "-".join(written[start:])
    if language.variants:
        wanted = set(language.variants)
        return "-".join(w for w, low in zip(written, lowered, strict=True) if low in wanted)
    region = language.territory or ""
    if region and DEFAULT_REGIONS.get(code) != region:
        return region
    return ""


def with_original_tag(source: str, tag: LanguageTag) -> str:
    """The term's source with the file's language tag kept in it (see `LanguageTag.note`),
    unless it holds that already (a file exported and imported again)."""
    note = tag.note
    if not note or note in source.split("；"):
        return source
    return f"{source}；{note}" if source else note
