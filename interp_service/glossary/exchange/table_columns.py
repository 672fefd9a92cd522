"""Columns and cell conventions of the CSV/TSV glossary format, shared by reading and
writing; the format is described in `interp_service.glossary.exchange.tabular`."""

from __future__ import annotations

import re

__all__ = [
    "ALL_COLUMNS",
    "COLUMNS",
    "CONCEPT_COLUMNS",
    "EXTRA_COLUMNS",
    "REQUIRED",
    "TERM_COLUMNS",
    "bad_delimiter",
    "guard",
    "has_citation_separator",
    "split_citations",
    "unguard",
]

COLUMNS = (
    "concept_id",
    "subject_field",
    "language",
    "variety",
    "term",
    "part_of_speech",
    "status",
    "definition",
    "citations",
    "note",
    "source",
    "verification",
    "ipa",
)
EXTRA_COLUMNS = ("concept_note", "concept_verification")
REQUIRED = ("concept_id", "language", "term")
ALL_COLUMNS = COLUMNS + EXTRA_COLUMNS
CONCEPT_COLUMNS = (
    "subject_field",
    "definition",
    "citations",
    "concept_note",
    "concept_verification",
)
TERM_COLUMNS = tuple(c for c in ALL_COLUMNS if c not in CONCEPT_COLUMNS and c != "concept_id")
_CITATION_SPLIT = re.compile("[;；]")
_FORMULA = re.compile("^'*[=+\\-@]")


def bad_delimiter(delimiter: str) -> bool:
    """Whether a delimiter cannot be used: not one character, or a quote or line end."""
    return len(delimiter) != 1 or delimiter in "\"\r\n'"


def unguard(value: str) -> str:
    """A cell as read, without the apostrophe that `guard` put before a formula."""
    return value[1:] if _FORMULA.match(value) and value.startswith("'") else value


def guard(value: str) -> str:
    """A cell to write, with an apostrophe so a spreadsheet does not run it as a formula."""
    return "'" + value if _FORMULA.match(value) else value


def split_citations(value: str) -> list[str]:
    """The citations in a `citations` cell (separated by `;` or a full-width `；`)."""
    return [c.strip() for c in _CITATION_SPLIT.split(value) if c.strip()]


def has_citation_separator(citation: str) -> bool:
    """Whether a citation holds a character that separates citations in a cell."""
    return _CITATION_SPLIT.search(citation) is not None
