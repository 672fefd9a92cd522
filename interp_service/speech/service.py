"""Interview recordings: take an upload in, list and show recordings, play stretches of
them as WAV, and process a failed one again. Never commits: the caller does, and after an
upload it commits the recording before `start_processing` (the job reads it in its own
session) and again after, to keep the job's id."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy.orm import Session, sessionmaker

from interp_service.cases.orm import Case, Party
from interp_service.cases.service import get_case
from interp_service.errors import NotFound
from interp_service.evidence.service import read_whole
from interp_service.evidence.store import EvidenceStore
from interp_service.interviews.orm import Interview
from interp_service.interviews.service import get_interview
from interp_service.jobs.base import JobRunner
from interp_service.media import audio
from interp_service.speech import intake, processing, queue
from interp_service.speech import repository as repo
from interp_service.speech.models import SpeechModels
from interp_service.speech.orm import Recording, SpeechSegment
from interp_service.users.orm import User

MAX_STRETCH_S = 600.0


def receive_recording(
    session: Session,
    store: EvidenceStore,
    user: User,
    case_id: int,
    interview_id: int,
    *,
    source: BinaryIO,
    filename: str,
    speech_data_consent: bool,
    max_upload_bytes: int,
    max_audio_seconds: float,
) -> Recording:
    """Check an uploaded recording (size, not already uploaded to this interview, audio
    within the length limit), store the original and queue the recording. Blocking: run
    it in a worker thread. The caller commits, then calls `start_processing`."""
    interview = get_interview(session, case_id, interview_id)
    data = read_whole(source, max_upload_bytes)
    # Early, before the decoding; `add_recording` checks again under the interview lock.
    intake.check_not_duplicate(session, interview, hashlib.sha256(data).hexdigest())
    decoded = audio.decode(data, max_duration_s=max_audio_seconds)
    return intake.add_recording(
        session,
        store,
        user,
        interview,
        data=data,
        decoded=decoded,
        filename=filename,
        speech_data_consent=speech_data_consent,
    )


def start_processing(
    runner: JobRunner,
    factory: sessionmaker[Session],
    store: EvidenceStore,
    models: SpeechModels,
    item: Recording,
    owner_id: int,
) -> Recording:
    """Start the job that segments a committed recording and note its id (the caller
    commits)."""
    processing.start(runner, factory, store, models, item, owner_id)
    return item


def get_recording(session: Session, case_id: int, recording_id: int) -> Recording:
    item = session.get(Recording, recording_id)
    if item is None or item.case_id != case_id:
        raise NotFound("录音不存在")
    return item


def list_recordings(session: Session, case_id: int, interview_id: int) -> list[Recording]:
    interview = get_interview(session, case_id, interview_id)
    return repo.recordings_of_interview(session, interview.id)


def recording_with_segments(
    session: Session, case_id: int, recording_id: int
) -> tuple[Recording, list[SpeechSegment]]:
    item = get_recording(session, case_id, recording_id)
    return item, repo.segments_of(session, item.id)


def reprocess(
    session: Session,
    runner: JobRunner,
    factory: sessionmaker[Session],
    store: EvidenceStore,
    models: SpeechModels,
    case_id: int,
    recording_id: int,
    owner_id: int,
) -> Recording:
    """Start a failed recording's job again (Conflict otherwise; the caller commits)."""
    item = get_recording(session, case_id, recording_id)
    processing.restart(runner, factory, store, models, item, owner_id)
    return item


def wav_of(store: EvidenceStore, sha256: str, start_s: float, end_s: float) -> bytes:
    """A stretch of a stored recording as 16 kHz WAV."""
    data = b"".join(store.read_verified(sha256))
    return audio.to_wav(audio.decode_range(data, start_s, end_s))


def recording_wav(
    session: Session,
    store: EvidenceStore,
    case_id: int,
    recording_id: int,
    start_s: float,
    end_s: float | None,
) -> bytes:
    """Seconds `start_s` to `end_s` (default: the end) of a recording, at most 10 minutes."""
    item = get_recording(session, case_id, recording_id)
    stop = min(end_s if end_s is not None else item.duration_s, item.duration_s)
    stop = min(stop, start_s + MAX_STRETCH_S)
    return wav_of(store, item.sha256, start_s, max(start_s, stop))


def segment_wav(
    session: Session, store: EvidenceStore, user: User, segment_id: int, around_s: float
) -> bytes:
    """A queued segment with `around_s` seconds before and after it (to replay context)."""
    segment, recording = queue.get_segment(session, user, segment_id)
    start = max(0.0, segment.start_s - around_s)
    end = min(recording.duration_s, segment.end_s + around_s)
    return wav_of(store, recording.sha256, start, end)


@dataclass(frozen=True)
class RecordingsView:
    """What an interview's recordings page shows."""

    case: Case
    interview: Interview
    party: Party | None
    recordings: list[Recording]
    segments: dict[int, list[SpeechSegment]]


def recordings_view(session: Session, case_id: int, interview_id: int) -> RecordingsView:
    case = get_case(session, case_id)
    interview = get_interview(session, case_id, interview_id)
    rows = repo.recordings_of_interview(session, interview.id)
    return RecordingsView(
        case=case,
        interview=interview,
        party=session.get(Party, interview.party_id),
        recordings=rows,
        segments={r.id: repo.segments_of(session, r.id) for r in rows},
    )


@dataclass(frozen=True)
class QueueView:
    """The transcription queue with the recordings, cases and interviews it names."""

    items: Sequence[SpeechSegment]
    recordings: dict[int, Recording | None]
    cases: dict[int, Case | None]
    interviews: dict[int, Interview | None]


def queue_view(session: Session, user: User) -> QueueView:
    items = queue.queue_for(session, user)
    recordings = {s.recording_id: session.get(Recording, s.recording_id) for s in items}
    found = [r for r in recordings.values() if r]
    return QueueView(
        items=items,
        recordings=recordings,
        cases={r.case_id: session.get(Case, r.case_id) for r in found},
        interviews={r.interview_id: session.get(Interview, r.interview_id) for r in found},
    )
