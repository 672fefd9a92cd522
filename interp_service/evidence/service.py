"""Storing files for a case: type check, content-addressed write, link, audit."""

from __future__ import annotations

from pathlib import PurePath
from typing import BinaryIO

from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from interp_service.audit.chain import Actor, record
from interp_service.cases.service import get_case
from interp_service.errors import NotFound, PayloadTooLarge, UnsupportedMedia, ValidationFailed
from interp_service.evidence import repository as repo
from interp_service.evidence.orm import EvidenceFile
from interp_service.evidence.sniff import ALLOWED_DESCRIPTION, sniff
from interp_service.evidence.store import EvidenceStore


def add_file(
    session: Session,
    store: EvidenceStore,
    actor: Actor,
    case_id: int,
    *,
    source: BinaryIO,
    filename: str,
    description: str,
    max_bytes: int,
) -> EvidenceFile:
    """Store an uploaded file and link it to the case; the same content is linked once."""
    get_case(session, case_id)
    name = PurePath(filename.replace("\\", "/")).name.strip()
    if not name:
        raise ValidationFailed("缺少文件名", field="file")
    if len(description) > 500:
        raise ValidationFailed("说明不能超过 500 字", field="description")
    head = source.read(64)
    source.seek(0)
    media = sniff(head, name)
    if media is None:
        raise UnsupportedMedia(
            f"不支持的文件类型：{name}。允许：{ALLOWED_DESCRIPTION}", field="file"
        )
    blob = store.put_file(source, max_bytes)
    existing = repo.find(session, case_id, blob.sha256)
    if existing is not None:
        return existing
    item = EvidenceFile(
        case_id=case_id,
        sha256=blob.sha256,
        size_bytes=blob.size_bytes,
        media_type=media,
        original_name=name[:255],
        description=description,
        uploaded_by=actor.id,
    )
    session.add(item)
    session.flush()
    record(
        session,
        actor,
        "evidence.add",
        "evidence",
        item.id,
        case_id=case_id,
        details={"sha256": blob.sha256, "size_bytes": blob.size_bytes, "media_type": media},
    )
    return item


def uploaded_file(form: FormData) -> UploadFile:
    """The single file of an upload form, or a clear error naming the `file` field."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ValidationFailed("请选择要上传的文件", field="file")
    return upload


def read_whole(source: BinaryIO, max_bytes: int, what: str = "文件") -> bytes:
    """An upload read into memory whole (for files that must be checked before they are
    stored); an empty one is 422, one larger than `max_bytes` 413."""
    data = source.read(max_bytes + 1)
    if not data:
        raise ValidationFailed("上传的文件是空的", field="file")
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"{what}超过上限 {max_bytes // 1_048_576} MiB")
    return data


def get_file(session: Session, case_id: int, evidence_id: int) -> EvidenceFile:
    item = session.get(EvidenceFile, evidence_id)
    if item is None or item.case_id != case_id:
        raise NotFound("文件不存在")
    return item
