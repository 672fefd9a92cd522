"""Taking a transcript file in: decide its kind, check that it can be read (so bad input
is refused before anything is stored), keep the original in the evidence store and queue
its processing. The same file for the same interview links to the transcript it repeats."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import PurePath

from sqlalchemy.orm import Session

from interp_service.audit.chain import record
from interp_service.cases.orm import Party
from interp_service.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed
from interp_service.evidence.service import add_file
from interp_service.evidence.store import EvidenceStore
from interp_service.interviews.orm import Interview
from interp_service.media import audio
from interp_service.speech import intake as speech_intake
from interp_service.transcripts import repository as repo
from interp_service.transcripts.orm import Transcript
from interp_service.transcripts.reading import read_turns
from interp_service.users.orm import User
from interp_service.users.service import actor_of

TEXT_SUFFIXES = {".txt": "text", ".docx": "docx", ".srt": "srt", ".vtt": "vtt"}
AUDIO_DESCRIPTION = "WAV/MP3/M4A/OGG/WebM/FLAC 录音"
ACCEPTED = "纯文本（.txt）、Word（.docx）、字幕（.srt/.vtt）或" + AUDIO_DESCRIPTION


@dataclass(frozen=True)
class Limits:
    """Upload limits in bytes (text after decoding is bounded by `max_text_bytes`)."""

    max_text_bytes: int
    max_upload_bytes: int
    max_docx_uncompressed_bytes: int
    max_audio_seconds: float


@dataclass(frozen=True)
class Options:
    source_language: str
    source_variety: str
    target_language: str
    target_variety: str
    to_simplified: bool


def kind_of(name: str, data: bytes) -> str:
    """text / docx / srt / vtt / audio, from the name and the first bytes."""
    if audio.audio_type(data[:16]) is not None:
        return "audio"
    suffix = PurePath(name.lower()).suffix
    kind = TEXT_SUFFIXES.get(suffix)
    if kind is None:
        raise UnsupportedMedia(f"不支持的文件类型：{name}。允许：{ACCEPTED}", field="file")
    return kind


def check_readable(kind: str, data: bytes, limits: Limits) -> None:
    """Read the whole file once as processing will; any problem is refused now."""
    if kind == "audio":
        audio.decode(data, max_duration_s=limits.max_audio_seconds)
        return
    if len(data) > limits.max_text_bytes:
        raise PayloadTooLarge(
            f"文本笔录超过上限 {limits.max_text_bytes // 1_048_576} MiB，请分成几个文件上传"
        )
    turns = read_turns(kind, data, limits.max_docx_uncompressed_bytes)
    if not any(t.text.strip() for t in turns):
        raise ValidationFailed("文件中没有可用的文字", field="file")


def receive(
    session: Session,
    store: EvidenceStore,
    user: User,
    interview: Interview,
    *,
    data: bytes,
    filename: str,
    options: Options,
    limits: Limits,
) -> tuple[Transcript, bool]:
    """Store the original and the transcript row (state `queued`); returns it and whether
    it is new. The caller commits and then starts processing."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationFailed("缺少文件名", field="file")
    if not data:
        raise ValidationFailed("上传的文件是空的", field="file")
    kind = kind_of(name, data)
    sha256 = hashlib.sha256(data).hexdigest()
    existing = repo.find_by_hash(session, interview.id, sha256)
    if existing is not None:
        return existing, False
    check_readable(kind, data, limits)
    speech_intake.lock_interview(session, interview.id)
    existing = repo.find_by_hash(session, interview.id, sha256)
    if existing is not None:
        return existing, False
    party = session.get(Party, interview.party_id)
    recording_id = None
    if kind == "audio":
        recording = speech_intake.find_duplicate(session, interview.id, sha256)
        if recording is None:
            recording = speech_intake.add_recording(
                session,
                store,
                user,
                interview,
                data=data,
                decoded=audio.decode(data, max_duration_s=limits.max_audio_seconds),
                filename=name,
                speech_data_consent=False,
            )
        evidence_id, media_type, recording_id = (
            recording.evidence_id,
            recording.media_type,
            recording.id,
        )
    else:
        evidence = add_file(
            session,
            store,
            actor_of(user),
            interview.case_id,
            source=io.BytesIO(data),
            filename=name,
            description="笔录原件",
            max_bytes=len(data),
        )
        evidence_id, media_type = evidence.id, evidence.media_type
    item = Transcript(
        case_id=interview.case_id,
        interview_id=interview.id,
        evidence_id=evidence_id,
        sha256=sha256,
        original_name=name[:255],
        media_type=media_type,
        kind=kind,
        source_language=options.source_language,
        source_variety=options.source_variety,
        target_language=options.target_language,
        target_variety=options.target_variety
        or (party.variety if party and options.target_language == party.language else ""),
        to_simplified=options.to_simplified,
        kept_lines=[],
        recording_id=recording_id,
        uploaded_by=user.id,
    )
    session.add(item)
    session.flush()
    record(
        session,
        actor_of(user),
        "transcript.add",
        "interview",
        interview.id,
        case_id=interview.case_id,
        details={"transcript_id": item.id, "sha256": sha256, "kind": kind},
    )
    return item, True
