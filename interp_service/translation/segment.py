"""Word segmentation for the lexical gloss: jieba for Chinese (with the glossary's Chinese
terms added so legal terms stay whole), letter runs for Latin-script languages."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

import jieba

from interp_service.glossary.search.matching import CHINESE_LANGUAGES
from interp_service.glossary.search.searching import GlossaryIndex

jieba.setLogLevel(logging.WARNING)

_LATIN_WORD = re.compile(r"[0-9A-Za-z\u00c0-\u024f\u1e00-\u1eff'’-]+")
_HAN_OR_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff0-9A-Za-z]")


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the sentence; offsets are characters, end exclusive."""

    start: int
    end: int
    text: str


class Segmenter:
    """Splits sentences into words. Built once per glossary release (jieba's dictionary load
    takes about a second)."""

    def __init__(self, chinese_terms: Iterable[str] = ()) -> None:
        self._jieba = jieba.Tokenizer()
        self._terms = sorted(set(chinese_terms))
        self._ready = False
        self._lock = threading.Lock()

    def _ensure_ready(self) -> None:
        if self._ready:
            return
        with self._lock:
            if not self._ready:
                self._jieba.initialize()
                for term in self._terms:
                    if 1 < len(term) <= 20 and " " not in term:
                        self._jieba.add_word(term, freq=100_000)
                self._ready = True

    def words(self, sentence: str, language: str) -> list[Token]:
        """The words of `sentence`; punctuation and spaces are left out."""
        if language in CHINESE_LANGUAGES:
            self._ensure_ready()
            tokens = []
            for word, start, end in self._jieba.tokenize(sentence, HMM=True):
                if _HAN_OR_WORD.search(word):
                    tokens.append(Token(start, end, word))
            return tokens
        return [Token(m.start(), m.end(), m.group()) for m in _LATIN_WORD.finditer(sentence)]


def glossary_segmenter(index: GlossaryIndex) -> Segmenter:
    """A segmenter whose jieba dictionary holds the glossary's Chinese terms."""
    return Segmenter(
        t.text
        for group in index.by_concept.values()
        for t in group
        if t.language in CHINESE_LANGUAGES
    )
