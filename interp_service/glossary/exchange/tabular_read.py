"""Reading a CSV/TSV glossary (one row per term) into concepts, with every problem found and
its line number; the format is described in `interp_service.glossary.exchange.tabular`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from interp_service.glossary.exchange.encodings import decode
from interp_service.glossary.exchange.field_checks import (
    CITATION_LIMIT,
    CONCEPT_LIMITS,
    TERM_LIMITS,
    bidi_problem,
    too_long,
)
from interp_service.glossary.exchange.table_columns import (
    ALL_COLUMNS,
    CONCEPT_COLUMNS,
    REQUIRED,
    TERM_COLUMNS,
    bad_delimiter,
    split_citations,
    unguard,
)
from interp_service.glossary.exchange.tbx_vocabulary import (
    normalize_part_of_speech,
    normalize_status,
)
from interp_service.glossary.languages import LanguageError, parse_language_tag, with_original_tag
from interp_service.glossary.records import (
    VERIFICATION,
    ConceptRecord,
    ImportProblem,
    ParsedGlossary,
    TermRecord,
)

__all__ = ["ParsedTable", "parse_table"]

_DELIMITERS = ("\t", ",", ";")


@dataclass
class ParsedTable(ParsedGlossary):
    """ParsedGlossary plus how the file was read: `encoding` is a Python codec name."""

    encoding: str = ""
    delimiter: str = ""
    # The columns the file has; an import changes only the fields these carry.
    columns: tuple[str, ...] = ()


def _detect_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0].rstrip("\r")
    best, best_score = "", 0
    for delimiter in _DELIMITERS:
        cells = next(csv.reader([header], delimiter=delimiter), [])
        score = sum(1 for c in cells if c.strip().lower() in ALL_COLUMNS)
        if score > best_score:
            best, best_score = delimiter, score
    if best:
        return best
    return "\t" if "\t" in header else ","


class _Concept:
    def __init__(self, record: ConceptRecord) -> None:
        self.record = record
        self.values: dict[str, tuple[str, int]] = {}
        self.terms: dict[tuple[str, str, str], int] = {}


def parse_table(data: bytes, *, delimiter: str | None = None) -> ParsedGlossary:
    """Read a CSV/TSV glossary (one row per term) into concepts, with every problem found.

    Returns a ParsedTable, whose `encoding` says how the bytes were decoded (UTF-8 with or
    without BOM, UTF-16/32 by BOM, else GB18030 or Big5) and `delimiter` which was used.
    Line numbers are 1-based physical lines; the header is line 1. A row the CSV reader
    cannot split (a stray quote) is a problem of its own and reading goes on with the next.
    """
    if delimiter is not None and bad_delimiter(delimiter):
        raise ValueError(f"bad delimiter {delimiter!r}")
    decoded = decode(data)
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
    except csv.Error as exc:
        return ParsedTable([], [_csv_problem(reader.line_num, exc)], encoding, used)
    columns = _check_header(header, problems)
    if columns is None:
        return ParsedTable([], problems, encoding, used)
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # the reader drops that line and goes on with the next
            problems.append(_csv_problem(reader.line_num, exc))
        else:
            _row(row, line, columns, concepts, problems)
        line = reader.line_num + 1
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    return ParsedTable(
        [c.record for c in concepts.values()], problems, encoding, used, tuple(columns or ())
    )


def _csv_problem(line: int, exc: csv.Error) -> ImportProblem:
    return ImportProblem(line, f"表格格式错误：{exc}")


def _check_header(header: list[str], problems: list[ImportProblem]) -> list[str] | None:
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        problems.append(ImportProblem(1, f"缺少必需的列：{', '.join(missing)}"))
    unknown = [c for c in header if c and c not in ALL_COLUMNS]
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
    values = dict.fromkeys(ALL_COLUMNS, "")
    for name, cell in zip(columns, row, strict=False):
        if name in values:
            values[name] = unguard(cell.strip())
    if not any(values.values()):
        return
    concept_id = values["concept_id"]
    if not concept_id:
        problem("缺少 concept_id")
        return
    _check_lengths(values, problem)
    state = concepts.get(concept_id)
    if state is None:
        state = concepts[concept_id] = _Concept(ConceptRecord(concept_id, line=line))
    _merge_concept(state, values, line, problem)
    if not any(values[c] for c in TERM_COLUMNS):
        return  # a row of concept-level data only
    ok = True
    language, variety, source = "", values["variety"], values["source"]
    if not values["language"]:
        problem(f"概念 {concept_id}：术语没有语言")
        ok = False
    else:
        try:
            tag = parse_language_tag(values["language"])
        except LanguageError as exc:
            problem(f"概念 {concept_id}：{exc}")
            ok = False
        else:
            language, variety = tag.code, variety or tag.variety
            source = with_original_tag(source, tag)
    for message in (
        too_long("variety", variety, TERM_LIMITS["variety"]),
        too_long("source", source, TERM_LIMITS["source"]),
        bidi_problem("术语", values["term"]),
    ):
        if message:
            problem(f"概念 {concept_id}：{message}")
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
            source=source,
            verification=verification,
            ipa=values["ipa"],
            line=line,
        )
    )


def _check_lengths(values: dict[str, str], problem: Callable[[str], None]) -> None:
    """Every cell of the row longer than its field takes, each a problem of this line.
    (variety and source are checked once the language tag has added to them.)"""
    label = f"概念 {values['concept_id'][:64]}"
    columns = (
        ("concept_id", CONCEPT_LIMITS["external_id"]),
        ("subject_field", CONCEPT_LIMITS["subject_field"]),
        ("term", TERM_LIMITS["text"]),
        ("ipa", TERM_LIMITS["ipa"]),
    )
    for column, limit in columns:
        message = too_long(column, values[column], limit)
        if message:
            problem(f"{label}：{message}")
    for citation in split_citations(values["citations"]):
        message = too_long("citations 中的一条法律依据", citation, CITATION_LIMIT)
        if message:
            problem(f"{label}：{message}")


def _merge_concept(
    state: _Concept, values: dict[str, str], line: int, problem: Callable[[str], None]
) -> None:
    record = state.record
    for column in CONCEPT_COLUMNS:
        value = values[column]
        if not value:
            continue
        if column == "citations":
            value = ";".join(split_citations(value))
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
            record.citations = split_citations(value)
        elif column == "concept_note":
            record.note = value
        elif value.lower() in VERIFICATION:
            record.verification = value.lower()
        else:
            problem(f"概念 {record.external_id}：未知概念审核状态 {value!r}")
