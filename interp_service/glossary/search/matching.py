"""Finding glossary terms in sentences and looking terms up; pure and in memory.

This module is the entry point: it re-exports the shared records (`IndexedTerm`, `Match`, `Hit`,
rank orders, `simple_normalise`) and the two matchers, each built once from `IndexedTerm`s and
rebuilt when the glossary changes:

- `TermRecogniser` (`recognition`): every term of a language in a sentence, in one
  Aho-Corasick pass (`automaton`), with character spans into the original sentence, overlaps
  resolved leftmost-longest.
- `LookupIndex` (`lookup`): a typed query ranked exact > tone-insensitive > prefix > pinyin >
  fuzzy.

Chinese (cmn, zho, chi) is folded character by character (`folding`): traditional to
simplified, full-width to half-width, lower case. Other languages are matched word by word.
For Miao (mmr, muq) the plugged `miao_normalise` (the orthography's `normalise`) and
`miao_tone_key` (its `strip_tones`) shape the keys; the defaults only lowercase and strip.

The records live in `match_records` so that `recognition` and `lookup` can import them without
importing this module (no import cycle).
"""

from __future__ import annotations

from interp_service.glossary.search.lookup import LookupIndex
from interp_service.glossary.search.match_records import (
    CHINESE_LANGUAGES,
    HOW_RANK,
    LEXICON_SUBJECT_FIELD,
    MIAO_LANGUAGES,
    STATUS_RANK,
    VERIFICATION_RANK,
    Hit,
    IndexedTerm,
    Match,
    TermKind,
    TextKey,
    concept_kind,
    simple_normalise,
    term_tie_break,
)
from interp_service.glossary.search.recognition import TermRecogniser

__all__ = [
    "CHINESE_LANGUAGES",
    "HOW_RANK",
    "LEXICON_SUBJECT_FIELD",
    "MIAO_LANGUAGES",
    "STATUS_RANK",
    "VERIFICATION_RANK",
    "Hit",
    "IndexedTerm",
    "LookupIndex",
    "Match",
    "TermKind",
    "TermRecogniser",
    "TextKey",
    "concept_kind",
    "simple_normalise",
    "term_tie_break",
]
