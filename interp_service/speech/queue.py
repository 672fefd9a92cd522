"""The human transcription queue: segments that were not confidently Mandarin wait here
for someone assigned to the case (admins: any case) with competence in the party's
language. They type what was said (Miao checked against the orthography; Chinese
allowed for code-switching) and approve it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.cases.access import visible_case_ids
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, Forbidden, NotFound, ValidationFailed
from interp_service.glossary.lexicon import orthography
from interp_service.speech.orm import Recording, SpeechSegment
from interp_service.users.competence import has_competence
from interp_service.users.orm import User
from interp_service.users.service import actor_of

MAX_TRANSCRIPT_CHARS = 2000
ORTHOGRAPHY_CHECKED = {"mmr"}
_LATIN_RUN = re.compile(
    r"[A-Za-z\u00c0-\u024f\uff21-\uff5a][A-Za-z\u00c0-\u024f\uff21-\uff5a' \-]*"
)
QUEUE_STATES = ("waiting", "transcribed")


@dataclass(frozen=True)
class TranscriptCheck:
    """Syllables the orthography does not accept (errors) or marks doubtful (warnings)."""

    errors: list[str]
    warnings: list[str]


def check_transcript(text: str, language: str) -> TranscriptCheck:
    """Latin-script runs are checked as Xiangxi Miao; Han characters pass as Chinese."""
    if language not in ORTHOGRAPHY_CHECKED:
        return TranscriptCheck([], [])
    errors: list[str] = []
    warnings: list[str] = []
    for run in _LATIN_RUN.findall(text):
        result = orthography.validate(run)
        if result.syllables:
            errors += result.errors
            warnings += result.warnings
    return TranscriptCheck(errors, warnings)


def queue_for(session: Session, user: User, limit: int = 200) -> Sequence[SpeechSegment]:
    """Waiting and transcribed segments the user is competent in, oldest first."""
    query = (
        select(SpeechSegment)
        .join(Recording, Recording.id == SpeechSegment.recording_id)
        .where(SpeechSegment.transcript_state.in_(QUEUE_STATES))
        .order_by(Recording.created_at, SpeechSegment.recording_id, SpeechSegment.sequence)
    )
    cases = visible_case_ids(session, user)
    if cases is not None:
        query = query.where(Recording.case_id.in_(cases))
    rows = session.scalars(query).all()
    return [s for s in rows if has_competence(user, s.language, s.variety)][:limit]


def get_segment(session: Session, user: User, segment_id: int) -> tuple[SpeechSegment, Recording]:
    """The segment and its recording; 404 unless the user may see the recording's case."""
    segment = session.get(SpeechSegment, segment_id)
    recording = session.get(Recording, segment.recording_id) if segment else None
    if segment is None or recording is None:
        raise NotFound("语音片段不存在")
    cases = visible_case_ids(session, user)
    if cases is not None and recording.case_id not in cases:
        raise NotFound("语音片段不存在")
    return segment, recording


def save_transcript(
    session: Session,
    user: User,
    segment_id: int,
    *,
    text: str,
    approve: bool,
    expected_version: int | None = None,
) -> tuple[SpeechSegment, TranscriptCheck]:
    """Store what was said; `approve` also confirms it. Both need competence in the
    segment's language; approval is refused while the orthography check finds errors."""
    segment, recording = get_segment(session, user, segment_id)
    if segment.kind == "mandarin" or segment.transcript_state in ("none",):
        raise Conflict("该片段不在人工转写队列中")
    if not has_competence(user, segment.language, segment.variety):
        raise Forbidden(f"转写该片段需要具备相应语言能力（{segment.language} {segment.variety}）")
    if expected_version is not None and expected_version != segment.version:
        raise Conflict("该片段已被他人修改，请刷新后再保存")
    if segment.transcript_state == "approved":
        raise Conflict("该片段的转写已批准")
    text = text.strip()
    if not text:
        raise ValidationFailed("请填写听到的内容", field="transcript")
    if len(text) > MAX_TRANSCRIPT_CHARS:
        raise ValidationFailed(f"转写不能超过 {MAX_TRANSCRIPT_CHARS} 字", field="transcript")
    check = check_transcript(text, segment.language)
    if approve and check.errors:
        raise ValidationFailed(
            "拼写不符合湘西苗文：" + "；".join(check.errors[:5]), field="transcript"
        )
    now = utcnow()
    segment.transcript = text
    segment.transcript_language = segment.language
    segment.transcribed_by, segment.transcribed_at = user.id, now
    segment.transcript_state = "approved" if approve else "transcribed"
    if approve:
        segment.approved_by, segment.approved_at = user.id, now
    session.flush()
    record(
        session,
        actor_of(user),
        "speech.segment.approve" if approve else "speech.segment.transcribe",
        "interview",
        recording.interview_id,
        case_id=recording.case_id,
        details={"segment_id": segment.id, "recording_id": recording.id},
    )
    return segment, check
