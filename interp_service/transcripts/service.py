"""Transcripts of an interview: take an upload in and queue its processing, show it,
restore lines clean-up removed, let a person correct segments (every edit kept), confirm
speakers, and send reviewed pairs to the memory review queue in one step. Never commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound, ValidationFailed
from interp_service.evidence.store import EvidenceStore
from interp_service.interviews.service import get_interview
from interp_service.jobs import repository as jobs_repo
from interp_service.jobs.queue import enqueue
from interp_service.memory import service as memory
from interp_service.memory.schemas import SubmissionCreate
from interp_service.transcripts import intake
from interp_service.transcripts import repository as repo
from interp_service.transcripts.orm import (
    CleanupChange,
    SegmentEdit,
    Transcript,
    TranscriptSegment,
    TranscriptSpeaker,
)
from interp_service.transcripts.processing import KIND
from interp_service.transcripts.schemas import SegmentEditIn
from interp_service.users.competence import require_competence
from interp_service.users.orm import User

EDITABLE = ("source_text", "speaker_label", "translation_text")


def upload(
    session: Session,
    store: EvidenceStore,
    user: User,
    case_id: int,
    interview_id: int,
    *,
    data: bytes,
    filename: str,
    options: intake.Options,
    limits: intake.Limits,
) -> tuple[Transcript, bool]:
    """Check and store the file and queue its processing (dispatched when the caller
    commits). The same file again for this interview returns the transcript it repeats."""
    interview = get_interview(session, case_id, interview_id)
    item, created = intake.receive(
        session,
        store,
        user,
        interview,
        data=data,
        filename=filename,
        options=options,
        limits=limits,
    )
    if created:
        _queue(session, item, user)
    return item, created


def _queue(session: Session, item: Transcript, user: User) -> None:
    item.state, item.error = "queued", ""
    item.job_id = enqueue(
        session, KIND, {"transcript_id": item.id}, owner_id=user.id, case_id=item.case_id
    )


def get_transcript(session: Session, case_id: int, transcript_id: int) -> Transcript:
    item = session.get(Transcript, transcript_id)
    if item is None or item.case_id != case_id:
        raise NotFound("笔录不存在")
    _follow_job(session, item)
    return item


def _follow_job(session: Session, item: Transcript) -> None:
    """A job cancelled (or failed) before its task ran never told the transcript: take the
    job's final state, so the transcript does not wait for ever."""
    if item.state not in ("queued", "processing") or not item.job_id:
        return
    job = jobs_repo.get(session, item.job_id)
    if job is not None and job.state in ("cancelled", "failed"):
        item.state = job.state
        item.error = job.error or ("处理已取消" if job.state == "cancelled" else "处理失败")


def list_transcripts(session: Session, case_id: int, interview_id: int) -> list[Transcript]:
    get_interview(session, case_id, interview_id)
    items = repo.of_interview(session, interview_id)
    for item in items:
        _follow_job(session, item)
    return items


@dataclass
class TranscriptView:
    transcript: Transcript
    speakers: list[TranscriptSpeaker]
    changes: list[CleanupChange]
    segments: list[TranscriptSegment]


def view(session: Session, case_id: int, transcript_id: int) -> TranscriptView:
    item = get_transcript(session, case_id, transcript_id)
    return TranscriptView(
        item,
        repo.speakers(session, item.id),
        repo.changes(session, item.id),
        repo.segments(session, item.id),
    )


def restore_lines(
    session: Session, user: User, case_id: int, transcript_id: int, lines: list[int]
) -> Transcript:
    """Put removed lines back (they are never removed again) and process the file anew.
    Refused once a person has edited a segment, since the segments are made again."""
    item = get_transcript(session, case_id, transcript_id)
    if item.state in ("queued", "processing"):
        raise Conflict("笔录正在处理中，请等处理完成后再恢复")
    removable = {c.line for c in repo.changes(session, item.id) if not c.after}
    unknown = sorted(set(lines) - removable)
    if unknown:
        raise ValidationFailed(f"第 {unknown[0]} 行不是清理时删除的行，无需恢复", field="lines")
    if repo.edit_count(session, item.id):
        raise Conflict("已有段落被人工修改，恢复行会重新分段并丢失这些修改，请先导出或联系管理员")
    item.kept_lines = sorted(set(item.kept_lines or []) | set(lines))
    _queue(session, item, user)
    return item


def _segment(session: Session, item: Transcript, segment_id: int) -> TranscriptSegment:
    segment = session.get(TranscriptSegment, segment_id)
    if segment is None or segment.transcript_id != item.id:
        raise NotFound("段落不存在")
    return segment


