"""Export the approved data of one language pair as training examples (reads only).

Translation memory: every ``approved`` entry with a non-empty target whose languages are
the pair in either order (a cmn→mmr entry is also a mmr→cmn example). Glossary: per
concept, each usable term (not deprecated or forbidden) of the source language paired with
each usable term of the target language, where every term outside Chinese must be
*approved* (Chinese terms come from the project's draft glossary and need not be), best
terms first; varieties are kept. The caller's session is read, never written.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from interp_service.glossary.orm import Term
from interp_service.glossary.search.match_records import (
    CHINESE_LANGUAGES,
    STATUS_RANK,
    VERIFICATION_RANK,
)
from interp_service.memory.orm import MemoryEntry
from interp_service.training.dataset import Example

_UNUSABLE = ("deprecated", "forbidden")
MEMORY_LICENCE = (
    "translation-memory pairs approved by this service's users (the service's own data)"
)


@dataclass
class Export:
    """Examples oriented source → target; ``term_sources`` counts the glossary terms used
    per provenance (the term's ``source`` up to its first ';', e.g. the Chen 2012 credit)."""

    memory: list[Example] = field(default_factory=list)
    glossary: list[Example] = field(default_factory=list)
    term_sources: Counter[str] = field(default_factory=Counter)

    @property
    def examples(self) -> list[Example]:
        return [*self.memory, *self.glossary]

    def licence(self) -> str:
        """The licence line of a model trained on this export."""
        if not self.glossary:
            return MEMORY_LICENCE
        credits = ", ".join(
            f"{name or 'the service glossary (project draft and admin entries)'} ({n} terms)"
            for name, n in sorted(self.term_sources.items())
        )
        return f"{MEMORY_LICENCE}; glossary term pairs: {credits}"


def memory_examples(session: Session, source_language: str, target_language: str) -> list[Example]:
    """Approved memory pairs of the pair, either stored direction, by entry id."""
    e = MemoryEntry
    rows = session.scalars(
        select(e)
        .where(
            e.status == "approved",
            e.target_text != "",
            or_(
                and_(e.source_language == source_language, e.target_language == target_language),
                and_(e.source_language == target_language, e.target_language == source_language),
            ),
        )
        .order_by(e.id)
    ).all()
    out = []
    for entry in rows:
        example = Example(
            source=entry.source_text,
            target=entry.target_text,
            source_language=entry.source_language,
            target_language=entry.target_language,
            source_variety=entry.source_variety,
            target_variety=entry.target_variety,
            origin="memory",
            ref=f"memory:{entry.id}",
        )
        out.append(example if entry.source_language == source_language else example.reversed())
    return out


def _usable(term: Term) -> bool:
    if term.status in _UNUSABLE:
        return False
    return term.language in CHINESE_LANGUAGES or term.verification == "approved"


def _rank(term: Term) -> tuple[int, int, int, int]:
    return (
        STATUS_RANK.get(term.status, 9),
        VERIFICATION_RANK.get(term.verification, 9),
        len(term.text),
        term.id,
    )


def glossary_examples(
    session: Session, source_language: str, target_language: str
) -> tuple[list[Example], Counter[str]]:
    """Term pairs of the pair (see the module docstring) and the provenance counts of the
    non-Chinese terms used."""
    terms = session.scalars(
        select(Term).where(Term.language.in_((source_language, target_language))).order_by(Term.id)
    ).all()
    by_concept: dict[int, list[Term]] = {}
    for term in terms:
        if _usable(term):
            by_concept.setdefault(term.concept_id, []).append(term)
    out: list[Example] = []
    credits: Counter[str] = Counter()
    for concept_id, group in sorted(by_concept.items()):
        sources = sorted((t for t in group if t.language == source_language), key=_rank)
        targets = sorted((t for t in group if t.language == target_language), key=_rank)
        used: set[int] = set()
        for s in sources:
            for t in targets:
                out.append(
                    Example(
                        source=s.text,
                        target=t.text,
                        source_language=source_language,
                        target_language=target_language,
                        source_variety=s.variety,
                        target_variety=t.variety,
                        origin="glossary",
                        ref=f"concept:{concept_id}:{s.id}-{t.id}",
                    )
                )
                used.update(x.id for x in (s, t) if x.language not in CHINESE_LANGUAGES)
        for term in group:
            if term.id in used:
                credits[term.source.split(";")[0].strip()] += 1
    return out, credits


def export_examples(session: Session, source_language: str, target_language: str) -> Export:
    """Everything approved for the pair, oriented ``source_language`` → ``target_language``."""
    glossary, credits = glossary_examples(session, source_language, target_language)
    return Export(memory_examples(session, source_language, target_language), glossary, credits)
