"""Assembling the interview record from the database for the DOCX/PDF exporters."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import record as audit
from interp_service.cases.orm import Assignment, Case, Party
from interp_service.db.base import utcnow
from interp_service.errors import NotFound
from interp_service.interviews import attribution as who
from interp_service.interviews import rendering, service
from interp_service.interviews.export_docx import render_docx
from interp_service.interviews.export_pdf import render_pdf
from interp_service.interviews.orm import Interview
from interp_service.interviews.record import (
    NO_READ_BACK,
    ExchangeRecord,
    InterviewRecord,
    SegmentRecord,
    language_label,
)
from interp_service.speech.orm import Recording, SpeechSegment
from interp_service.translation.receipts import PATH_LABELS
from interp_service.users.orm import User
from interp_service.users.service import actor_of

SPEAKERS = {"prosecutor": "检察官", "party": "当事人", "other": "其他人员"}
FORMATS = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}


def provenance(receipt: dict[str, Any]) -> str:
    """How the suggestion was produced, one clause per distinct path, in Chinese."""
    parts: list[str] = []
    for sentence in receipt.get("sentences", []):
        label = PATH_LABELS.get(sentence.get("path", ""), sentence.get("path", ""))
        memory = sentence.get("memory")
        model = sentence.get("model")
        if memory:
            if sentence.get("path") == "memory-fuzzy":
                label += f" {memory['score']:.0f}%"
            if memory.get("approved_by_name"):
                label += f"（核准人 {memory['approved_by_name']}）"
        if model:
            label += f"（{model['name']} {model['version']}）"
        if "enforcement-failed" in sentence.get("flags", []):
            label += "（术语未能强制使用）"
        if label not in parts:
            parts.append(label)
    return "；".join(parts)


def _name(user: User | None) -> str:
    return (user.display_name or user.username) if user is not None else ""


def build_record(session: Session, user: User, interview: Interview) -> InterviewRecord:
    case = session.get(Case, interview.case_id)
    party = session.get(Party, interview.party_id)
    if case is None or party is None:
        raise NotFound("询问记录不完整")
    exchanges = service.exchanges_of(session, interview.id)
    staff = session.execute(
        select(Assignment.role_on_case, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.case_id == case.id, Assignment.state == "active")
        .order_by(Assignment.id)
    ).all()
    people = who.People(session)
    # Only who actually interpreted (or stated the read-back) is printed as 译员.
    interpreter_keys = who.interpreter_keys(exchanges, interview)
    interpreters = [
        people.interpreter(i if k == "user" else None, i if k == "external" else None)
        for k, i in interpreter_keys
    ]
    prosecutors = [_name(u) for role, u in staff if role in ("lead_prosecutor", "assistant")]
    interrogation = party.role in ("suspect", "defendant")
    recorded = [
        (row[0], row[1])
        for row in session.execute(
            select(Recording, SpeechSegment)
            .join(SpeechSegment, SpeechSegment.recording_id == Recording.id)
            .where(Recording.interview_id == interview.id)
            .order_by(Recording.id, SpeechSegment.sequence)
        ).all()
    ]
    releases = [
        int(e.receipt["glossary_release"]) for e in exchanges if e.receipt.get("glossary_release")
    ]
    return InterviewRecord(
        case_number=case.case_number,
        case_title=case.title,
        interview_id=str(interview.id),
        party_name=party.name,
        party_language_label=language_label(party.language)
        + (f"（{party.variety}）" if party.variety else ""),
        place=interview.place,
        started_at=interview.started_at or interview.scheduled_at,
        finished_at=interview.finished_at,
        participants=list(interview.participants or []),
        interpreter_names=list(dict.fromkeys(n for n in interpreters if n)),
        prosecutor_names=list(dict.fromkeys(n for n in prosecutors if n)),
        glossary_release=max(releases) if releases else None,
        party_role=party.role,
        recorder_names=[people.user(i) for i in who.recorder_ids(exchanges, interview)],
        declaration_lines=who.declaration_lines(session, people, case.id, interpreter_keys),
        read_back_line=who.read_back_line(people, interview, party, interrogation) or NO_READ_BACK,
        exchanges=[
            ExchangeRecord(
                sequence=e.sequence,
                spoken_at=e.created_at,
                source_language=e.source_language,
                target_language=e.target_language,
                speaker_role=SPEAKERS.get(e.speaker_role, e.speaker_role),
                source_text=e.source_text,
                source_audio_sha256=e.source_audio_sha256,
                suggestion_text=e.suggestion_text or None,
                suggestion_provenance=provenance(e.receipt),
                rendering_text=e.rendering_text,
                rendering_kind=e.rendering_kind,  # type: ignore[arg-type]
                interpreter_name=people.interpreter(e.interpreter_id, e.external_interpreter_id)
                or None,
                recorder_name=people.user(e.recorded_by) or None,
                suggestion_is_gloss=rendering.gloss_reason(e) is not None,
                notes=who.exchange_notes(people, e),
            )
            for e in exchanges
        ],
        exported_at=utcnow(),
        exported_by=_name(user),
        audio_hashes=sorted(
            {e.source_audio_sha256 for e in exchanges if e.source_audio_sha256}
            | {rec.sha256 for rec, _ in recorded}
        ),
        segments=[
            SegmentRecord(
                recording=rec.original_name,
                start_s=seg.start_s,
                end_s=seg.end_s,
                text=(seg.machine_text or "") if seg.kind == "mandarin" else seg.transcript,
                machine=seg.kind == "mandarin",
                approved_by=_name(session.get(User, seg.approved_by)) if seg.approved_by else None,
            )
            for rec, seg in recorded
            if (seg.kind == "mandarin" and seg.machine_text) or seg.transcript_state == "approved"
        ],
    )


def export_file(
    session: Session, user: User, interview: Interview, fmt: str
) -> tuple[bytes, str, str]:
    """The record as (bytes, media type, file name); the export is audited by hash."""
    if fmt not in FORMATS:
        raise NotFound("只能导出 docx 或 pdf")
    record = build_record(session, user, interview)
    data = render_docx(record) if fmt == "docx" else render_pdf(record)
    audit(
        session,
        actor_of(user),
        "interview.export",
        "interview",
        interview.id,
        case_id=interview.case_id,
        details={"format": fmt, "sha256": hashlib.sha256(data).hexdigest()},
    )
    safe_number = "".join(c for c in record.case_number if c.isalnum()) or "case"
    return data, FORMATS[fmt], f"interview-{safe_number}-{interview.id}.{fmt}"
