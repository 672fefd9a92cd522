"""Taking in an interview recording: decode it to be sure it is audio within the limits,
keep the original unchanged in the evidence store, link it to the case and interview,
and start the job that segments and recognises it."""

from __future__ import annotations

from pathlib import PurePath

from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.cases.orm import Interview, Party
from interp_service.evidence.service import add_file
from interp_service.evidence.store import EvidenceStore
from interp_service.speech import audio
from interp_service.speech.orm import Recording
from interp_service.users.orm import User
from interp_service.users.service import actor_of


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
    then starts the job. `decoded` is the checked decoding of `data`."""
    import io

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
