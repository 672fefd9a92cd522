"""Document translation for a case: a clerk's Chinese DOCX comes back with a suggested
rendering after every paragraph (see `docx_translate`).

The original is stored in the case's evidence and the translation is audited (hashes and
counts, no text). Limits are in bytes and characters.
"""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData

from interp_service.audit.chain import Actor, record
from interp_service.db.session import release_connection
from interp_service.documents.batch import SOURCE_LANGUAGE, translate_texts
from interp_service.documents.docx_translate import (
    DEFAULT_NOTE,
    Rendering,
    TranslatedDocx,
    translate_docx_counted,
)
from interp_service.errors import UnsupportedMedia, ValidationFailed
from interp_service.evidence.service import add_file, read_whole, uploaded_file
from interp_service.services import AppServices
from interp_service.translation.pipeline import Request, TranslationContext
from interp_service.translation.service import check_request, context_for
from interp_service.web.labels import language

DEFAULT_TARGET = "mmr"
MAX_DOCX_BYTES = 50 * 1_048_576
"""Largest upload read (bytes); the service's general upload limit applies when smaller."""
MAX_DOCUMENT_CHARS = 200_000
"""Most characters of distinct paragraph text one document may send to translation."""
MAX_VARIETY_CHARS = 64
SUFFIX = "（译文建议）"
EVIDENCE_DESCRIPTION = "Word 文档原件（已生成译文建议）"


@dataclass(frozen=True)
class DocumentSummary:
    evidence_id: int
    """The stored original in the case's evidence."""
    source_sha256: str
    result_sha256: str
    paragraphs: int
    by_provenance: dict[str, int]
    """Paragraphs by the provenance of their rendering (`provenance.Provenance` codes)."""
    glossary_release: int | None


def clean_name(filename: str) -> str:
    """The file's own name (no folders), checked to be a Word document's."""
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationFailed("缺少文件名", field="file")
    if not name.lower().endswith(".docx"):
        raise UnsupportedMedia(f"不支持的文件类型：{name}。请上传 Word（.docx）文档", field="file")
    return name


def result_name(name: str) -> str:
    """原名（译文建议）.docx, the stem cut so the name stays under 255 characters."""
    stem = name[: -len(".docx")][: 255 - len(SUFFIX) - len(".docx")]
    return f"{stem}{SUFFIX}.docx"


def check_target(target_language: str, target_variety: str, services: AppServices) -> None:
    if len(target_variety) > MAX_VARIETY_CHARS:
        raise ValidationFailed(
            f"方言/土语名称不能超过 {MAX_VARIETY_CHARS} 字", field="target_variety"
        )
    ask = Request("", SOURCE_LANGUAGE, target_language, target_variety)
    check_request(ask, services.settings)


def note_for(target_language: str, target_variety: str) -> str:
    variety = f"（{target_variety}）" if target_variety else ""
    return f"{DEFAULT_NOTE}译文建议的语言：{language(target_language)}{variety}。"


def check_size(texts: list[str]) -> None:
    total = sum(len(t) for t in texts)
    if total > MAX_DOCUMENT_CHARS:
        raise ValidationFailed(
            f"文档文字过多（{total} 字，上限 {MAX_DOCUMENT_CHARS} 字），请拆分后分别上传",
            field="file",
        )


def _context(services: AppServices, session: Session) -> TranslationContext:
    ctx = context_for(services, session)
    release_connection(session)  # no pooled connection held while the engine works
    return ctx


def _store(
    session: Session,
    services: AppServices,
    actor: Actor,
    case_id: int,
    name: str,
    data: bytes,
    translated: TranslatedDocx,
    target: tuple[str, str],
    glossary_release: int | None,
) -> DocumentSummary:
    item = add_file(
        session,
        services.evidence_store,
        actor,
        case_id,
        source=BytesIO(data),
        filename=name,
        description=EVIDENCE_DESCRIPTION,
        max_bytes=services.settings.max_upload_bytes,
    )
    summary = DocumentSummary(
        evidence_id=item.id,
        source_sha256=item.sha256,
        result_sha256=hashlib.sha256(translated.data).hexdigest(),
        paragraphs=translated.paragraphs,
        by_provenance=translated.by_provenance,
        glossary_release=glossary_release,
    )
    record(
        session,
        actor,
        "document.translate",
        "evidence",
        item.id,
        case_id=case_id,
        details={
            "source_sha256": summary.source_sha256,
            "result_sha256": summary.result_sha256,
            "target_language": target[0],
            "target_variety": target[1],
            "paragraphs": summary.paragraphs,
            "by_provenance": summary.by_provenance,
            "glossary_release": glossary_release,
        },
    )
    return summary


async def translate_document(
    session: Session,
    services: AppServices,
    actor: Actor,
    case_id: int,
    filename: str,
    data: bytes,
    target_language: str,
    target_variety: str,
) -> tuple[str, bytes, DocumentSummary]:
    """The uploaded DOCX `data` with a suggested rendering after every paragraph, its
    file name, and what was done. Nothing is stored unless the whole document translated.

    The caller is authorised for the case. Parsing and writing the DOCX run in a worker
    thread; its paragraphs are translated together on the event loop."""
    target_variety = target_variety.strip()
    if not data:
        raise ValidationFailed("上传的文件是空的", field="file")
    name = clean_name(filename)
    check_target(target_language, target_variety, services)
    ctx = await run_in_threadpool(_context, services, session)
    loop = asyncio.get_running_loop()
    max_chars = services.settings.translate_max_chars

    def translate_batch(texts: list[str]) -> list[Rendering]:
        check_size(texts)
        work = translate_texts(ctx, texts, target_language, target_variety, max_chars)
        return asyncio.run_coroutine_threadsafe(work, loop).result()

    translated = await run_in_threadpool(
        translate_docx_counted,
        data,
        translate_batch,
        max_uncompressed_bytes=services.settings.max_docx_uncompressed_bytes,
        note=note_for(target_language, target_variety),
    )
    summary = await run_in_threadpool(
        _store,
        session,
        services,
        actor,
        case_id,
        name,
        data,
        translated,
        (target_language, target_variety),
        ctx.glossary.release,
    )
    return result_name(name), translated.data, summary


def form_text(form: FormData, name: str, default: str = "") -> str:
    """A text field of the posted form, blank → `default`; a file under its name is refused."""
    value = form.get(name)
    if value is None:
        return default
    if not isinstance(value, str):
        raise ValidationFailed("须为文字", field=name)
    return value.strip() or default


async def translate_posted(
    session: Session, services: AppServices, actor: Actor, case_id: int, form: FormData
) -> tuple[str, bytes, DocumentSummary]:
    """`translate_document` for a posted form: `file`, `target_language` (default mmr),
    `target_variety`. The file is read whole, up to `MAX_DOCX_BYTES` (413 past it)."""
    upload = uploaded_file(form)
    limit = min(services.settings.max_upload_bytes, MAX_DOCX_BYTES)
    data = await run_in_threadpool(read_whole, upload.file, limit, "Word 文档")
    return await translate_document(
        session,
        services,
        actor,
        case_id,
        upload.filename or "",
        data,
        form_text(form, "target_language", DEFAULT_TARGET),
        form_text(form, "target_variety"),
    )
