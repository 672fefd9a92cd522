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
from interp_service.glossary.search.match_records import (
    CHINESE_LANGUAGES,
    STATUS_RANK,
    VERIFICATION_RANK,
    IndexedTerm,
    Match,
)
from interp_service.glossary.search.searching import GlossaryIndex
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


def usable(term: IndexedTerm) -> bool:
    """Approved and draft (unverified) terms count; deprecated and forbidden ones never."""
    return term.status not in _UNUSABLE


def source_terms(
    index: GlossaryIndex, sentence: str, language: str, words: list[Token]
) -> list[Match]:
    """Recognised glossary terms of the sentence, one per span, in order.

    Legal terms first: the longest match over every usable legal term (approved or draft)
    wins over the word segmentation, so 认罪认罚 is found whole where jieba splits it and
    刑事诉讼 inside jieba's word 刑事诉讼法. For Chinese one limit remains: a match whose
    two ends both fall inside words (取保 in 采取保护, 一审 in 同一审判) is not a term there;
    a one-character legal term must be a whole word. Then lexicon words, only outside the
    legal spans: a lexicon word inside or overlapping a legal term is not recognised. A
    Chinese lexicon word must start and end on word boundaries, so 天 is not found inside
    今天."""
    chinese = language in CHINESE_LANGUAGES
    starts = {w.start for w in words}
    ends = {w.end for w in words}
    edges = starts | ends | {0, len(sentence)}

    def on_boundaries(start: int, end: int) -> bool:
        return not chinese or (start in starts and end in ends)

    def legal_span(start: int, end: int) -> bool:
        if not chinese:
            return True
        if end - start == 1:
            return on_boundaries(start, end)
        return start in edges or end in edges

    legal = index.recogniser.find(
        sentence,
        language,
        accept=lambda t: usable(t) and t.kind != "lexicon",
        span_ok=legal_span,
    )
    taken = sorted({(m.start, m.end) for m in legal})

    def lexicon_span(start: int, end: int) -> bool:
        return on_boundaries(start, end) and not any(s < end and start < e for s, e in taken)

    lexicon = index.recogniser.find(
        sentence,
        language,
        accept=lambda t: usable(t) and t.kind == "lexicon",
        span_ok=lexicon_span,
    )
    chosen: dict[tuple[int, int], Match] = {}
    for m in legal + lexicon:
        chosen.setdefault((m.start, m.end), m)  # several terms spelt alike: preferred first
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


def terms_in_output(
    index: GlossaryIndex,
    matches: list[Match],
    output: str,
    target: str,
    variety: str,
    taken: list[tuple[int, int]] | None = None,
) -> list[TermFired]:
    """The receipt entries of terms that were not enforced (a human translation, or the
    model's output beyond its placeholders).

    A term whose equivalent (any usable status) occurs in the output gets that span (the
    first occurrence, compared case-insensitively, outside the `taken` output spans). A legal
    term whose equivalent is not there is still listed, with the best equivalent the glossary
    has (or none) and no output span; a lexicon word is then left out."""
    lowered = output.casefold()
    busy = list(taken or [])
    fired: list[TermFired] = []
    for m in matches:
        candidates = [
            t
            for t in index.equivalents(m.term.concept_id, target)
            if usable(t) and variety_fits(t, variety)
        ]
        hit: tuple[int, IndexedTerm] | None = None
        for term in sorted(candidates, key=lambda t: -len(t.text)):
            needle = term.text.casefold()
            at = lowered.find(needle)
            while at >= 0 and any(s < at + len(needle) and at < e for s, e in busy):
                at = lowered.find(needle, at + 1)
            if at >= 0:
                hit = (at, term)
                break
        if hit is not None:
            at, term = hit
            busy.append((at, at + len(term.text)))
            fired.append(term_fired(m, term, at, at + len(term.text), False))
        elif m.term.kind != "lexicon":
            best = best_equivalent(index, m.term.concept_id, target, variety, approved_only=False)
            fired.append(term_fired(m, best, None, None, False))
    return fired


def term_fired(
    match: Match, term: IndexedTerm | None, start: int | None, end: int | None, enforced: bool
) -> TermFired:
    """The receipt entry of `match`: its source span, `term` at [start, end) of the output.
    Without a `term` (no equivalent in the target language) the verification is the source
    term's."""
    return TermFired(
        concept_id=match.term.concept_id,
        source_term_id=match.term.term_id,
        source_text=match.text,
        source_start=match.start,
        source_end=match.end,
        target_term_id=term.term_id if term is not None else None,
        target_text=term.text if term is not None else None,
        output_start=start,
        output_end=end,
        verification=term.verification if term is not None else match.term.verification,
        enforced=enforced,
        kind=match.term.kind,
    )
