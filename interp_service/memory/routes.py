"""API routes of the translation memory: entries, phrasebook, review queue, lookup."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, SIGNED_IN, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal, get_services
from interp_service.api.ids import Id
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.evidence.uploads import posted_form
from interp_service.memory import entries, recordings, service, views
from interp_service.memory import repository as repo
from interp_service.memory.recordings import PhraseRecordingOut, RecordingApproval
from interp_service.memory.schemas import (
    Approval,
    EntryCreate,
    EntryEdit,
    EntryOut,
    LookupIn,
    LookupOut,
    PhraseOut,
    QueueItemOut,
    Rejection,
    Retirement,
    SubmissionCreate,
    SubmissionOut,
)

router = APIRouter(prefix="/api/v1/memory", tags=["memory"])
LANGUAGE = r"^([a-z]{3})?$"


@router.get("/entries")
def list_entries(
    db: DbSession,
    q: str = Query("", max_length=200),
    source_language: str = Query("", pattern=LANGUAGE),
    target_language: str = Query("", pattern=LANGUAGE),
    status: str = Query("", pattern="^(draft|approved|retired)?$"),
    paging: PageParams = Depends(page_params),
    _: Principal = require(SIGNED_IN),
) -> Page[EntryOut]:
    rows, total = repo.list_entries(
        db,
        q=q,
        source_language=source_language or None,
        target_language=target_language or None,
        status=status or None,
        offset=paging.offset,
        limit=paging.size,
    )
    return Page.of([EntryOut.model_validate(e) for e in rows], paging, total)


@router.get("/entries/{entry_id}")
def get_entry(
    entry_id: Id,
    db: DbSession,
    _: Principal = require(SIGNED_IN),
) -> EntryOut:
    return EntryOut.model_validate(entries.get_entry(db, entry_id))


@router.get("/entries/{entry_id}/recording")
def play_recording(
    entry_id: Id,
    db: DbSession,
    store: Evidence,
    me: Principal = require(SIGNED_IN),
) -> StreamingResponse:
    """The entry's Miao recording, hash-checked as it is read: an approved one for everyone,
    an unapproved one only for admins (who listen before approving)."""
    sha256 = recordings.playable(db, me.user, entry_id)
    return StreamingResponse(
        store.read_verified(sha256),
        media_type=recordings.media_type(store, sha256),
        headers={"x-content-sha256": sha256},
    )


@router.post("/entries/{entry_id}/recording", status_code=201)
def add_recording(
    entry_id: Id,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(ADMIN),
    posted: FormData = Depends(posted_form),
) -> PhraseRecordingOut:
    """Upload a recording of the entry's approved target text (multipart: `file`, `speaker`,
    `speaker_consent`); it replaces any earlier one and waits for approval. Needs
    competence in the target language; at most a minute of WAV, MP3, OGG, WebM, M4A or
    FLAC that decodes (415 otherwise)."""
    entry, media = recordings.add(db, store, me.user, entry_id, posted, settings.max_upload_bytes)
    return recordings.out(entry, media)


@router.post("/entries/{entry_id}/recording/approve")
def approve_recording(
    entry_id: Id,
    db: DbSession,
    store: Evidence,
    body: RecordingApproval | None = None,
    me: Principal = require(ADMIN),
) -> PhraseRecordingOut:
    """Approve the entry's recording after listening; `sha256` names the file heard (409
    when it has been replaced since). Needs competence in the target language."""
    entry = recordings.approve(db, me.user, entry_id, (body or RecordingApproval()).sha256)
    assert entry.recording_sha256 is not None
    return recordings.out(entry, recordings.media_type(store, entry.recording_sha256))


@router.post("/entries", status_code=201)
def create_entry(
    body: EntryCreate,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> EntryOut:
    """An approved pair added directly; needs competence in both languages."""
    entry = entries.create_entry(db, me.user, body)
    return EntryOut.model_validate(entry)


@router.patch("/entries/{entry_id}")
def edit_entry(
    entry_id: Id,
    body: EntryEdit,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> EntryOut:
    """Change an entry (e.g. fill in a phrasebook entry's Miao side); stale version → 409."""
    entry = entries.edit_entry(db, me.user, entry_id, body)
    return EntryOut.model_validate(entry)


@router.post("/entries/{entry_id}/retire")
def retire_entry(
    entry_id: Id,
    db: DbSession,
    body: Retirement | None = None,
    me: Principal = require(ADMIN),
) -> EntryOut:
    entry = entries.retire_entry(db, me.user, entry_id, body or Retirement())
    return EntryOut.model_validate(entry)


@router.get("/phrasebook")
def phrasebook(db: DbSession, _: Principal = require(SIGNED_IN)) -> list[PhraseOut]:
    """Standard notices and questions; `draft` ones have no approved Miao side yet."""
    return [views.phrase_out(e) for e in repo.phrasebook(db)]


@router.post("/submissions", status_code=201)
def submit(
    body: SubmissionCreate,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
) -> SubmissionOut:
    """Queue a pair for an admin's review (flagged when it contradicts an approved entry)."""
    submission = service.submit(db, me.user, body)
    return SubmissionOut.model_validate(submission)


@router.get("/submissions")
def list_submissions(
    db: DbSession,
    status: str = Query("pending", pattern="^(pending|approved|rejected|all)$"),
    mine: bool = False,
    paging: PageParams = Depends(page_params),
    me: Principal = require(SIGNED_IN),
) -> Page[QueueItemOut]:
    """Admins see the queue; everyone else (and admins with `mine=1`) their own."""
    rows, total = repo.submissions(
        db,
        status=None if status == "all" else status,
        submitted_by=me.user.id if mine or not me.is_admin else None,
        offset=paging.offset,
        limit=paging.size,
    )
    return Page.of(views.queue_items(db, rows), paging, total)


@router.post("/submissions/{submission_id}/approve")
def approve(
    submission_id: Id,
    body: Approval,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> SubmissionOut:
    submission = service.approve(db, me.user, submission_id, body.note, body.edited_target)
    return SubmissionOut.model_validate(submission)


@router.post("/submissions/{submission_id}/reject")
def reject(
    submission_id: Id,
    body: Rejection,
    db: DbSession,
    me: Principal = require(ADMIN),
) -> SubmissionOut:
    submission = service.reject(db, me.user, submission_id, body.note)
    return SubmissionOut.model_validate(submission)


@router.post("/lookup")
def lookup(
    request: Request,
    body: LookupIn,
    db: DbSession,
    settings: AppSettings,
    _: Principal = require(SIGNED_IN),
) -> LookupOut:
    """Exact and fuzzy approved pairs for a sentence, with the differing spans."""
    return views.lookup(
        get_services(request).memory_index, db, body, settings.memory_fuzzy_threshold
    )
