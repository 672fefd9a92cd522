"""Audio recordings of terms, kept in the evidence store by their SHA-256.

At upload the admin names the speaker and records whether the speaker agreed to the
recording being used as speech data; an admin competent in the term's language approves
the recording. Only approved recordings with consent, of approved terms, are exported as
speech data (`interp_service.coverage.speech_export`). Everyone may play an approved
recording; an unapproved one only admins (who listen before approving).

Every upload is decoded before anything is stored (`checked_recording`), so a corrupt
file, a file that is not audio or one longer than `MAX_RECORDING_S` is refused whole. The
same check serves phrasebook recordings (`interp_service.memory.recordings`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound
from interp_service.evidence.service import read_whole, uploaded_file
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary.orm import Term, TermRecording
from interp_service.glossary.service import get_term
from interp_service.media import audio
from interp_service.users.competence import require_competence
from interp_service.users.orm import User

MAX_RECORDING_S = 60.0
"""A term or a phrase: a minute is plenty, and keeps a mistaken long upload out."""
MAX_RECORDING_BYTES = 32 * 1_048_576
"""A minute of 48 kHz stereo 24-bit WAV is about 17 MB."""


@dataclass(frozen=True)
class CheckedAudio:
    data: bytes
    media_type: str
    duration_s: float


def checked_recording(form: FormData, max_bytes: int) -> CheckedAudio:
    """The uploaded `file`, read whole and decoded: 413 past the size limit, 415 for a file
    that is not readable audio, 422 for an empty or too long one. Nothing is stored."""
    upload = uploaded_file(form)
    limit = min(max_bytes, MAX_RECORDING_BYTES)
    data = read_whole(upload.file, limit, what="录音文件")
    decoded = audio.decode(data, max_duration_s=MAX_RECORDING_S)
    media = audio.audio_type(data[:16])
    assert media is not None  # decode refuses what audio_type does not know
    return CheckedAudio(data, media, decoded.duration_s)


def consent_given(value: object) -> bool:
    """A ticked checkbox ("on") or an API client's "true"/"1"/"yes"."""
    return isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes")


def speaker_of(form: FormData) -> str:
    return str(form.get("speaker") or "").strip()[:100]


def add(
    session: Session,
    store: EvidenceStore,
    admin: User,
    term_id: int,
    form: FormData,
    max_bytes: int,
) -> TermRecording:
    """Attach an audio file to a term; only someone competent in its language may."""
    term = get_term(session, term_id)
    require_competence(admin, term.language, term.variety)
    checked = checked_recording(form, max_bytes)
    blob = store.put_bytes(checked.data)
    item = TermRecording(
        term_id=term.id,
        sha256=blob.sha256,
        size_bytes=blob.size_bytes,
        media_type=checked.media_type,
        speaker_note=str(form.get("speaker_note") or "")[:300],
        speaker=speaker_of(form),
        speaker_consent=consent_given(form.get("speaker_consent")),
        uploaded_by=admin.id,
    )
    session.add(item)
    session.flush()
    record(
        session,
        Actor(admin.id, admin.username),
        "glossary.recording",
        "term",
        term.id,
        details={
            "sha256": blob.sha256,
            "recording_id": item.id,
            "speaker_consent": item.speaker_consent,
        },
    )
    return item


def approve(session: Session, admin: User, recording_id: int) -> TermRecording:
    """An admin competent in the term's language confirms the recording says the term."""
    item = get(session, recording_id)
    term = get_term(session, item.term_id)
    require_competence(admin, term.language, term.variety)
    if item.approved_at is not None:
        raise Conflict("该录音已核准")
    item.approved_by, item.approved_at = admin.id, utcnow()
    session.flush()
    record(
        session,
        Actor(admin.id, admin.username),
        "glossary.recording.approve",
        "term",
        term.id,
        details={"sha256": item.sha256, "recording_id": item.id},
    )
    return item


def get(session: Session, recording_id: int) -> TermRecording:
    item = session.get(TermRecording, recording_id)
    if item is None:
        raise NotFound("录音不存在")
    return item


def playable(session: Session, user: User, recording_id: int) -> TermRecording:
    """A recording `user` may listen to: an approved one, or any one for an admin. An
    unapproved recording answers others like a missing one."""
    item = get(session, recording_id)
    if item.approved_at is None and not user.has_role("admin"):
        raise NotFound("录音不存在")
    return item


def approved_for_terms(
    session: Session, term_ids: Sequence[int], language: str
) -> Sequence[tuple[TermRecording, Term]]:
    """Approved recordings of those of `term_ids` that are in `language`, by term."""
    if not term_ids:
        return []
    rows = session.execute(
        select(TermRecording, Term)
        .join(Term, Term.id == TermRecording.term_id)
        .where(
            TermRecording.term_id.in_(set(term_ids)),
            TermRecording.approved_at.is_not(None),
            Term.language == language,
        )
        .order_by(Term.text, TermRecording.id)
    ).all()
    return [(row[0], row[1]) for row in rows]
