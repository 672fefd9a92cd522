"""Plain records of the concept-oriented glossary (the TBX model), shared by import,
export, matching and the database layer. No database or web code here."""

from __future__ import annotations

from dataclasses import dataclass, field

TERM_STATUSES = ("preferred", "admitted", "deprecated", "forbidden")
VERIFICATION = ("unverified", "approved")
PARTS_OF_SPEECH = ("noun", "verb", "adjective", "adverb", "phrase", "other", "")


@dataclass
class TermRecord:
    """One term of a concept, in one language and variety.

    `language` is an ISO 639-3 code (cmn, mmr, muq, eng, ...); `variety` a free label such
    as 花垣. `ipa` keeps a source's phonetic form (the Chen 2012 lexicon) beside the
    spelling. `line` is the 1-based line of the import file the term came from.
    """

    language: str
    text: str
    variety: str = ""
    part_of_speech: str = ""
    status: str = "admitted"
    usage_note: str = ""
    source: str = ""
    verification: str = "unverified"
    ipa: str = ""
    line: int | None = None


@dataclass
class ConceptRecord:
    """A concept: subject field, Chinese definition, statute citations, note, own
    verification state, and its terms. `external_id` is the id in the exchanged file."""

    external_id: str
    subject_field: str = ""
    definition: str = ""
    citations: list[str] = field(default_factory=list)
    note: str = ""
    verification: str = "unverified"
    terms: list[TermRecord] = field(default_factory=list)
    line: int | None = None


@dataclass
class ImportProblem:
    """A bad entry found while checking an import file (nothing is written then)."""

    line: int | None
    message: str


@dataclass
class ParsedGlossary:
    concepts: list[ConceptRecord]
    problems: list[ImportProblem]
