"""Glossary terms in a sentence: which ones count, their equivalents, and enforcing approved
equivalents in a model's output by placeholder substitution.

Enforcement: each recognised source term whose target equivalent is *approved* is replaced
by a placeholder token (`<t0>`, `<t1>`, …) before the model sees the sentence; models
trained here learn to copy placeholders, and after decoding each placeholder is replaced by
the approved equivalent, so its span in the output is known exactly. A placeholder missing
from the output means enforcement failed, and the sentence is flagged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from interp_service.engine.placeholders import PLACEHOLDER_COUNT, placeholder
from interp_service.glossary.match_records import (
    CHINESE_LANGUAGES,
    STATUS_RANK,
    VERIFICATION_RANK,
    IndexedTerm,
    Match,
)
from interp_service.glossary.searching import GlossaryIndex
from interp_service.translation.receipts import TermFired
from interp_service.translation.segment import Token

_UNUSABLE = {"deprecated", "forbidden"}


def variety_fits(term: IndexedTerm, variety: str) -> bool:
    return not variety or not term.variety or term.variety == variety


def best_equivalent(
    index: GlossaryIndex, concept_id: int, language: str, variety: str, *, approved_only: bool
) -> IndexedTerm | None:
    """The concept's best term in the target language: approved before unverified, then
    preferred before admitted, then shorter. Deprecated and forbidden terms never count."""
    found = [
        t
        for t in index.equivalents(concept_id, language)
        if t.status not in _UNUSABLE and variety_fits(t, variety)
    ]
    if approved_only:
        found = [t for t in found if t.verification == "approved"]
    if not found:
        return None
    return min(
        found,
        key=lambda t: (
            VERIFICATION_RANK.get(t.verification, 9),
            STATUS_RANK.get(t.status, 9),
            len(t.text),
            t.term_id,
        ),
    )


def source_terms(
    index: GlossaryIndex, sentence: str, language: str, words: list[Token]
) -> list[Match]:
    """Recognised glossary terms of the sentence, one per span. For Chinese only terms that
    start and end on word boundaries count, so 天 is not found inside 今天."""
    matches = index.recogniser.find(sentence, language)
    if language in CHINESE_LANGUAGES:
        starts = {w.start for w in words}
        ends = {w.end for w in words}
        matches = [m for m in matches if m.start in starts and m.end in ends]
    chosen: dict[tuple[int, int], Match] = {}
    for m in matches:
        if m.term.status in _UNUSABLE:
            continue
        chosen.setdefault((m.start, m.end), m)
    return [chosen[k] for k in sorted(chosen)]


@dataclass(frozen=True)
class Slot:
    token: str
    match: Match
    equivalent: IndexedTerm


@dataclass(frozen=True)
class Protected:
    """A sentence with enforced terms replaced by placeholders."""

    text: str
    slots: list[Slot]


def protect(
    index: GlossaryIndex, sentence: str, matches: list[Match], target: str, variety: str
) -> Protected:
    """Replace every term that has an approved equivalent by a placeholder."""
    slots: list[Slot] = []
    pieces: list[str] = []
    cursor = 0
    for m in matches:
        if len(slots) == PLACEHOLDER_COUNT:
            break
        equivalent = best_equivalent(index, m.term.concept_id, target, variety, approved_only=True)
        if equivalent is None:
            continue
        token = placeholder(len(slots))
        pieces.append(sentence[cursor : m.start])
        pieces.append(token)
        cursor = m.end
        slots.append(Slot(token, m, equivalent))
    pieces.append(sentence[cursor:])
    return Protected("".join(pieces), slots)


def restore(output: str, protected: Protected) -> tuple[str, list[TermFired], bool]:
    """Put approved equivalents where the placeholders are. Returns the output, the terms
    with their output spans, and whether every placeholder was found exactly once."""
    ok = True
    positions: list[tuple[int, int, Slot]] = []
    for slot in protected.slots:
        found = [m.start() for m in re.finditer(re.escape(slot.token), output)]
        if len(found) != 1:
            ok = False
        if found:
            positions.append((found[0], found[0] + len(slot.token), slot))
    positions.sort(key=lambda p: p[0])
    pieces: list[str] = []
    fired: dict[int, TermFired] = {}
    cursor = 0
    length = 0
    for start, end, slot in positions:
        before = output[cursor:start]
        pieces.append(before)
        length += len(before)
        fired[id(slot)] = term_fired(
            slot.match, slot.equivalent, length, length + len(slot.equivalent.text), True
        )
        pieces.append(slot.equivalent.text)
        length += len(slot.equivalent.text)
        cursor = end
    pieces.append(output[cursor:])
    text = "".join(pieces)
    # Stray placeholders the model invented are removed, not shown.
    if re.search(r"<t\d+>", text):
        ok = False
    terms = [
        fired.get(id(slot)) or term_fired(slot.match, slot.equivalent, None, None, False)
        for slot in protected.slots
    ]
    return text, terms, ok


def found_in_output(
    index: GlossaryIndex, matches: list[Match], output: str, target: str, variety: str
) -> list[TermFired]:
    """Terms of the source whose equivalent (any status but unusable) occurs in a human
    translation; the span is the first occurrence, compared case-insensitively."""
    lowered = output.casefold()
    fired: list[TermFired] = []
    for m in matches:
        candidates = [
            t
            for t in index.equivalents(m.term.concept_id, target)
            if t.status not in _UNUSABLE and variety_fits(t, variety)
        ]
        hit: tuple[int, IndexedTerm] | None = None
        for term in sorted(candidates, key=lambda t: -len(t.text)):
            at = lowered.find(term.text.casefold())
            if at >= 0:
                hit = (at, term)
                break
        if hit is None:
            continue
        at, term = hit
        fired.append(term_fired(m, term, at, at + len(term.text), False))
    return fired


def term_fired(
    match: Match, term: IndexedTerm, start: int | None, end: int | None, enforced: bool
) -> TermFired:
    """The receipt entry of `match`: its source span, `term` at [start, end) of the output."""
    return TermFired(
        concept_id=match.term.concept_id,
        source_term_id=match.term.term_id,
        source_text=match.text,
        source_start=match.start,
        source_end=match.end,
        target_term_id=term.term_id,
        target_text=term.text,
        output_start=start,
        output_end=end,
        verification=term.verification,
        enforced=enforced,
    )
