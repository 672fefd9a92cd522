"""The lexical fallback: a word-by-word gloss from the glossary and lexicon.

It is never a translation. Each word gets the best equivalent the glossary holds (approved
before unverified), unknown words are kept in brackets, and the sentence is always labelled
*interpreter required*.
"""

from __future__ import annotations

from interp_service.glossary.match_records import CHINESE_LANGUAGES, Match
from interp_service.glossary.searching import GlossaryIndex
from interp_service.translation.receipts import GlossToken, TermFired
from interp_service.translation.segment import Token
from interp_service.translation.terms import best_equivalent, term_fired


def _word_match(index: GlossaryIndex, word: Token, language: str) -> Match | None:
    """A glossary term spelled exactly like the whole word (after the index's folding)."""
    for tone_insensitive in (False, True):
        if tone_insensitive and language in CHINESE_LANGUAGES:
            break
        for m in index.recogniser.find(word.text, language, tone_insensitive=tone_insensitive):
            if m.start == 0 and m.end == len(word.text) and m.term.status != "forbidden":
                return m
    return None


def gloss_sentence(
    index: GlossaryIndex,
    sentence: str,
    words: list[Token],
    terms: list[Match],
    source: str,
    target: str,
    variety: str,
) -> tuple[str, list[GlossToken], list[TermFired], list[str]]:
    """Gloss `sentence`. `terms` are the recognised multi-word terms (they win over single
    words inside them). Returns the gloss text, its tokens, the terms with output spans and
    the flags."""
    units: list[tuple[Token, Match | None]] = []
    covered: list[tuple[int, int]] = []
    for m in terms:
        units.append((Token(m.start, m.end, m.text), m))
        covered.append((m.start, m.end))
    for word in words:
        if any(s < word.end and word.start < e for s, e in covered):
            continue
        units.append((word, _word_match(index, word, source)))
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
            )
        )
        if equivalent is None or match is None:
            unknown = True
            continue
        unverified = unverified or equivalent.verification != "approved"
        # The word's own span: a word's match is found within the word, not the sentence.
        in_sentence = Match(match.term, word.start, word.end, word.text)
        fired.append(term_fired(in_sentence, equivalent, start, length, enforced=False))
    flags = ["interpreter-required"]
    if unknown:
        flags.append("unknown-words")
    if unverified:
        flags.append("unverified-terms")
    return joiner.join(out), tokens, fired, flags
