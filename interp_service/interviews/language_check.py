"""Does the typed text fit the chosen direction? The service's language identification
decides between Chinese and the party's language; a contradiction is refused unless the
operator confirms it, and the record keeps both the identification and the confirmation."""

from __future__ import annotations

from dataclasses import dataclass

from interp_service.errors import LanguageMismatch
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.interviews.record import language_label
from interp_service.translation import langid

# Below this confidence a non-Chinese guess is too weak to contradict anybody (a name, "ok").
MIN_CONFIDENCE = 0.6


@dataclass(frozen=True)
class LanguageCheck:
    detected: str  # ISO 639-3 code, or "" when nothing could be identified
    contradicts: bool


def check(text: str, expected: str) -> LanguageCheck:
    """Identify `text` and say whether that contradicts `expected` on the one question
    the direction rests on: is it Chinese or not?"""
    guess = langid.identify(text)
    if guess.language == langid.UNKNOWN:
        return LanguageCheck("", False)
    detected = guess.language if len(guess.language) == 3 else ""
    is_chinese = guess.language in CHINESE_LANGUAGES
    expected_chinese = expected in CHINESE_LANGUAGES
    if is_chinese == expected_chinese:
        return LanguageCheck(detected, False)
    sure = guess.confidence >= MIN_CONFIDENCE
    return LanguageCheck(detected, sure)


def refuse_unless_confirmed(text: str, expected: str, *, confirmed: bool) -> LanguageCheck:
    """The check, raising `LanguageMismatch` (422) on a contradiction not confirmed."""
    result = check(text, expected)
    if result.contradicts and not confirmed:
        said = "汉语" if expected not in CHINESE_LANGUAGES else "非汉语文字"
        raise LanguageMismatch(
            f"这段文字看起来是{said}，但所选方向要求{language_label(expected)}。"
            "请切换方向；如确实如此，请勾选确认后再保存。",
            field="text",
            detected_language=result.detected,
            expected_language=expected,
        )
    return result
