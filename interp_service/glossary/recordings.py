"""Audio recordings of terms, kept in the evidence store by their SHA-256."""

from __future__ import annotations

from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.audit.chain import Actor, record
from interp_service.errors import NotFound, UnsupportedMedia
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
        details={"sha256": blob.sha256, "recording_id": item.id},
    )
    return item


def get(session: Session, recording_id: int) -> TermRecording:
    item = session.get(TermRecording, recording_id)
    if item is None:
        raise NotFound("录音不存在")
    return item