def edit_segment(
    session: Session,
    user: User,
    case_id: int,
    transcript_id: int,
    segment_id: int,
    body: SegmentEditIn,
) -> TranscriptSegment:
    """Apply a person's change; each changed field is kept as an edit (who, when, before,
    after). Text in a language needs competence in it (Chinese needs none)."""
    item = get_transcript(session, case_id, transcript_id)
    segment = _segment(session, item, segment_id)
    if segment.version != body.version:
        raise Conflict(
            "该段落已被他人修改，请刷新后再改",
            field="version",
            current_version=segment.version,
        )
    now = utcnow()
    changed: dict[str, tuple[str, str]] = {}
    if body.source_text is not None and body.source_text.strip() != segment.source_text:
        require_competence(user, segment.source_language, segment.source_variety)
        changed["source_text"] = (segment.source_text, body.source_text.strip())
        segment.source_text, segment.source_provenance = body.source_text.strip(), "human"
    if body.speaker_label is not None and body.speaker_label.strip() != segment.speaker_label:
        label = body.speaker_label.strip()
        changed["speaker_label"] = (segment.speaker_label, label)
        segment.speaker_label = label
        if label and not any(s.label == label for s in repo.speakers(session, item.id)):
            session.add(TranscriptSpeaker(transcript_id=item.id, label=label, role="unknown"))
    if body.translation_text is not None:
        text = body.translation_text.strip()
        if text != (segment.translation_text or ""):
            require_competence(user, segment.target_language, segment.target_variety)
            changed["translation_text"] = (segment.translation_text or "", text)
            segment.translation_text = text or None
            segment.translation_by = user.id if text else None
    if body.reviewed is not None and body.reviewed != segment.reviewed:
        if body.reviewed:
            require_competence(user, segment.source_language, segment.source_variety)
            require_competence(user, segment.target_language, segment.target_variety)
        changed["reviewed"] = (str(segment.reviewed).lower(), str(body.reviewed).lower())
        segment.reviewed = body.reviewed
        segment.reviewed_by, segment.reviewed_at = (user.id, now) if body.reviewed else (None, None)
    if any(f in changed for f in EDITABLE) and segment.reviewed and "reviewed" not in changed:
        # A reviewed segment that changes needs reviewing again.
        changed["reviewed"] = ("true", "false")
        segment.reviewed, segment.reviewed_by, segment.reviewed_at = False, None, None
    for field, (before, after) in changed.items():
        session.add(
            SegmentEdit(
                segment_id=segment.id,
                field=field,
                before=before,
                after=after,
                edited_by=user.id,
                edited_at=now,
            )
        )
    session.flush()
    return segment


def edits(session: Session, case_id: int, transcript_id: int) -> list[SegmentEdit]:
    item = get_transcript(session, case_id, transcript_id)
    return repo.edits_of(session, [s.id for s in repo.segments(session, item.id)])


def set_speaker_role(
    session: Session, user: User, case_id: int, transcript_id: int, label: str, role: str
) -> TranscriptSpeaker:
    item = get_transcript(session, case_id, transcript_id)
    speaker = next((s for s in repo.speakers(session, item.id) if s.label == label), None)
    if speaker is None:
        raise NotFound("该说话人不存在", field="label")
    speaker.role, speaker.guessed, speaker.confirmed_by = role, False, user.id
    session.flush()
    return speaker


def submit_reviewed(
    session: Session, user: User, case_id: int, transcript_id: int
) -> tuple[list[int], int]:
    """Every reviewed segment with a translation a person confirmed, not yet sent, goes to
    the memory review queue (the suggestion alone is never sent). Returns the new
    submission ids and how many reviewed segments had no confirmed translation."""
    item = get_transcript(session, case_id, transcript_id)
    sent: list[int] = []
    skipped = 0
    for segment in repo.segments(session, item.id):
        if not segment.reviewed or segment.submission_id is not None:
            continue
        if not segment.translation_text or not segment.source_text:
            skipped += 1
            continue
        submission = memory.submit(
            session,
            user,
            SubmissionCreate(
                source_language=segment.source_language,
                source_variety=segment.source_variety,
                source_text=segment.source_text,
                target_language=segment.target_language,
                target_variety=segment.target_variety,
                target_text=segment.translation_text,
                origin="transcript",
                case_id=item.case_id,
                interview_id=item.interview_id,
            ),
        )
        segment.submission_id = submission.id
        sent.append(submission.id)
    if not sent and not skipped:
        raise ValidationFailed("没有可提交的已核对段落", field="segments")
    session.flush()
    return sent, skipped
