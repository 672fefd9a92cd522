"""The Xiangxi Miao 1956 Latin orthography: parse, validate and normalise syllables.

The tables live in `data/xiangxi_orthography.toml`; nothing about letters is hard-coded
here. A syllable is (initial) final tone-letter, and is parsed right to left because the
tone letters b x d l t s are initials too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from interp_service.glossary.lexicon.orthography_tables import orthography

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space, plus superscript digits.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20
_FOLD.update({ord(c): ord(str(i)) for i, c in enumerate("⁰¹²³⁴⁵⁶⁷⁸⁹")})

_SEPARATORS = re.compile(r"(\s+|[-\u2010-\u2015]+)")
_PUNCT = ".,;:!?\"'()[]{}<>，。；：！？、（）“”‘’《》「」…"
_TOKEN_WITH_NUMBER = re.compile(r"([a-z]+)([0-9]+)")


@dataclass(frozen=True)
class Syllable:
    """A parsed syllable: canonical initial ('' for none), final and tone letter, and the
    spellings actually written (which differ when a variant was used)."""

    text: str
    initial: str
    final: str
    tone: str
    written_initial: str
    written_final: str

    @property
    def tone_value(self) -> int:
        return orthography().tones[self.tone]

    @property
    def toneless(self) -> str:
        return self.initial + self.final

    @property
    def canonical(self) -> str:
        return self.initial + self.final + self.tone


class SyllableError(ValueError):
    """The text is not one syllable of the orthography."""


@dataclass(frozen=True)
class SyllableCheck:
    text: str
    syllable: Syllable | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class ValidationResult:
    text: str
    syllables: tuple[SyllableCheck, ...]

    @property
    def ok(self) -> bool:
        return bool(self.syllables) and all(s.ok for s in self.syllables)

    @property
    def errors(self) -> list[str]:
        if not self.syllables:
            return ["no syllable found"]
        return [f"{s.text}: {e}" for s in self.syllables for e in s.errors]

    @property
    def warnings(self) -> list[str]:
        return [f"{s.text}: {w}" for s in self.syllables for w in s.warnings]


def fold(text: str) -> str:
    """Full-width Latin to ASCII, superscript digits to digits, NFC, lower case."""
    return unicodedata.normalize("NFC", text.translate(_FOLD)).lower()


def _split_body(body: str) -> tuple[str, str] | None:
    ortho = orthography()
    for i in range(min(len(body), ortho.max_initial), -1, -1):
        initial, final = body[:i], body[i:]
        if (i == 0 or initial in ortho.initials) and final in ortho.finals:
            return initial, final
    return None


@lru_cache(maxsize=65536)
def _analyse(token: str) -> tuple[Syllable | None, str]:
    ortho = orthography()
    s = fold(token)
    if not s:
        return None, "音节为空"
    number = _TOKEN_WITH_NUMBER.fullmatch(s)
    if number:
        if number.group(1)[-1] in ortho.tones:
            return None, f"声调字母后又写了调值 {number.group(2)}：请删去调值"
        letter = ortho.tone_by_value.get(int(number.group(2)))
        hint = f"：应写声调字母 {letter}" if letter else ""
        return None, f"写了调值 {number.group(2)}，没有写声调字母{hint}"
    if not s.isascii() or not s.isalpha():
        return None, "音节只能由字母 a–z 组成"
    tone = s[-1]
    if tone not in ortho.tones:
        return None, "缺少声调字母：音节应以 b、x、d、l、t、s 之一结尾"
    body = s[:-1]
    split = _split_body(body)
    if split is None:
        if not body:
            return None, "只有声调字母，不成音节"
        return None, f"“{body}”不是“声母＋韵母”的组合"
    initial, final = split
    return (
        Syllable(
            text=token,
            initial=ortho.initials[initial] if initial else "",
            final=ortho.finals[final],
            tone=tone,
            written_initial=initial,
            written_final=final,
        ),
        "",
    )


def parse_syllable(s: str) -> Syllable:
    """Parse one syllable right to left: tone letter, then the longest initial whose
    remainder is a final. Raises SyllableError."""
    syllable, reason = _analyse(s.strip())
    if syllable is None:
        raise SyllableError(f"{s!r}: {reason}")
    return syllable


def _warnings(syl: Syllable) -> tuple[str, ...]:
    ortho = orthography()
    out: list[str] = []
    if syl.written_initial != syl.initial:
        src = ortho.variant_sources.get(syl.written_initial, "")
        out.append(f"声母 {syl.written_initial} 是 {syl.initial} 的变体写法（{src}）")
    if syl.written_final != syl.final:
        src = ortho.variant_sources.get(syl.written_final, "")
        out.append(f"韵母 {syl.written_final} 是 {syl.final} 的变体写法（{src}）")
    if syl.initial in ortho.extra_initials:
        out.append(f"声母 {syl.initial} 不在 48 个标准声母之中")
    if syl.final in ortho.uncertain_finals:
        out.append(f"韵母 {syl.final} 不在参考韵母表中（õ 系列）")
    for rule in ortho.uncertain_rules:
        if syl.initial in rule.initials and not syl.final.startswith(rule.final_prefix):
            out.append(f"[{rule.id}] {rule.message}")
    return tuple(out)


def _strip_punct(token: str) -> str:
    return token.strip(_PUNCT)


def tokens(text: str) -> list[str]:
    """Syllables of a text: split on spaces and hyphens, edge punctuation dropped."""
    out = []
    for piece in _SEPARATORS.split(text.translate(_FOLD)):
        if not piece or _SEPARATORS.fullmatch(piece):
            continue
        tok = _strip_punct(piece)
        if tok:
            out.append(tok)
    return out


@lru_cache(maxsize=65536)
def check_syllable(token: str) -> SyllableCheck:
    syl, reason = _analyse(token)
    if syl is None:
        return SyllableCheck(token, None, (reason,), ())
    return SyllableCheck(token, syl, (), _warnings(syl))


def validate(text: str) -> ValidationResult:
    """Check every syllable. Doubtful rules and variant spellings give warnings only."""
    return ValidationResult(text, tuple(check_syllable(t) for t in tokens(text)))


@lru_cache(maxsize=65536)
def _normalise_token(token: str) -> str:
    ortho = orthography()
    number = _TOKEN_WITH_NUMBER.fullmatch(token)
    if number:
        letters, value = number.group(1), int(number.group(2))
        if letters[-1] in ortho.tones and _split_body(letters[:-1]) is not None:
            # The tone is written twice (dut53): keep the letter when both agree.
            if ortho.tones[letters[-1]] != value:
                return token
            token = letters
        elif value in ortho.tone_by_value and _split_body(letters) is not None:
            token = letters + ortho.tone_by_value[value]
        else:
            return token
    syl, _ = _analyse(token)
    return syl.canonical if syl else token


def _map_tokens(text: str, fn: Callable[[str], str]) -> str:
    parts: list[str] = []
    for piece in _SEPARATORS.split(fold(text)):
        if not piece:
            continue
        if piece.isspace():
            parts.append(" ")
        elif _SEPARATORS.fullmatch(piece):
            parts.append("-")
        else:
            core = _strip_punct(piece)
            if not core:
                parts.append(piece)
                continue
            lead = piece[: piece.index(core)]
            trail = piece[len(lead) + len(core) :]
            parts.append(lead + fn(core) + trail)
    return "".join(parts).strip(" -")


def normalise(text: str) -> str:
    """Lower case, full-width to ASCII, variant spellings to canonical, and tone numbers
    (du53, dut53, du⁵³) to tone letters. Tokens that do not parse are kept as folded."""
    return _map_tokens(text, _normalise_token)


def _tone_number_token(token: str) -> str:
    syl, _ = _analyse(token)
    return f"{syl.toneless}{syl.tone_value}" if syl else token


def tone_numbers(text: str) -> str:
    """Canonical spelling with tone numbers instead of letters: Dut Xonb -> du53 xon35."""
    return _map_tokens(normalise(text), _tone_number_token)


def _toneless_token(token: str) -> str:
    syl, _ = _analyse(token)
    return syl.toneless if syl else token


def strip_tones(text: str) -> str:
    """Canonical spelling without tone letters: Dut Xonb -> du xon."""
    return _map_tokens(normalise(text), _toneless_token)


def _key(text: str, toneless: bool) -> str:
    out = []
    for tok in tokens(text):
        norm = _normalise_token(fold(tok))
        out.append(_toneless_token(norm) if toneless else norm)
    return " ".join(out)


def lookup_key(text: str) -> str:
    """Tone-insensitive key for lookup: canonical syllables without tone letters, joined
    by single spaces (hyphens and edge punctuation dropped)."""
    return _key(text, toneless=True)


def variant_keys(text: str) -> tuple[str, ...]:
    """Keys to look a spelling up by: exact canonical form, then tone-insensitive."""
    exact = _key(text, toneless=False)
    toneless = _key(text, toneless=True)
    return (exact,) if exact == toneless else (exact, toneless)
