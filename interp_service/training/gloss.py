"""The baseline's last resort: glosses of a sentence, with or without the database.

* ``session_gloss``: the service's own lexical fallback (``translation.gloss``) over the
  current glossary read from a session, as a prosecutor would see it: unknown words in
  brackets. The training command uses this one.
* ``term_gloss``: without a session, a word-by-word gloss over glossary term pairs
  (longest source term first; runs of unknown words kept in brackets).
* ``copy_source``: no glossary at all (the NTREX benchmark): the source itself, which
  shares names and numbers with the reference.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.glossary.search.searching import build_index
from interp_service.training.dataset import Example
from interp_service.training.evaluation import Gloss
from interp_service.translation.gloss import gloss_sentence
from interp_service.translation.segment import glossary_segmenter
from interp_service.translation.terms import source_terms


def session_gloss(
    session: Session, source_language: str, target_language: str, variety: str = ""
) -> Gloss:
    """The lexical gloss over the glossary as it is now; the session is read once, here."""
    index = build_index(session)
    segmenter = glossary_segmenter(index)

    def gloss(text: str) -> str:
        words = segmenter.words(text, source_language)
        matches = source_terms(index, text, source_language, words)
        output, *_ = gloss_sentence(
            index, text, words, matches, source_language, target_language, variety
        )
        return output

    return gloss


def term_gloss(term_pairs: Sequence[Example]) -> Gloss:
    """Greedy longest-match gloss over term pairs (their first target per source)."""
    table: dict[str, str] = {}
    for pair in term_pairs:
        table.setdefault(pair.source.casefold(), pair.target)
    if not term_pairs:
        return copy_source
    chinese_source = term_pairs[0].source_language in CHINESE_LANGUAGES
    joiner = "" if term_pairs[0].target_language in CHINESE_LANGUAGES else " "
    longest = max(len(k) for k in table)

    def gloss(text: str) -> str:
        units = list(text) if chinese_source else text.split()
        sep = "" if chinese_source else " "
        out: list[str] = []
        unknown: list[str] = []
        i = 0
        while i < len(units):
            for n in range(min(longest, len(units) - i), 0, -1):
                found = table.get(sep.join(units[i : i + n]).casefold())
                if found is not None:
                    if unknown:
                        out.append(f"[{sep.join(unknown)}]")
                        unknown = []
                    out.append(found)
                    i += n
                    break
            else:
                unknown.append(units[i])
                i += 1
        if unknown:
            out.append(f"[{sep.join(unknown)}]")
        return joiner.join(out)

    return gloss


def copy_source(text: str) -> str:
    """The source unchanged."""
    return text
