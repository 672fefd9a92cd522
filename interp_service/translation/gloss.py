"""The lexical fallback: a word-by-word gloss from the glossary and lexicon.

It is never a translation. Each word gets the best equivalent the glossary holds (approved
before unverified), unknown words are kept in brackets, and the sentence is always labelled
*interpreter required*.
"""

from __future__ import annotations

from interp_service.glossary.search.match_records import CHINESE_LANGUAGES, Match
from interp_service.glossary.search.searching import GlossaryIndex
from interp_service.translation.receipts import GlossToken, TermFired
from interp_service.translation.segment import Token
from interp_service.translation.terms import best_equivalent, term_fired, usable


def _word_match(index: GlossaryIndex, word: Token, language: str) -> Match | None:
    """A usable glossary term spelled like the whole word (after the index's folding), a
    legal term before a lexicon word; for Miao, tone-insensitively when nothing matches
    exactly."""
    for tone_insensitive in (False, True):
        if tone_insensitive and language in CHINESE_LANGUAGES:
            break
        found = [
            m
            for m in index.recogniser.find(
                word.text, language, tone_insensitive=tone_insensitive, accept=usable
            )
            if m.start == 0 and m.end == len(word.text)
        ]
        if found:
            return min(found, key=lambda m: m.term.kind == "lexicon")
    return None


def _outside(start: int, end: int, covered: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The stretches of [start, end) that no span of `covered` (sorted) overlaps."""
    pieces: list[tuple[int, int]] = []
    cursor = start
    for s, e in covered:
        if e <= cursor or s >= end:
            continue
        if s > cursor:
            pieces.append((cursor, s))
        cursor = max(cursor, e)
    if cursor < end:
        pieces.append((cursor, end))
    return pieces


def gloss_sentence(
    index: GlossaryIndex,
    sentence: str,
    words: list[Token],
    terms: list[Match],
    source: str,
    target: str,
    variety: str,
) -> tuple[str, list[GlossToken], list[TermFired], list[str]]:
    """Gloss `sentence`. `terms` are the recognised terms (`terms.source_terms`); they win
    over the words inside or overlapping them. Returns the gloss text, its tokens, the terms
    with output spans (a legal term without an equivalent too, with no output span) and the
    flags."""
    units: list[tuple[Token, Match | None]] = []
    covered: list[tuple[int, int]] = []
    for m in terms:
        units.append((Token(m.start, m.end, m.text), m))
        covered.append((m.start, m.end))
    covered.sort()
    for word in words:
        if not any(s < word.end and word.start < e for s, e in covered):
            units.append((word, _word_match(index, word, source)))
            continue
        # A term took part of the word (the glossary wins over the segmentation): what is
        # left of the word stays in the gloss, unknown, rather than vanishing.
        for start, end in _outside(word.start, word.end, covered):
            piece = sentence[start:end]
            if piece.strip():
                units.append((Token(start, end, piece), None))
    units.sort(key=lambda u: u[0].start)

    joiner = "" if target in CHINESE_LANGUAGES else " "
    out: list[str] = []
    length = 0
    tokens: list[GlossToken] = []
    fired: list[TermFired] = []
    unknown = unverified = False
    for word, match in units:
        equivalent = (
            best_equivalent(index, match.term.concept_id, target, variety, approved_only=False)
            if match is not None
            else None
        )
        if out and joiner:
            length += len(joiner)
        text = equivalent.text if equivalent is not None else f"[{word.text}]"
        start = length
        out.append(text)
        length += len(text)
        tokens.append(
            GlossToken(
                source_start=word.start,
                source_end=word.end,
                source_text=word.text,
                gloss=equivalent.text if equivalent is not None else None,
                verification=equivalent.verification if equivalent is not None else None,
                concept_id=match.term.concept_id if match is not None else None,
                kind=match.term.kind if match is not None else "legal",
            )
        )
        # The word's own span: a word's match is found within the word, not the sentence.
        in_sentence = (
            Match(match.term, word.start, word.end, word.text) if match is not None else None
        )
        if equivalent is None or in_sentence is None:
            unknown = True
            if in_sentence is not None and in_sentence.term.kind != "lexicon":
                fired.append(term_fired(in_sentence, None, None, None, enforced=False))
            continue
        unverified = unverified or equivalent.verification != "approved"
        fired.append(term_fired(in_sentence, equivalent, start, length, enforced=False))
    flags = ["interpreter-required"]
    if unknown:
        flags.append("unknown-words")
    if unverified:
        flags.append("unverified-terms")
    return joiner.join(out), tokens, fired, flags
