"""A transcript as a bilingual export: what is printed comes from the record (who took
part, who interpreted as the interview record names them, who uploaded), and every
segment carries how its text and its translation were produced."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.interviews.export import build_record
from interp_service.interviews.record import format_beijing, language_label
from interp_service.interviews.service import get_interview
from interp_service.transcripts import repository as repo
from interp_service.transcripts.export_docx import transcript_docx
from interp_service.transcripts.export_pdf import transcript_pdf
from interp_service.transcripts.export_subtitles import (
    transcript_json,
    transcript_srt,
    transcript_vtt,
)
from interp_service.transcripts.orm import Transcript, TranscriptSegment
from interp_service.transcripts.shapes import ExportSegment, ExportSource, TranscriptExport
from interp_service.users.orm import User
from interp_service.users.service import actor_of

MEDIA_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "srt": "application/x-subrip",
    "vtt": "text/vtt",
    "json": "application/json",
}
WRITERS: dict[str, Callable[[TranscriptExport], bytes]] = {
    "docx": transcript_docx,
    "pdf": transcript_pdf,
    "srt": lambda t: transcript_srt(t, "both"),
    "vtt": lambda t: transcript_vtt(t, "both"),
    "json": transcript_json,
}


def _segment(segment: TranscriptSegment, role: str) -> ExportSegment:
    confirmed = segment.translation_text
    return ExportSegment(
        sequence=segment.sequence,
        speaker_label=segment.speaker_label,
        speaker_role=role,
        source_language=segment.source_language,
        source_text=segment.source_text,
        source_provenance=segment.source_provenance,
        target_language=segment.target_language,
        target_text=confirmed if confirmed else segment.suggestion_text,
        target_provenance="human" if confirmed else segment.suggestion_provenance,
        reviewed=segment.reviewed,
        start_s=segment.start_s,
        end_s=segment.end_s,
    )


def export_data(session: Session, user: User, item: Transcript) -> TranscriptExport:
    interview = get_interview(session, item.case_id, item.interview_id)
    made = build_record(session, user, interview)
    roles = {s.label: s.role for s in repo.speakers(session, item.id)}
    uploader = session.get(User, item.uploaded_by)
    participants = [f"{made.asker_label}：{n}" for n in made.prosecutor_names]
    participants.append(f"{made.party_label}：{made.party_name}（{made.party_language_label}）")
    participants.append(f"笔录上传人：{uploader.display_name if uploader else '未知'}")
    interpreter = (
        "译员：" + "、".join(made.interpreter_names) if made.interpreter_names else "未记录译员"
    )
    return TranscriptExport(
        case_number=made.case_number,
        case_title=made.case_title,
        interview_label=f"{format_beijing(made.started_at)} {made.kind_label}"
        f"（{language_label(item.source_language)}→{language_label(item.target_language)}）",
        participants=participants,
        interpreter=interpreter,
        sources=[ExportSource(item.original_name, item.sha256, item.media_type)],
        segments=[
            _segment(s, roles.get(s.speaker_label, "unknown"))
            for s in repo.segments(session, item.id)
        ],
        generated_at=made.exported_at.isoformat(),
    )


def export_file(session: Session, user: User, item: Transcript, fmt: str) -> tuple[bytes, str, str]:
    """(bytes, media type, file name); the export is audited with its hash."""
    data = WRITERS[fmt](export_data(session, user, item))
    record(
        session,
        actor_of(user),
        "transcript.export",
        "interview",
        item.interview_id,
        case_id=item.case_id,
        details={
            "transcript_id": item.id,
            "format": fmt,
            "sha256": hashlib.sha256(data).hexdigest(),
        },
    )
    stem = item.original_name.rsplit(".", 1)[0] or "transcript"
    return data, MEDIA_TYPES[fmt], f"{stem}-双语笔录.{fmt}"
