"""Recordings of phrasebook entries: the Miao (target) side spoken, kept in the evidence
store by its SHA-256 on the entry itself (`recording_sha256`).

An admin competent in the entry's target language and variety uploads a recording (or
records one in the browser, which uploads the same way) of the approved target text,
naming the speaker and whether the speaker agreed to the recording being used as speech
data. An admin with the same competence approves it after listening; the approval names
the exact file (its SHA-256), so a recording replaced in between is not approved unheard.
An entry holds one recording: a new upload replaces the old one and needs approving again.

Everyone may play an approved recording of an entry; an unapproved one only admins. The
interview page lists approved recordings of approved entries only.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary.recordings import checked_recording, consent_given, speaker_of
from interp_service.media.audio import audio_type
from interp_service.memory.entries import get_entry, require_approver
from interp_service.memory.orm import MemoryEntry
from interp_service.users.orm import User
from interp_service.users.schemas import Strict


class RecordingApproval(Strict):
    """What the approver listened to: a different current recording answers 409."""

    sha256: str | None = Field(default=None, pattern="^[0-9a-f]{64}$")


class PhraseRecordingOut(BaseModel):
    entry_id: int
    sha256: str
    media_type: str
    speaker: str
    speaker_consent: bool
    approved: bool
    approved_by: int | None
    approved_at: datetime | None


def out(entry: MemoryEntry, media_type: str) -> PhraseRecordingOut:
    assert entry.recording_sha256 is not None
    return PhraseRecordingOut(
        entry_id=entry.id,
        sha256=entry.recording_sha256,
        media_type=media_type,
        speaker=entry.recording_speaker,
        speaker_consent=entry.recording_consent,
        approved=entry.recording_approved,
        approved_by=entry.recording_approved_by,
        approved_at=entry.recording_approved_at,
    )


def _target(entry: MemoryEntry) -> tuple[str, str]:
    return entry.target_language, entry.target_variety


def _require_approved_text(entry: MemoryEntry) -> None:
    """A recording says the approved target text; without one there is nothing to say."""
    if entry.status != "approved" or not entry.target_text.strip():
        raise Conflict("该条目尚无核准的苗语译文：请先填写并核准译文，再上传录音")


def add(
    session: Session,
    store: EvidenceStore,
    admin: User,
    entry_id: int,
    form: FormData,
    max_bytes: int,
) -> tuple[MemoryEntry, str]:
    """Store a checked recording as the entry's (unapproved) recording; returns the entry
    and the recording's media type. Does not commit."""
    entry = get_entry(session, entry_id)
    require_approver(admin, _target(entry))
    _require_approved_text(entry)
    checked = checked_recording(form, max_bytes)
    blob = store.put_bytes(checked.data)
    replaced = entry.recording_sha256
    entry.recording_sha256 = blob.sha256
    entry.recording_approved = False
    entry.recording_consent = consent_given(form.get("speaker_consent"))
    entry.recording_speaker = speaker_of(form)
    entry.recording_approved_by = entry.recording_approved_at = None
    session.flush()
    record(
        session,
        Actor(admin.id, admin.username),
        "memory.recording",
        "memory_entry",
        entry.id,
        details={
            "sha256": blob.sha256,
            "replaced_sha256": replaced,
            "speaker_consent": entry.recording_consent,
        },
    )
    return entry, checked.media_type


def approve(session: Session, admin: User, entry_id: int, sha256: str | None = None) -> MemoryEntry:
    """An admin competent in the target side confirms the recording says the approved
    target text. `sha256`, when given, must be the current recording's. Does not commit."""
    entry = get_entry(session, entry_id)
    require_approver(admin, _target(entry))
    if entry.recording_sha256 is None:
        raise NotFound("该条目没有录音")
    if sha256 is not None and sha256 != entry.recording_sha256:
        raise Conflict("录音已被替换，请重新试听后再核准")
    if entry.recording_approved:
        raise Conflict("该录音已核准")
    _require_approved_text(entry)
    entry.recording_approved = True
    entry.recording_approved_by, entry.recording_approved_at = admin.id, utcnow()
    session.flush()
    record(
        session,
        Actor(admin.id, admin.username),
        "memory.recording.approve",
        "memory_entry",
        entry.id,
        details={"sha256": entry.recording_sha256},
    )
    return entry


def playable(session: Session, user: User, entry_id: int) -> str:
    """The SHA-256 of the entry's recording if `user` may listen to it: an approved one,
    or any one for an admin; otherwise 404."""
    entry = get_entry(session, entry_id)
    if not entry.recording_sha256 or not (entry.recording_approved or user.has_role("admin")):
        raise NotFound("该条目没有核准的录音")
    return entry.recording_sha256


def media_type(store: EvidenceStore, sha256: str) -> str:
    """The media type of a stored recording, from its first bytes."""
    head = next(store.read_verified(sha256), b"")
    return audio_type(head[:16]) or "application/octet-stream"


def interview_ready(entry: MemoryEntry) -> bool:
    """Shown and played on the interview page: an approved recording of approved text."""
    return bool(
        entry.recording_sha256
        and entry.recording_approved
        and entry.status == "approved"
        and entry.target_text.strip()
    )
