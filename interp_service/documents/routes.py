"""API route: translate a case's Chinese Word document into a DOCX with suggestions."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from starlette.datastructures import FormData

from interp_service.api.access import CASE_WRITE, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.api.ids import Id
from interp_service.documents import service
from interp_service.documents.schemas import (
    DOCX_MEDIA,
    DOCX_RESPONSE,
    FORM_SCHEMA,
    attachment_headers,
)
from interp_service.evidence.uploads import posted_form
from interp_service.users.service import actor_of

router = APIRouter(prefix="/api/v1", tags=["documents"])


@router.post(
    "/cases/{case_id}/documents/translate",
    response_class=Response,
    responses=DOCX_RESPONSE,
    openapi_extra=FORM_SCHEMA,
)
async def translate_document(
    case_id: Id,
    db: DbSession,
    services: Services,
    me: Principal = require(CASE_WRITE),
    posted: FormData = Depends(posted_form),
) -> Response:
    """The uploaded Chinese DOCX with a suggested rendering (grey italic, marked with its
    source) after every paragraph, as an attachment named 原名（译文建议）.docx.

    Case staff (lead prosecutor, assistant, clerk) and admins; the original is stored in
    the case's evidence and the translation audited. The multipart body is read only after
    the caller was authorised for the case.
    """
    name, content, summary = await service.translate_posted(
        db, services, actor_of(me.user), case_id, posted
    )
    return Response(content, media_type=DOCX_MEDIA, headers=attachment_headers(name, summary))
