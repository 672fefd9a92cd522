"""The document-translation page of a case: upload a Chinese Word document, get it back
with a suggested rendering after every paragraph (the same service as the API route).
Bad input re-renders the form with the reason beside it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from interp_service.api.access import CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.cases.service import get_case
from interp_service.documents import service
from interp_service.documents.provenance import LABELS
from interp_service.documents.schemas import DOCX_MEDIA, TARGETS, attachment_headers
from interp_service.errors import AppError
from interp_service.evidence.uploads import posted_form
from interp_service.users.service import actor_of
from interp_service.web.forms import error_of, form_values
from interp_service.web.labels import language
from interp_service.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, db: Session, case_id: int, status: int = 200, **ctx: Any) -> Response:
    ctx.setdefault("values", {"target_language": service.DEFAULT_TARGET})
    return render(
        request,
        "documents.html",
        status,
        case=get_case(db, case_id),
        targets={code: language(code) for code in TARGETS},
        provenance_labels=LABELS,
        max_mib=service.MAX_DOCX_BYTES // 1_048_576,
        **ctx,
    )


@router.get("/cases/{case_id}/documents")
def documents_page(
    case_id: Id,
    request: Request,
    db: DbSession,
    _: Principal = require(CASE_WRITE),
) -> Response:
    return _page(request, db, case_id)


@router.post("/cases/{case_id}/documents/translate")
async def translate_document(
    case_id: Id,
    request: Request,
    services: Services,
    db: DbSession,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    try:
        name, content, summary = await service.translate_posted(
            db, services, actor_of(me.user), case_id, posted
        )
    except AppError as exc:
        await run_in_threadpool(db.rollback)
        return await run_in_threadpool(
            _page,
            request,
            db,
            case_id,
            exc.status,
            errors=error_of(exc),
            values=form_values(posted),
        )
    return Response(content, media_type=DOCX_MEDIA, headers=attachment_headers(name, summary))
