"""Records shared by term recognition and lookup: the indexed term, a match in a sentence,
a lookup hit, their rank orders, and the default normaliser. Re-exported by `matching`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from interp_service.invisible import strip_invisible

CHINESE_LANGUAGES = frozenset({"cmn", "zho", "chi"})
MIAO_LANGUAGES = frozenset({"mmr", "muq"})

STATUS_RANK = {"preferred": 0, "admitted": 1, "deprecated": 2, "forbidden": 3}
VERIFICATION_RANK = {"approved": 0, "unverified": 1}
HOW_RANK = {"exact": 0, "tone-insensitive": 1, "prefix": 2, "pinyin": 3, "fuzzy": 4}

TextKey = Callable[[str], str]

# What a concept is for the translation receipts and the interview page: a legal concept of
# the team's glossary, or an everyday word of a lexicon (the Chen 2012 import). A concept is
# "lexicon" when its subject field is `lexicon` (what `lexicon_convert` writes, kept through
# TBX/CSV export and import and shown on the concept page); every other concept is "legal".
TermKind = Literal["legal", "lexicon"]
LEXICON_SUBJECT_FIELD = "lexicon"


def concept_kind(subject_field: str | None) -> TermKind:
    """The kind of a concept from its subject field (case and spaces ignored)."""
    if (subject_field or "").strip().casefold() == LEXICON_SUBJECT_FIELD:
        return "lexicon"
    return "legal"


def simple_normalise(text: str) -> str:
    """Default normaliser: zero-width and direction characters dropped, case-folded,
    whitespace collapsed."""
    return " ".join(strip_invisible(text).casefold().split())


@dataclass(frozen=True, slots=True)
class IndexedTerm:
    """One glossary term as the matchers see it; ids are database ids."""

    term_id: int
    concept_id: int
    language: str
    variety: str
    text: str
    status: str
    verification: str
    kind: TermKind = "legal"

    @property
    def preference(self) -> tuple[int, int]:
        """Sort key: preferred before deprecated/forbidden, approved before unverified."""
        return (STATUS_RANK.get(self.status, 9), VERIFICATION_RANK.get(self.verification, 9))


@dataclass(frozen=True, slots=True)
class Match:
    """A term found in a sentence; `start`/`end` are character offsets into the original
    sentence (end exclusive), `text` the sentence's own spelling there."""

    term: IndexedTerm
    start: int
    end: int
    text: str
    tone_insensitive: bool = False

    @property
    def status(self) -> str:
        return self.term.status

    @property
    def verification(self) -> str:
        return self.term.verification


@dataclass(frozen=True, slots=True)
class Hit:
    """A lookup result. `how` is exact/tone-insensitive/prefix/pinyin/fuzzy; `score` (0-100) is
    the similarity within that kind: 100 exact as typed, 99 exact after normalisation, the
    share of the term covered for prefixes, the rapidfuzz ratio for fuzzy."""

    term: IndexedTerm
    how: str
    score: float

    @property
    def status(self) -> str:
        return self.term.status

    @property
    def verification(self) -> str:
        return self.term.verification

    @property
    def rank_key(self) -> tuple[int, float, int, int, int, str, int]:
        """Order of results: kind, score, term preference, then shorter text first."""
        return (HOW_RANK[self.how], -self.score, *term_tie_break(self.term))


def term_tie_break(term: IndexedTerm) -> tuple[int, int, int, str, int]:
    """Order among equally ranked terms: preference, shorter text, text, id."""
    return (*term.preference, len(term.text), term.text, term.term_id)
