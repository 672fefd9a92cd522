"""Glossary import (checked first, all-or-nothing, idempotent) and export.

Concepts are matched by their external id, terms by language, variety and text within
the concept. Only real differences are written, so importing the same file twice leaves
the glossary and its release number unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from interp_service.audit.chain import Actor, record
from interp_service.errors import ValidationFailed
from interp_service.glossary.exchange import tabular, tbx
from interp_service.glossary.exchange.field_checks import CONCEPT_LIMITS as CONCEPT_LIMITS
from interp_service.glossary.exchange.field_checks import TERM_LIMITS as TERM_LIMITS
from interp_service.glossary.lexicon.spelling import spelling_issues
from interp_service.glossary.orm import Concept, Term
from interp_service.glossary.records import (
    ConceptRecord,
    ParsedGlossary,
    TermRecord,
)
from interp_service.glossary.releases import ChangeSet
from interp_service.glossary.schemas import ImportReport
from interp_service.glossary.service import settle_legal_review, stamp_approval
from interp_service.glossary.snapshots import apply_snapshot, concept_snapshot, term_snapshot
from interp_service.users.competence import has_competence
from interp_service.users.orm import User

FORMATS = ("tbx", "tsv", "csv")
# CONCEPT_LIMITS and TERM_LIMITS (re-exported above) are the longest value of each stored
# field; the readers check every row and element against them (`field_checks`), so each
# value too long is reported with its own line.


@dataclass
class ImportOutcome:
    parsed: ParsedGlossary
    concepts_created: int = 0
    concepts_changed: int = 0
    terms_created: int = 0
    terms_changed: int = 0
    warnings: list[str] = field(default_factory=list)
    release: int | None = None


def parse(data: bytes, fmt: str) -> ParsedGlossary:
    """The file's concepts and every problem in it, each with its line, in line order."""
    if fmt == "tbx":
        parsed = tbx.parse_tbx(data)
    elif fmt in ("tsv", "csv"):
        parsed = tabular.parse_table(data, delimiter="\t" if fmt == "tsv" else ",")
    else:
        raise ValidationFailed(f"不支持的格式：{fmt}（可用：tbx、tsv、csv）", field="format")
    return parsed


def guess_format(filename: str) -> str:
    name = filename.lower()
    for fmt in FORMATS:
        if name.endswith("." + fmt):
            return fmt
    if name.endswith(".xml"):
        return "tbx"
    raise ValidationFailed("无法从文件名判断格式；请使用 .tbx、.tsv 或 .csv", field="file")


def import_glossary(
    session: Session, admin: User, data: bytes, fmt: str, *, dry_run: bool
) -> ImportOutcome:
    """Check the file; when it has no problems and `dry_run` is false, apply it."""
    parsed = parse(data, fmt)
    outcome = ImportOutcome(parsed)
    if parsed.problems:
        return outcome
    actor = Actor(admin.id, admin.username)
    changes = ChangeSet(session, actor, f"import {fmt}")
    existing = {
        c.external_id: c
        for c in session.scalars(select(Concept).options(selectinload(Concept.terms))).all()
    }
    concept_fields = _carried(parsed, CONCEPT_COLUMNS)
    term_fields = _carried(parsed, TERM_COLUMNS)
    for record_ in parsed.concepts:
        concept = existing.get(record_.external_id)
        if concept is None:
            concept = Concept(external_id=record_.external_id)
            _set_concept(concept, record_, admin, set(CONCEPT_COLUMNS.values()), outcome)
            session.add(concept)
            session.flush()
            outcome.concepts_created += 1
            changes.concept_changed(concept, "import", None)
        else:
            before = concept_snapshot(concept)
            if _set_concept(concept, record_, admin, concept_fields, outcome):
                session.flush()
                outcome.concepts_changed += 1
                changes.concept_changed(concept, "import", before)
        for term_record in record_.terms:
            _import_term(session, admin, concept, term_record, changes, outcome, term_fields)
    if dry_run:
        session.rollback()
        return outcome
    release = changes.close()
    outcome.release = release.number if release else None
    record(
        session,
        actor,
        "glossary.import",
        "glossary",
        fmt,
        details={"concepts": len(parsed.concepts), "release": outcome.release},
    )
    return outcome


# Table column → stored field; a table changes only the fields it has columns for (a TBX
# file describes each entry completely).
CONCEPT_COLUMNS = {
    "subject_field": "subject_field",
    "definition": "definition",
    "citations": "citations",
    "concept_note": "note",
    "concept_verification": "verification",
}
TERM_COLUMNS = {
    "part_of_speech": "part_of_speech",
    "status": "status",
    "note": "usage_note",
    "source": "source",
    "verification": "verification",
    "ipa": "ipa",
}


def _carried(parsed: ParsedGlossary, mapping: dict[str, str]) -> set[str]:
    columns = getattr(parsed, "columns", ())
    if not columns:
        return set(mapping.values())
    return {field for column, field in mapping.items() if column in columns}


