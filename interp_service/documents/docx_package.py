"""Opening an uploaded Word document safely: a DOCX is a ZIP archive, so its sizes are
checked (declared, then actually decompressed) before python-docx parses any of it.

Sizes are in bytes.
"""

from __future__ import annotations

import zipfile
from io import BytesIO
from typing import Any

from docx import Document

from interp_service.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed

EMPTY = "上传的文件是空的"
NOT_DOCX = "不是有效的 Word（.docx）文档"
OLD_DOC = "不是有效的 Word（.docx）文档：这是旧版 .doc 格式，请在 Word 中另存为 .docx 后再上传"
TOO_LARGE = "文件解压后过大，可能不是正常的 Word 文档"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .doc (and .xls, .ppt)
MAX_ENTRIES = 10_000
_CHUNK = 1_048_576


def check_archive(data: bytes, max_uncompressed_bytes: int) -> None:
    """Refuse empty input (422), anything that is not a readable ZIP archive (415), and
    archives whose members declare, or really decompress to, more than
    `max_uncompressed_bytes` together (413); the same answers as transcript uploads."""
    if not data:
        raise ValidationFailed(EMPTY, field="file")
    if data.startswith(OLE_MAGIC):
        raise UnsupportedMedia(OLD_DOC, field="file")
    if not data.startswith(ZIP_MAGIC):
        raise UnsupportedMedia(NOT_DOCX, field="file")
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_ENTRIES:
                raise PayloadTooLarge(TOO_LARGE, field="file")
            if sum(m.file_size for m in members) > max_uncompressed_bytes:
                raise PayloadTooLarge(TOO_LARGE, field="file")
            # The declared sizes are the archive's word; decompress to be sure they hold.
            total = 0
            for member in members:
                if member.is_dir():
                    continue
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > max_uncompressed_bytes:
                            raise PayloadTooLarge(TOO_LARGE, field="file")
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        OSError,
        ValueError,
    ):
        # Corrupt, truncated, encrypted or using an unknown compression method.
        raise UnsupportedMedia(NOT_DOCX, field="file") from None


def open_docx(data: bytes, max_uncompressed_bytes: int) -> Any:
    """The python-docx Document of `data`, after `check_archive`."""
    check_archive(data, max_uncompressed_bytes)
    try:
        return Document(BytesIO(data))
    except Exception:  # any failure to read the user's file means it is not a usable DOCX
        raise UnsupportedMedia(NOT_DOCX, field="file") from None
