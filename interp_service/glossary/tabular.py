"""CSV/TSV import and export of the concept glossary, one row per term.

Columns, in this order: COLUMNS. `concept_id`, `language` and `term` are required; the
others may be left out of a file. Concept-level columns (subject_field, definition,
citations) are repeated on each row of a concept; a blank cell there means "same as the
concept's other rows", two different non-blank values are a problem. `citations` are
separated by `;` (a full-width `；` is read too). `note`, `source`, `verification` and `ipa`
belong to the row's term (`note` is its usage note), as in the shipped Chen 2012 lexicon.

COLUMNS have no place for the concept's own note and verification, so two optional
trailing columns, EXTRA_COLUMNS, carry them; `write_table` adds them only when some concept
needs them, so a plain glossary has exactly COLUMNS.

A row whose term-level cells are all blank carries only concept-level data (that is how a
concept without terms is written). Cells that a spreadsheet would run as a formula
(starting with = + - @) are written with a leading apostrophe, which reading removes.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass

from interp_service.glossary.records import (
    TERM_STATUSES,
    VERIFICATION,
    ConceptRecord,
    ImportProblem,
    ParsedGlossary,
    TermRecord,
)
from interp_service.glossary.tbx import (
    LanguageError,
    normalize_language,
    normalize_part_of_speech,
    normalize_status,
)

__all__ = ["COLUMNS", "EXTRA_COLUMNS", "ParsedTable", "parse_table", "write_table"]

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
_ALL = COLUMNS + EXTRA_COLUMNS
_CONCEPT_COLUMNS = (
    "subject_field",
    "definition",
    "citations",
    "concept_note",
    "concept_verification",
)
_TERM_COLUMNS = tuple(c for c in _ALL if c not in _CONCEPT_COLUMNS and c != "concept_id")
_CITATION_SPLIT = re.compile("[;；]")
_FORMULA = re.compile("^'*[=+\\-@]")
_DELIMITERS = ("\t", ",", ";")
# Tried, in order, after UTF-8 and the UTF-16/32 byte-order marks.
_LEGACY = ("gb18030", "big5")


@dataclass
class ParsedTable(ParsedGlossary):
    """ParsedGlossary plus how the file was read: `encoding` is a Python codec name."""

    encoding: str = ""
    delimiter: str = ""


def _legacy_score(text: str, encoding: str) -> float:
    """Share of non-ASCII characters that are level-1 (common) hanzi of the encoding.

    Real GB text is nearly all GB2312 level 1 (lead byte B0–D7) and real Big5 text nearly
    all Big5 level 1 (lead A4–C6); bytes of one read as the other land there far less.
    """
    lead = (0xB0, 0xD7) if encoding == "gb18030" else (0xA4, 0xC6)
    codec = "gb2312" if encoding == "gb18030" else "big5"
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return 0.0
    hits = 0
    for ch in wide:
        try:
            encoded = ch.encode(codec)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and lead[0] <= encoded[0] <= lead[1]:
            hits += 1
    return hits / len(wide)


def _decode(data: bytes) -> tuple[str, str] | None:
    """(text, codec) for the first encoding that reads the bytes cleanly, else None."""
    boms = (
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    )
    for bom, codec in boms:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # UTF-16 without a BOM: the ASCII header puts a NUL in every other byte.
    if len(data) >= 4 and len(data) % 2 == 0:
        even, odd = data[0::2].count(0), data[1::2].count(0)
        for codec, nuls, other in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
            if nuls >= len(data) // 8 and other == 0:
                try:
                    return data.decode(codec), codec
                except UnicodeDecodeError:
                    pass
    readings: list[tuple[float, str, str]] = []
    for codec in _LEGACY:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "\x00" not in text:
            readings.append((_legacy_score(text, codec), codec, text))
    if not readings:
        return None
    # max() keeps the first of equal scores, so GB18030 wins ties.
    score, codec, text = max(readings, key=lambda r: r[0])
    return text, codec


def _detect_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0].rstrip("\r")
    best, best_score = "", 0
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        score = sum(1 for c in cells if c.strip().lower() in _ALL)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    return "\t" if "\t" in header else ","


def _unguard(value: str) -> str:
    return value[1:] if _FORMULA.match(value) and value.startswith("'") else value


def _guard(value: str) -> str:
    return "'" + value if _FORMULA.match(value) else value


def _split_citations(value: str) -> list[str]:
    return [c.strip() for c in _CITATION_SPLIT.split(value) if c.strip()]


class _Concept:
    def __init__(self, record: ConceptRecord) -> None:
        self.record = record
        self.values: dict[str, tuple[str, int]] = {}
        self.terms: dict[tuple[str, str, str], int] = {}


def parse_table(data: bytes, *, delimiter: str | None = None) -> ParsedGlossary:
    """Read a CSV/TSV glossary (one row per term) into concepts, with every problem found.

    Returns a ParsedTable, whose `encoding` says how the bytes were decoded (UTF-8 with or
    without BOM, UTF-16/32 by BOM, else GB18030 or Big5) and `delimiter` which was used.
    Line numbers are 1-based physical lines; the header is line 1.
    """
    if delimiter is not None and (len(delimiter) != 1 or delimiter in "\"\r\n'"):
        raise ValueError(f"bad delimiter {delimiter!r}")
    decoded = _decode(data)
    if decoded is None:
        problem = ImportProblem(None, "无法识别文件编码（支持 UTF-8、UTF-16、GB18030、Big5）")
        return ParsedTable([], [problem])
    text, encoding = decoded
    text = text.removeprefix("\ufeff")
    if not text.strip():
        return ParsedTable([], [ImportProblem(None, "文件为空")], encoding)
    used = delimiter or _detect_delimiter(text)
    problems: list[ImportProblem] = []
    concepts: dict[str, _Concept] = {}
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=used, strict=True)
    try:
        header = [c.strip().lower().removeprefix("\ufeff") for c in next(reader)]
        columns = _check_header(header, problems)
        if columns is None:
            return ParsedTable([], problems, encoding, used)
        line = reader.line_num + 1
        for row in reader:
            _row(row, line, columns, concepts, problems)
            line = reader.line_num + 1
    except csv.Error as exc:
        problems.append(ImportProblem(reader.line_num, f"表格格式错误：{exc}"))
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return ParsedTable([c.record for c in concepts.values()], problems, encoding, used)


def _check_header(header: list[str], problems: list[ImportProblem]) -> list[str] | None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(ImportProblem(1, f"缺少必需的列：{', '.join(missing)}"))
    unknown = [c for c in header if c and c not in _ALL]
    if unknown:
        problems.append(ImportProblem(1, f"未知的列：{', '.join(unknown)}"))
    repeated = sorted({c for c in header if c and header.count(c) > 1})
    if repeated:
        problems.append(ImportProblem(1, f"列重复：{', '.join(repeated)}"))
    return None if missing or repeated else header


def _row(
    row: list[str],
    line: int,
    columns: list[str],
    concepts: dict[str, _Concept],
    problems: list[ImportProblem],
) -> None:
    def problem(message: str) -> None:
        problems.append(ImportProblem(line, message))

    if len(row) > len(columns) and any(c.strip() for c in row[len(columns) :]):
        problem(f"单元格比表头多 {len(row) - len(columns)} 个")
    values = dict.fromkeys(_ALL, "")
    for name, cell in zip(columns, row, strict=False):
        if name in values:
            values[name] = _unguard(cell.strip())
    if not any(values.values()):
        return
    concept_id = values["concept_id"]
    if not concept_id:
        problem("缺少 concept_id")
        return
    state = concepts.get(concept_id)
    if state is None:
        state = concepts[concept_id] = _Concept(ConceptRecord(concept_id, line=line))
    _merge_concept(state, values, line, problem)
    if not any(values[c] for c in _TERM_COLUMNS):
        return  # a row of concept-level data only
    ok = True
    language, variety = "", values["variety"]
    if not values["language"]:
        problem(f"概念 {concept_id}：术语没有语言")
        ok = False
    else:
        try:
            language, tag_variety = normalize_language(values["language"])
            variety = variety or tag_variety
        except LanguageError as exc:
            problem(f"概念 {concept_id}：{exc}")
            ok = False
    text = values["term"]
    if not text:
        problem(f"概念 {concept_id}：术语为空")
        ok = False
    part_of_speech = normalize_part_of_speech(values["part_of_speech"])
    if part_of_speech is None:
        problem(f"概念 {concept_id}：未知词性 {values['part_of_speech']!r}")
        ok = False
    status = normalize_status(values["status"]) if values["status"] else "admitted"
    if status is None:
        problem(
            f"概念 {concept_id}：未知术语状态 {values['status']!r}"
            "（应为 preferred、admitted、deprecated 或 forbidden）"
        )
        ok = False
    verification = values["verification"].lower() or "unverified"
    if verification not in VERIFICATION:
        problem(
            f"概念 {concept_id}：未知审核状态 {values['verification']!r}"
            "（应为 unverified 或 approved）"
        )
        ok = False
    if not ok or part_of_speech is None or status is None:
        return
    key = (language, variety, text)
    if key in state.terms:
        problem(
            f"概念 {concept_id}：术语 {text!r}（{language}）重复，"
            f"首次出现于第 {state.terms[key]} 行"
        )
        return
    state.terms[key] = line
    state.record.terms.append(
        TermRecord(
            language=language,
            text=text,
            variety=variety,
            part_of_speech=part_of_speech,
            status=status,
            usage_note=values["note"],
            source=values["source"],
            verification=verification,
            ipa=values["ipa"],
            line=line,
        )
    )


def _merge_concept(
    state: _Concept, values: dict[str, str], line: int, problem: Callable[[str], None]
) -> None:
    record = state.record
    for column in _CONCEPT_COLUMNS:
        value = values[column]
        if not value:
            continue
        if column == "citations":
            value = ";".join(_split_citations(value))
        if column in state.values:
            first, first_line = state.values[column]
            if first != value:
                problem(f"概念 {record.external_id}：{column} 与第 {first_line} 行不一致")
            continue
        state.values[column] = (value, line)
        if column == "subject_field":
            record.subject_field = value
        elif column == "definition":
            record.definition = value
        elif column == "citations":
            record.citations = _split_citations(value)
        elif column == "concept_note":
            record.note = value
        elif value.lower() in VERIFICATION:
            record.verification = value.lower()
        else:
            problem(f"概念 {record.external_id}：未知概念审核状态 {value!r}")


def write_table(concepts: list[ConceptRecord], *, delimiter: str = "\t") -> bytes:
    """Serialise concepts as UTF-8 (with BOM, for spreadsheet programs) CSV/TSV.

    One row per term, CRLF line ends, deterministic. Raises ValueError for a bad delimiter,
    a missing or repeated concept id, an unknown status or verification, or a citation
    containing the citation separator.
    """
    if len(delimiter) != 1 or delimiter in "\"\r\n'":
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
            if _CITATION_SPLIT.search(citation):
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
            writer.writerow([_guard(row.get(column, "")) for column in header])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
