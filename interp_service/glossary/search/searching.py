"""Lookup and term recognition over the current glossary release.

The automaton and lookup index are built in memory from all terms and kept per glossary
release: a request that sees a newer release number (from any process) rebuilds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.glossary import repository as repo
from interp_service.glossary.lexicon import orthography
from interp_service.glossary.orm import Concept, Term
from interp_service.glossary.releases import current_release
from interp_service.glossary.schemas import (
    LookupHitOut,
    RecognisedOut,
    RecogniseOut,
    TermOut,
)
from interp_service.glossary.search.matching import (
    IndexedTerm,
    LookupIndex,
    TermRecogniser,
    concept_kind,
    term_tie_break,
)
from interp_service.services import VersionedCache


@dataclass
class GlossaryIndex:
    release: int
    recogniser: TermRecogniser
    lookup: LookupIndex
    by_concept: dict[int, list[IndexedTerm]]

    def equivalents(self, concept_id: int, language: str) -> list[IndexedTerm]:
        """The concept's terms in `language`, best first (preferred, approved, shorter)."""
        found = [t for t in self.by_concept.get(concept_id, []) if t.language == language]
        return sorted(found, key=term_tie_break)

    def meaning(self, concept_id: int) -> list[str]:
        """The concept's Chinese terms to show beside a hit in another language, best first;
        deprecated and forbidden ones only when the concept has no other."""
        chinese = self.equivalents(concept_id, "cmn")
        usable = [t for t in chinese if t.status not in ("deprecated", "forbidden")]
        return [t.text for t in usable or chinese]


def build_index(session: Session) -> GlossaryIndex:
    """Read every term and build both structures (seconds for tens of thousands). Each term
    carries its concept's kind (`concept_kind` of the subject field: legal or lexicon)."""
    release = current_release(session)
    rows = session.execute(
        select(
            Term.id,
            Term.concept_id,
            Term.language,
            Term.variety,
            Term.text,
            Term.status,
            Term.verification,
            Concept.subject_field,
        ).join(Concept, Term.concept_id == Concept.id)
    ).all()
    terms = [IndexedTerm(*row[:7], kind=concept_kind(row[7])) for row in rows]
    options: dict[str, Any] = {
        "miao_normalise": orthography.normalise,
        "miao_tone_key": orthography.lookup_key,
    }
    by_concept: dict[int, list[IndexedTerm]] = {}
    for term in terms:
        by_concept.setdefault(term.concept_id, []).append(term)
    return GlossaryIndex(
        release, TermRecogniser(terms, **options), LookupIndex(terms, **options), by_concept
    )


def index_for(cache: VersionedCache[GlossaryIndex], session: Session) -> GlossaryIndex:
    """The cached index, rebuilt when the glossary release has moved on."""
    return cache.get(current_release(session), lambda: build_index(session))


def _hits_out(session: Session, index: GlossaryIndex, hits: list[Any]) -> list[LookupHitOut]:
    """Hits with their concept's definition and Chinese terms (a Miao hit's meaning)."""
    terms = repo.terms_by_id(session, [h.term.term_id for h in hits])
    out = []
    for hit in hits:
        term = terms.get(hit.term.term_id)
        if term is None:  # removed since the index was built
            continue
        out.append(
            LookupHitOut(
                term=TermOut.model_validate(term),
                concept_external_id=term.concept.external_id,
                definition=term.concept.definition,
                chinese_terms=index.meaning(term.concept_id),
                how=hit.how,
                score=hit.score,
            )
        )
    return out


def lookup(
    cache: VersionedCache[GlossaryIndex],
    session: Session,
    query: str,
    language: str | None,
    limit: int,
) -> list[LookupHitOut]:
    index = index_for(cache, session)
    hits = index.lookup.search(query, language=language, limit=limit)
    return _hits_out(session, index, hits)


def lookup_in(session: Session, query: str, language: str | None, limit: int) -> list[LookupHitOut]:
    """Lookup without an app (command line): builds a fresh index."""
    index = build_index(session)
    hits = index.lookup.search(query, language=language, limit=limit)
    return _hits_out(session, index, hits)


def _recognised(session: Session, index: GlossaryIndex, text: str, language: str) -> RecogniseOut:
    matches = index.recogniser.find(text, language)
    terms = repo.terms_by_id(session, [m.term.term_id for m in matches])
    out = []
    seen: set[tuple[int, int]] = set()
    for m in matches:
        term = terms.get(m.term.term_id)
        if term is None or (m.start, m.end) in seen:
            continue  # several terms spelt alike: the first (preferred) one speaks for all
        seen.add((m.start, m.end))
        out.append(
            RecognisedOut(
                start=m.start,
                end=m.end,
                surface=m.text,
                term=TermOut.model_validate(term),
                concept_external_id=term.concept.external_id,
            )
        )
    return RecogniseOut(release=index.release, matches=out)


def recognise(
    cache: VersionedCache[GlossaryIndex], session: Session, text: str, language: str
) -> RecogniseOut:
    return _recognised(session, index_for(cache, session), text, language)


def recognise_in(session: Session, text: str, language: str) -> RecogniseOut:
    return _recognised(session, build_index(session), text, language)


def highlight(text: str, matches: list[RecognisedOut]) -> list[tuple[str, RecognisedOut | None]]:
    """The sentence cut into plain pieces and recognised pieces, in order."""
    pieces: list[tuple[str, RecognisedOut | None]] = []
    at = 0
    for m in sorted(matches, key=lambda m: m.start):
        if m.start < at:
            continue
        if m.start > at:
            pieces.append((text[at : m.start], None))
        pieces.append((text[m.start : m.end], m))
        at = m.end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces
