"""Audio recordings of terms, kept in the evidence store by their SHA-256.

At upload the admin names the speaker and records whether the speaker agreed to the
recording being used as speech data; an admin competent in the term's language approves
the recording. Only approved recordings with consent, of approved terms, are exported as
speech data (`interp_service.coverage.speech_export`)."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.audit.chain import Actor, record
from interp_service.db.base import utcnow
from interp_service.errors import Conflict, NotFound, UnsupportedMedia
from interp_service.evidence.service import uploaded_file
from interp_service.evidence.sniff import sniff
from interp_service.evidence.store import EvidenceStore
from interp_service.glossary.curation import get_term, require_competence
from interp_service.glossary.orm import TermRecording
from interp_service.users.orm import User


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
    upload = uploaded_file(form)
    head = upload.file.read(64)
    upload.file.seek(0)
    media = sniff(head, upload.filename or "")
    if media is None or not media.startswith("audio/"):
        raise UnsupportedMedia("录音须为 WAV、MP3、M4A、OGG 或 FLAC 音频", field="file")
    blob = store.put_file(upload.file, max_bytes)
    item = TermRecording(
        term_id=term.id,
        sha256=blob.sha256,
        size_bytes=blob.size_bytes,
        media_type=media,
        speaker_note=str(form.get("speaker_note") or "")[:300],
        speaker=str(form.get("speaker") or "").strip()[:100],
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


def consent_given(value: object) -> bool:
    """A ticked checkbox ("on") or an API client's "true"/"1"/"yes"."""
    return isinstance(value, str) and value.strip().lower() in ("on", "true", "1", "yes")


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
