"""API routes for case files in the evidence store, and the integrity-check job."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData

from interp_service.api.access import ADMIN, CASE_READ, CASE_WRITE, require
from interp_service.api.deps import AppSettings, DbSession, Evidence, Principal, get_services
from interp_service.api.ids import Id
from interp_service.evidence import repository as repo
from interp_service.evidence import service
from interp_service.evidence.schemas import EvidenceOut
from interp_service.evidence.uploads import UPLOAD_SCHEMA, posted_form
from interp_service.jobs.base import JobContext, JobRunner
from interp_service.jobs.schemas import JobOut
from interp_service.users.service import actor_of

router = APIRouter(prefix="/api/v1", tags=["evidence"])


@router.get("/cases/{case_id}/evidence")
def list_files(
    case_id: Id,
    db: DbSession,
    _: Principal = require(CASE_READ),
) -> list[EvidenceOut]:
    return [EvidenceOut.model_validate(f) for f in repo.files_of_case(db, case_id)]


@router.post("/cases/{case_id}/evidence", status_code=201, openapi_extra=UPLOAD_SCHEMA)
def upload_file(
    case_id: Id,
    db: DbSession,
    settings: AppSettings,
    store: Evidence,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> EvidenceOut:
    """Store a file for the case, named by its SHA-256; uploading it again links it once.

    The multipart body is read only after the caller was authorised for the case.
    """
    upload = service.uploaded_file(posted)
    item = service.add_file(
        db,
        store,
        actor_of(me.user),
        case_id,
        source=upload.file,
        filename=upload.filename or "",
        description=str(posted.get("description") or ""),
        max_bytes=settings.max_upload_bytes,
    )
    return EvidenceOut.model_validate(item)


@router.get("/cases/{case_id}/evidence/{evidence_id}/content")
def download_file(
    case_id: Id,
    evidence_id: Id,
    db: DbSession,
    store: Evidence,
    _: Principal = require(CASE_READ),
) -> StreamingResponse:
    """The file's bytes, served only after its hash was checked."""
    item = service.get_file(db, case_id, evidence_id)
    chunks = store.read_verified(item.sha256)
    return StreamingResponse(
        chunks,
        media_type=item.media_type,
        headers={
            "x-content-sha256": item.sha256,
            "content-disposition": f"attachment; filename*=UTF-8''{_quote(item.original_name)}",
        },
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


@router.post("/evidence/verify", status_code=202)
def start_integrity_check(request: Request, me: Principal = require(ADMIN)) -> JobOut:
    """Start a job that re-hashes every stored file: lists files that no longer match their
    hash, linked files that are missing, and stored files no case links to."""
    store = get_services(request).evidence_store
    runner: JobRunner = get_services(request).job_runner
    factory = get_services(request).session_factory

    def check(ctx: JobContext) -> dict[str, Any]:
        hashes = store.all_hashes()
        with factory() as session:
            linked = repo.all_linked_hashes(session)
        bad: list[str] = []
        for done, sha in enumerate(hashes, start=1):
            if not store.verify(sha):
                bad.append(sha)
            ctx.progress(done, len(hashes), sha[:12])
        return {
            "checked": len(hashes),
            "mismatched": bad,
            "missing": sorted(linked - set(hashes)),
            "unlinked": sorted(set(hashes) - linked),
        }

    return JobOut.of(runner.submit("evidence.verify", check, owner_id=me.user.id))
