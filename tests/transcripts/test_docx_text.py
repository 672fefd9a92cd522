"""Text of a Word (.docx) transcript, and refusals of non-documents and zip bombs."""

from __future__ import annotations

import io
import struct
import zipfile

import docx
import pytest

from interp_service.errors import AppError, PayloadTooLarge, UnsupportedMedia
from interp_service.transcripts.docx_text import read_docx

BUDGET = 1_000_000
BOMB_SIZE = 20_000_000


def _document() -> bytes:
    document = docx.Document()
    document.add_paragraph("讯问笔录（草稿）")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "问"
    table.cell(0, 1).text = "你叫什么名字？"
    table.cell(1, 0).text = "答"
    table.cell(1, 1).text = "zz-0001"
    document.add_paragraph("以上笔录我已看过，和我说的相符。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _refused(data: bytes, kind: type[AppError]) -> str:
    with pytest.raises(kind) as caught:
        read_docx(data, BUDGET)
    assert caught.value.field == "file"
    return caught.value.detail


def test_paragraphs_and_table_cells_in_document_order() -> None:
    assert read_docx(_document(), BUDGET) == (
        "讯问笔录（草稿）\n问\n你叫什么名字？\n答\nzz-0001\n以上笔录我已看过，和我说的相符。"
    )


def test_not_a_zip() -> None:
    detail = _refused("问：你叫什么名字？".encode(), UnsupportedMedia)
    assert detail == "不是有效的 Word（.docx）文档"


def test_a_zip_that_is_not_a_word_document() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("notes.txt", "问：你叫什么名字？")
    assert _refused(out.getvalue(), UnsupportedMedia) == "不是有效的 Word（.docx）文档"


def _bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"\x00" * BOMB_SIZE)
    return out.getvalue()


def test_zip_bomb_declaring_its_size() -> None:
    data = _bomb()
    assert len(data) < 100_000
    assert _refused(data, PayloadTooLarge) == "文件解压后过大，可能不是正常的 Word 文档"


def _understate_sizes(data: bytes, declared: int) -> bytes:
    """The archive with every uncompressed size in its local headers and central directory
    replaced by `declared`."""
    patched = bytearray(data)
    offset = 0
    while (offset := patched.find(b"PK\x03\x04", offset)) != -1:
        struct.pack_into("<I", patched, offset + 22, declared)
        offset += 4
    offset = 0
    while (offset := patched.find(b"PK\x01\x02", offset)) != -1:
        struct.pack_into("<I", patched, offset + 24, declared)
        offset += 4
    return bytes(patched)


def test_zip_bomb_lying_about_its_size() -> None:
    data = _understate_sizes(_bomb(), 1000)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(info.file_size for info in archive.infolist()) == 2000
    assert _refused(data, PayloadTooLarge) == "文件解压后过大，可能不是正常的 Word 文档"
