"""Admin routes to read and verify the audit trail."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from interp_service.api.access import ADMIN, require
from interp_service.api.deps import DbSession, Principal
from interp_service.api.ids import Id
from interp_service.api.pagination import Page, PageParams, page_params
from interp_service.audit import chain
from interp_service.audit import repository as repo
from interp_service.audit.schemas import AuditEntryOut, VerifyOut

router = APIRouter(prefix="/api/v1", tags=["audit"])


@router.get("/audit")
def read_trail(
    db: DbSession,
    actor: str | None = Query(None, max_length=64),
    action: str | None = Query(None, max_length=64),
    case_id: Id | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    paging: PageParams = Depends(page_params),
    _: Principal = require(ADMIN),
) -> Page[AuditEntryOut]:
    """Entries newest first; `action` matches a prefix such as `case.`."""
    rows, total = repo.search(
        db,
        actor=actor,
        action=action,
        case_id=case_id,
        since=since,
        until=until,
        offset=paging.offset,
        limit=paging.size,
    )
    return Page.of([AuditEntryOut.model_validate(r) for r in rows], paging, total)


@router.get("/audit/verify")
def verify_trail(db: DbSession, _: Principal = require(ADMIN)) -> VerifyOut:
    result = chain.verify(db)
    return VerifyOut(
        ok=result.ok,
        entries_checked=result.entries_checked,
        first_bad_seq=result.first_bad_seq,
        reason=result.reason,
    )
