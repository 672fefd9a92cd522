"""Placeholder copies: teach the model to carry ``<t0>`` through unchanged.

At translation time the pipeline replaces each glossary term whose approved equivalent is
known by a placeholder (``<t0>``…) and puts the approved term back after decoding
(``translation.terms``). A model only copies placeholders it has seen, so for every
training sentence pair that contains a glossary term pair of the dataset (the source term
in the source, its equivalent in the target, as whole words outside Chinese) one extra
training copy is made with both replaced by ``<t0>``. Dev and test are left as they are.
"""

from __future__ import annotations

import re
from dataclasses import replace

from interp_service.engine.placeholders import placeholder
from interp_service.glossary.search.match_records import CHINESE_LANGUAGES
from interp_service.training.dataset import SENTENCE_ORIGINS, Dataset, Example

MIN_TERM_CHARS = 2
"""Shorter terms (a single Han character) match inside too many unrelated words."""


def _pattern(term: str, language: str) -> re.Pattern[str]:
    if language in CHINESE_LANGUAGES:
        return re.compile(re.escape(term))
    return re.compile(rf"(?<![\w<>-]){re.escape(term)}(?![\w<>-])")


def placeholder_copy(
    example: Example, terms: list[tuple[Example, re.Pattern[str], re.Pattern[str]]]
) -> Example | None:
    """The example with its longest contained term pair replaced by ``<t0>``, or None."""
    token = placeholder(0)
    for term, in_source, in_target in terms:
        if term.source not in example.source or term.target not in example.target:
            continue
        if in_source.search(example.source) and in_target.search(example.target):
            return replace(
                example,
                source=in_source.sub(token, example.source, count=1),
                target=in_target.sub(token, example.target, count=1),
                origin="placeholder",
                ref=f"{example.ref}+{term.ref}",
            )
    return None


def add_placeholder_copies(dataset: Dataset) -> int:
    """Fill ``dataset.extra_train`` with placeholder copies in every trained direction;
    returns how many were made."""
    dataset.extra_train = []
    train = dataset.split("train")
    glossary = [e for e in train if e.origin == "glossary"]
    sentences = [e for e in train if e.origin in SENTENCE_ORIGINS]
    if not glossary or not sentences:
        return 0
    orientations = [False, True] if dataset.both else [False]
    for backwards in orientations:
        terms = []
        for term in glossary:
            oriented = term.reversed() if backwards else term
            if min(len(oriented.source), len(oriented.target)) < MIN_TERM_CHARS:
                continue
            terms.append(
                (
                    oriented,
                    _pattern(oriented.source, oriented.source_language),
                    _pattern(oriented.target, oriented.target_language),
                )
            )
        terms.sort(key=lambda t: -len(t[0].source))
        for sentence in sentences:
            copy = placeholder_copy(sentence.reversed() if backwards else sentence, terms)
            if copy is not None:
                dataset.extra_train.append(copy)
    return len(dataset.extra_train)
