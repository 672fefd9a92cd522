"""Writing the concept glossary as CSV/TSV, one row per term; the format is described in
`interp_service.glossary.exchange.tabular`."""

from __future__ import annotations

import csv
import io

from interp_service.glossary.exchange.table_columns import (
    COLUMNS,
    EXTRA_COLUMNS,
    bad_delimiter,
    guard,
    has_citation_separator,
)
from interp_service.glossary.records import TERM_STATUSES, VERIFICATION, ConceptRecord

__all__ = ["write_table"]


def write_table(concepts: list[ConceptRecord], *, delimiter: str = "\t") -> bytes:
    """Serialise concepts as UTF-8 (with BOM, for spreadsheet programs) CSV/TSV.

    One row per term, CRLF line ends, deterministic. Raises ValueError for a bad delimiter,
    a missing or repeated concept id, an unknown status or verification, or a citation
    containing the citation separator.
    """
    if bad_delimiter(delimiter):
        raise ValueError(f"bad delimiter {delimiter!r}")
    extras = any(c.verification != "unverified" or c.note for c in concepts)
    header = list(COLUMNS + EXTRA_COLUMNS) if extras else list(COLUMNS)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    seen: set[str] = set()
    for concept in concepts:
        if not concept.external_id:
            raise ValueError("concept without external_id")
        if concept.external_id in seen:
            raise ValueError(f"repeated concept id {concept.external_id!r}")
        seen.add(concept.external_id)
        if concept.verification not in VERIFICATION:
            raise ValueError(f"unknown verification {concept.verification!r}")
        for citation in concept.citations:
            if has_citation_separator(citation):
                raise ValueError(f"citation contains a separator: {citation!r}")
        shared = {
            "concept_id": concept.external_id,
            "subject_field": concept.subject_field,
            "definition": concept.definition,
            "citations": ";".join(concept.citations),
            "concept_note": concept.note,
            "concept_verification": concept.verification,
        }
        rows: list[dict[str, str]] = []
        for term in concept.terms:
            if term.status not in TERM_STATUSES:
                raise ValueError(f"unknown term status {term.status!r}")
            if term.verification not in VERIFICATION:
                raise ValueError(f"unknown verification {term.verification!r}")
            rows.append(
                shared
                | {
                    "language": term.language,
                    "variety": term.variety,
                    "term": term.text,
                    "part_of_speech": term.part_of_speech,
                    "status": term.status,
                    "source": term.source,
                    "verification": term.verification,
                    "ipa": term.ipa,
                    "note": term.usage_note,
                }
            )
        for row in rows or [shared]:
            writer.writerow([guard(row.get(column, "")) for column in header])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
