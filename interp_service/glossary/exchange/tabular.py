"""CSV/TSV import and export of the concept glossary, one row per term.

Columns, in this order: COLUMNS. `concept_id`, `language` and `term` are required; the
others may be left out of a file. Concept-level columns (subject_field, definition,
citations) are repeated on each row of a concept; a blank cell there means "same as the
concept's other rows", two different non-blank values are a problem. `citations` are
separated by `;` (a full-width `；` is read too). `note`, `source`, `verification` and `ipa`
belong to the row's term (`note` is its usage note), as in the shipped Chen 2012 lexicon.
`language` is read as in TBX (`languages.parse_language_tag`): ISO 639-3 or any valid BCP 47
tag, the tag as written kept in the term's source when it is not the stored code.

COLUMNS have no place for the concept's own note and verification, so two optional
trailing columns, EXTRA_COLUMNS, carry them; `write_table` adds them only when some concept
needs them, so a plain glossary has exactly COLUMNS.

A row whose term-level cells are all blank carries only concept-level data (that is how a
concept without terms is written). Cells that a spreadsheet would run as a formula
(starting with = + - @) are written with a leading apostrophe, which reading removes.

Reading is in `tabular_read`, writing in `tabular_write`, the columns and cell conventions in
`table_columns` and encoding detection in `encodings`.
"""

from __future__ import annotations

from interp_service.glossary.exchange.table_columns import COLUMNS, EXTRA_COLUMNS
from interp_service.glossary.exchange.tabular_read import ParsedTable, parse_table
from interp_service.glossary.exchange.tabular_write import write_table

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "ParsedTable", "parse_table", "write_table"]
