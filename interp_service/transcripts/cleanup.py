"""Clean-up of a decoded transcript (`clean`), every change recorded for the clerk.

Line ends are normalised first (CR LF, CR, U+2028, U+2029 and U+0085 each end a line; a
final line end does not start another line); line numbers (1-based) count those lines.
Then, line by line, in this order, each step that changes the line records a `Change`:

1. "zero_width": U+200B-U+200D, U+2060 and U+FEFF removed (「零宽字符」);
2. "width": full-width letters and digits (Ａ-Ｚ, ａ-ｚ, ０-９) made ASCII; full-width
   punctuation such as ，。：？！（） is Chinese punctuation and stays (「全角字母或数字」);
3. "pinyin": a parenthesis right after a Han character holding only tone-marked or
   tone-numbered pinyin (當(dāng)前, 当（dāng）前, 当前(dāng qián), (dang1)) is removed;
   any other parenthetical, such as （苗语） or (Miao), stays (「行内拼音注音」);
4. "traditional": traditional characters made simplified with OpenCC "t2s", only when
   `to_simplified` is asked for (「繁体字转为简体」).

Then whole lines of a scraped web page are removed as "boilerplate" with the reason from
`boilerplate.boilerplate_reason` (「网页导航」, 「分享按钮」, 「版权声明」, 「广告或垃圾信息」),
or 「不是中文或苗语（识别为英语）」 when language identification is sure the line is
English. Removal is conservative: the interview runs from the first to the last line
with a speaker label (`turns.speaker_label`; a name-like label on a line that looks like
boilerplate, such as 「咨询热线：…」, is not a speaker), and no line in it is ever
removed; Chinese lines, Miao lines (`mmr`, `hmn-other`) and lines with no letters are
never removed for their language. Finally "blank" lines are removed where they would be
doubled, or lead or end the text (「多余的空行」).

Restoring: the clerk's chosen line numbers go in `keep_lines`; those lines are never
removed (as boilerplate or as blank) but still get the in-line steps 1-4. A removed line's
Change holds the line as it was in the input (`before`) and "" (`after`).

The cleaned text's lines are joined with "\\n", without a final line end.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

import opencc

from interp_service.invisible import ZERO_WIDTH
from interp_service.transcripts import boilerplate
from interp_service.transcripts.shapes import Change, CleanedText
from interp_service.transcripts.turns import ROLE_LABELS, speaker_label
from interp_service.translation.langid import identify

# The translation pipeline's own test, so clean-up and translation agree on what is pinyin.
from interp_service.translation.normalise import _is_pinyin

__all__ = ["NOT_CHINESE_OR_MIAO", "clean"]

NOT_CHINESE_OR_MIAO = "不是中文或苗语（识别为英语）"
ENGLISH_CONFIDENCE = 0.9
"""Language identification must be at least this sure (0..1) that a line is English."""
MIN_ENGLISH_LETTERS = 10
"""Shorter lines (in ASCII letters) are never judged by their language."""

_LINE_ENDS = re.compile("\r\n|\r|\u2028|\u2029|\x85")
_ZERO_WIDTH = dict.fromkeys(map(ord, ZERO_WIDTH))
_HALF_WIDTH = {cp: cp - 0xFEE0 for cp in (*range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B))}
_HALF_WIDTH.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})
_HAN = "\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A Han character, then a parenthesised run of letters (tone marks, also as combining
# characters), tone digits, spaces, apostrophes or hyphens; _is_pinyin decides.
_ANNOTATION = re.compile(rf"(?<=[{_HAN}])[(（]\s*([^\W\d_][\w\u0300-\u036f'’ \-]*?)\s*[)）]")
_ASCII_LETTERS = re.compile("[A-Za-z]")


@functools.cache
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _simplified(line: str) -> str:
    return str(_t2s().convert(line))


def _drop_annotation(match: re.Match[str]) -> str:
    return "" if _is_pinyin(unicodedata.normalize("NFC", match.group(1))) else match.group(0)


def _remove_zero_width(line: str) -> str:
    return line.translate(_ZERO_WIDTH)


def _half_width(line: str) -> str:
    return line.translate(_HALF_WIDTH)


def _remove_pinyin(line: str) -> str:
    return _ANNOTATION.sub(_drop_annotation, line)


_STEPS: tuple[tuple[str, str, Callable[[str], str]], ...] = (
    ("zero_width", "零宽字符", _remove_zero_width),
    ("width", "全角字母或数字", _half_width),
    ("pinyin", "行内拼音注音", _remove_pinyin),
)
_TRADITIONAL = ("traditional", "繁体字转为简体", _simplified)


def _lines(text: str) -> list[str]:
    lines = _LINE_ENDS.sub("\n", text).split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def _edit(number: int, line: str, to_simplified: bool) -> tuple[str, list[Change]]:
    """The line after steps 1-4, with a Change for each step that changed it."""
    changes: list[Change] = []
    steps = (*_STEPS, _TRADITIONAL) if to_simplified else _STEPS
    for kind, reason, step in steps:
        after = step(line)
        if after != line:
            changes.append(Change(kind, number, line, after, reason))
            line = after
    return line, changes


def _is_speaker_line(line: str, probe: str) -> bool:
    found = speaker_label(line)
    if found is None:
        return False
    return found[0] in ROLE_LABELS or boilerplate.boilerplate_reason(probe) is None


def _removal_reason(probe: str) -> str | None:
    reason = boilerplate.boilerplate_reason(probe)
    if reason is not None:
        return reason
    if len(_ASCII_LETTERS.findall(probe)) < MIN_ENGLISH_LETTERS:
        return None
    guess = identify(probe)
    if guess.language == "eng" and guess.confidence >= ENGLISH_CONFIDENCE:
        return NOT_CHINESE_OR_MIAO
    return None


def clean(
    text: str, *, to_simplified: bool = False, keep_lines: frozenset[int] = frozenset()
) -> CleanedText:
    """Clean `text` by the rules in this module's docstring; `keep_lines` are 1-based line
    numbers never removed. Changes come in line order, a line's in step order."""
    raw = _lines(text)
    edited = [_edit(number, line, to_simplified) for number, line in enumerate(raw, start=1)]
    probes = [_simplified(line) for line, _ in edited]
    speakers = [
        number
        for number, ((line, _), probe) in enumerate(zip(edited, probes, strict=True), start=1)
        if _is_speaker_line(line, probe)
    ]
    first, last = (speakers[0], speakers[-1]) if speakers else (0, -1)

    kept: list[tuple[int, str, list[Change]]] = []
    removed: dict[int, Change] = {}
    for number, ((line, changes), probe) in enumerate(zip(edited, probes, strict=True), 1):
        reason = None
        if number not in keep_lines and not first <= number <= last and line.strip():
            reason = _removal_reason(probe)
        if reason is None:
            kept.append((number, line, changes))
        else:
            removed[number] = Change("boilerplate", number, raw[number - 1], "", reason)

    last_text = max((n for n, line, _ in kept if line.strip()), default=0)
    out: list[tuple[int, str, list[Change]]] = []
    for number, line, changes in kept:
        blank = not line.strip()
        doubled = not out or not out[-1][1].strip()
        trailing = number > last_text
        if blank and number not in keep_lines and (doubled or trailing):
            removed[number] = Change("blank", number, raw[number - 1], "", "多余的空行")
        else:
            out.append((number, line, changes))

    changes_by_line: dict[int, list[Change]] = {n: [c] for n, c in removed.items()}
    for number, _, changes in out:
        changes_by_line[number] = changes
    ordered = [change for number in sorted(changes_by_line) for change in changes_by_line[number]]
    return CleanedText("\n".join(line for _, line, _ in out), ordered)