def _set_concept(
    concept: Concept, rec: ConceptRecord, admin: User, carried: set[str], outcome: ImportOutcome
) -> bool:
    before = concept_snapshot(concept) if concept.id is not None else None
    wanted = {
        "subject_field": rec.subject_field,
        "definition": rec.definition,
        "citations": list(rec.citations),
        "note": rec.note,
        "verification": rec.verification,
    }
    apply_snapshot(concept, {k: v for k, v in wanted.items() if k in carried})
    # Approving a definition or citations needs the legal-review competence (cmn:法律审核).
    if settle_legal_review(concept, admin, before, lenient=True) == "demoted":
        outcome.warnings.append(
            f"第 {rec.line} 行：概念 {rec.external_id} 的释义和条文引用标为已核实，"
            "但导入者不具备法律审核资格（cmn:法律审核），已作为未核实导入"
        )
    return before is None or concept_snapshot(concept) != before


def _import_term(
    session: Session,
    admin: User,
    concept: Concept,
    rec: TermRecord,
    changes: ChangeSet,
    outcome: ImportOutcome,
    carried: set[str],
) -> None:
    verification = rec.verification
    term = next(
        (
            t
            for t in concept.terms
            if (t.language, t.variety, t.text) == (rec.language, rec.variety, rec.text)
        ),
        None,
    )
    competent = has_competence(admin, rec.language, rec.variety)
    if term is not None and term.verification == "approved" and not competent:
        # Only someone competent in the variety may approve or withdraw approval of its text.
        verification = "approved"
    elif verification == "approved" and not competent:
        verification = "unverified"
        outcome.warnings.append(
            f"第 {rec.line} 行：{rec.text} 标为已批准，但导入者不具备 {rec.language} 语言能力，"
            "已作为未核实导入"
        )
    issues = spelling_issues(rec.language, rec.text)
    if issues:
        verification = "unverified"
    fields = {
        "concept_id": concept.id,
        "language": rec.language,
        "variety": rec.variety,
        "text": rec.text,
        "part_of_speech": rec.part_of_speech,
        "status": rec.status,
        "usage_note": rec.usage_note,
        "source": rec.source,
        "verification": verification,
        "ipa": rec.ipa,
        "orthography_issues": issues,
    }
    if term is None:
        term = Term()
        apply_snapshot(term, fields)
        stamp_approval(term, admin)
        concept.terms.append(term)
        session.flush()
        outcome.terms_created += 1
        changes.term_changed(term, "import", None)
        return
    before = term_snapshot(term)
    keys = {"concept_id", "language", "variety", "text", "orthography_issues"}
    changed = apply_snapshot(term, {k: v for k, v in fields.items() if k in keys | carried})
    if changed:
        if "verification" in changed:  # the approval stamp follows only an approval change
            stamp_approval(term, admin)
        session.flush()
        outcome.terms_changed += 1
        changes.term_changed(term, "import", before)


def to_records(session: Session) -> list[ConceptRecord]:
    concepts = session.scalars(
        select(Concept).options(selectinload(Concept.terms)).order_by(Concept.external_id)
    ).all()
    return [
        ConceptRecord(
            external_id=c.external_id,
            subject_field=c.subject_field,
            definition=c.definition,
            citations=list(c.citations or []),
            note=c.note,
            verification=c.verification,
            terms=[
                TermRecord(
                    language=t.language,
                    text=t.text,
                    variety=t.variety,
                    part_of_speech=t.part_of_speech,
                    status=t.status,
                    usage_note=t.usage_note,
                    source=t.source,
                    verification=t.verification,
                    ipa=t.ipa,
                )
                for t in sorted(c.terms, key=lambda t: (t.language, t.variety, t.text))
            ],
        )
        for c in concepts
    ]


def export_glossary(session: Session, fmt: str) -> bytes:
    concepts = to_records(session)
    try:
        if fmt == "tbx":
            return tbx.write_tbx(concepts)
        if fmt in ("tsv", "csv"):
            return tabular.write_table(concepts, delimiter="\t" if fmt == "tsv" else ",")
    except ValueError as exc:  # stored data the format cannot carry
        raise ValidationFailed(f"无法导出：{exc}", field="format") from exc
    raise ValidationFailed(f"不支持的格式：{fmt}", field="format")


def report(outcome: ImportOutcome, fmt: str, dry_run: bool) -> ImportReport:
    return ImportReport(
        format=fmt,
        encoding=str(getattr(outcome.parsed, "encoding", "") or ""),
        dry_run=dry_run,
        ok=not outcome.parsed.problems,
        problems=[{"line": p.line, "message": p.message} for p in outcome.parsed.problems],
        concepts_in_file=len(outcome.parsed.concepts),
        concepts_created=outcome.concepts_created,
        concepts_changed=outcome.concepts_changed,
        terms_created=outcome.terms_created,
        terms_changed=outcome.terms_changed,
        warnings=outcome.warnings,
        release=outcome.release,
    )


def raise_for_problems(outcome: ImportOutcome) -> None:
    """Refuse the whole file, listing every bad entry with its line."""
    problems = outcome.parsed.problems
    if problems:
        raise ValidationFailed(
            f"文件有 {len(problems)} 处错误，未导入任何内容",
            field="file",
            problems=[{"line": p.line, "message": p.message} for p in problems],
        )
