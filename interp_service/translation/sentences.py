"""Splitting a text into sentences, with exact character offsets into the text given.

Chinese (`cmn`) ends a sentence after 。！？；… (and their ASCII forms ! ? ;), closing quotes
and brackets staying with it; a full stop is not needed before a space. Latin-script text
(Miao, English, anything else) ends a sentence after . ! ? ; … (closing quotes and
brackets kept) when whitespace or the end follows; English skips common abbreviations and
initials (Mr. Smith, J. Smith) and does not break before a lower-case word. Every language
breaks at line ends. Spans never include surrounding whitespace; empty sentences are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Span", "split_sentences"]

_CLOSERS = "”’」』）)》〉】〕］]\"'"
_CHINESE_END = re.compile(rf"[。！？；!?;…]+[{re.escape(_CLOSERS)}]*|\n")
_LATIN_END = re.compile(rf"[.!?;…]+[{re.escape(_CLOSERS)}]*(?=\s|$)|\n")
_WORD_BEFORE_DOT = re.compile(r"(\w+)\.$")
_ENGLISH_ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "jr", "sr", "no", "vs", "etc", "e.g", "i.e", "art"}
)


@dataclass(frozen=True, slots=True)
class Span:
    """One sentence: `text == source[start:end]`, offsets in characters."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    """Whether the full stop at `dot` ends an English abbreviation or an initial."""
    head = text[max(0, dot - 5) : dot + 1]
    match = _WORD_BEFORE_DOT.search(head)
    if match is None:
        return False
    word = match.group(1)
    if len(word) == 1 and word.isupper():
        return True
    dotted = head[: match.start(1)][-2:] + word  # e.g / i.e
    return word.lower() in _ENGLISH_ABBREVIATIONS or dotted.lower() in _ENGLISH_ABBREVIATIONS


def _continues(text: str, match: re.Match[str]) -> bool:
    """English only: the sentence goes on after an abbreviation or before a lower-case word
    ("Why?" she asked)."""
    if match.group(0) == "." and _is_abbreviation(text, match.start()):
        return True
    rest = text[match.end() : match.end() + 3].lstrip(" \t")
    return bool(rest) and rest[0].islower()


def _cuts(text: str, language: str) -> list[int]:
    pattern = _CHINESE_END if language == "cmn" else _LATIN_END
    cuts: list[int] = []
    for match in pattern.finditer(text):
        ending = match.group(0)
        if language == "eng" and ending != "\n" and _continues(text, match):
            continue
        cuts.append(match.end())
    return cuts


def split_sentences(text: str, language: str) -> list[Span]:
    """Sentences of `text` in order, by the rules of `language` (ISO 639-3): `cmn` uses the
    Chinese rules, everything else the Latin-script ones."""
    spans: list[Span] = []
    start = 0
    for end in [*_cuts(text, language), len(text)]:
        piece = text[start:end]
        stripped = piece.strip()
        if stripped:
            lead = len(piece) - len(piece.lstrip())
            first = start + lead
            spans.append(Span(first, first + len(stripped), stripped))
        start = end
    return spans
