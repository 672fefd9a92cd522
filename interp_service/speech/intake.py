"""Taking in an interview recording: decode it to be sure it is audio within the limits,
keep the original unchanged in the evidence store, link it to the case and interview,
and start the job that segments and recognises it. The same file (by SHA-256) is taken
once per interview: a second upload is refused with a link to the recording it repeats."""

from __future__ import annotations

import hashlib
from pathlib import PurePath

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.cases.orm import Party
from interp_service.errors import Conflict
from interp_service.evidence.service import add_file
from interp_service.evidence.store import EvidenceStore
from interp_service.interviews.orm import Interview
from interp_service.media import audio
from interp_service.speech.orm import Recording
from interp_service.users.orm import User
from interp_service.users.service import actor_of


def recording_api_url(case_id: int, recording_id: int) -> str:
    return f"/api/v1/cases/{case_id}/recordings/{recording_id}"


def find_duplicate(session: Session, interview_id: int, sha256: str) -> Recording | None:
    """The interview's recording of exactly these bytes, if it already has one."""
    return session.scalar(
        select(Recording)
        .where(Recording.interview_id == interview_id, Recording.sha256 == sha256)
        .order_by(Recording.id)
        .limit(1)
    )


def check_not_duplicate(session: Session, interview: Interview, sha256: str) -> None:
    """409 naming (and linking to) the recording of the same file in this interview."""
    existing = find_duplicate(session, interview.id, sha256)
    if existing is None:
        return
    raise Conflict(
        f"该录音文件已上传到本次询问（录音 #{existing.id}），未重复保存",
        existing_recording_id=existing.id,
        recording_url=recording_api_url(interview.case_id, existing.id),
        sha256=sha256,
    )


def lock_interview(session: Session, interview_id: int) -> None:
    """Serialise uploads to one interview until the caller commits or rolls back: a row
    lock on PostgreSQL; SQLite has no row locks (FOR UPDATE is dropped), so there a no-op
    write to the row takes the database's write lock, and a second upload waits for it."""
    session.execute(
        select(Interview.id).where(Interview.id == interview_id).with_for_update()
    ).all()
    if session.get_bind().dialect.name == "sqlite":
        session.execute(
            update(Interview)
            .where(Interview.id == interview_id)
            .values(status=Interview.status)
            .execution_options(synchronize_session=False)
        )


def add_recording(
    session: Session,
    store: EvidenceStore,
    user: User,
    interview: Interview,
    *,
    data: bytes,
    decoded: audio.DecodedAudio,
    filename: str,
    speech_data_consent: bool,
) -> Recording:
    """Store the original and the recording row (state `queued`); the caller commits and
    then starts the job. `decoded` is the checked decoding of `data`. The same file already
    recorded for this interview is a `Conflict` and nothing is written (checked under a
    lock on the interview, so two simultaneous uploads of one file store it once)."""
    import io

    lock_interview(session, interview.id)
    check_not_duplicate(session, interview, hashlib.sha256(data).hexdigest())
    name = PurePath(filename.replace("\\", "/")).name.strip() or "recording"
    party = session.get(Party, interview.party_id)
    evidence = add_file(
        session,
        store,
        actor_of(user),
        interview.case_id,
        source=io.BytesIO(data),
        filename=name,
        description="询问录音",
        max_bytes=len(data),
    )
    item = Recording(
        case_id=interview.case_id,
        interview_id=interview.id,
        evidence_id=evidence.id,
        sha256=evidence.sha256,
        media_type=audio.audio_type(data[:16]) or evidence.media_type,
        original_name=name[:255],
        duration_s=round(decoded.duration_s, 3),
        language=party.language if party else "",
        variety=party.variety if party else "",
        speech_data_consent=speech_data_consent,
        uploaded_by=user.id,
    )
    session.add(item)
    session.flush()
    record(
        session,
        actor_of(user),
        "speech.recording.add",
        "interview",
        interview.id,
        case_id=interview.case_id,
        details={
            "recording_id": item.id,
            "sha256": item.sha256,
            "duration_s": item.duration_s,
            "speech_data_consent": speech_data_consent,
        },
    )
    return item
