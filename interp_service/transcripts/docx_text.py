"""The text of a Word (.docx) transcript: body paragraphs and table cells in document order.

Before python-docx parses anything, the ZIP container is measured: its member count, the
sum of the uncompressed sizes its directory declares, and the bytes that really come out
when every member is decompressed (read in chunks, stopping as soon as the budget is
passed), so a small file that inflates to gigabytes is refused early and the parse that
follows decompresses no more than what was measured.

Output: one line per paragraph (a paragraph's own line breaks kept), a table cell's
paragraphs one per line, cells in row order, nested tables and content controls walked in
place; headers, footers, footnotes and comments are not read.
"""

from __future__ import annotations

import copy
import io
import zipfile
from collections.abc import Iterator
from typing import Any

import docx
from docx.document import Document
from docx.opc.exceptions import OpcError
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import etree  # type: ignore[import-untyped]

from interp_service.errors import PayloadTooLarge, UnsupportedMedia

__all__ = ["MAX_MEMBERS", "read_docx"]

MAX_MEMBERS = 2000
"""A Word document has a few dozen parts; more than this many is not a normal one."""
_CHUNK = 64 * 1024
_NOT_DOCX = "不是有效的 Word（.docx）文档"
_TOO_LARGE = "文件解压后过大，可能不是正常的 Word 文档"


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(_TOO_LARGE, field="file")


def _not_docx() -> UnsupportedMedia:
    return UnsupportedMedia(_NOT_DOCX, field="file")


def _check_size(data: bytes, max_uncompressed_bytes: int) -> None:
    """Raise unless the archive's members decompress to at most the budget (bytes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS:
                raise _too_large()
            if sum(member.file_size for member in members) > max_uncompressed_bytes:
                raise _too_large()
            total = 0
            for member in members:
                # Declared sizes can lie, and zipfile stops at the declared size (and then
                # fails the CRC): read as if the member could pass the budget by two chunks,
                # so what really comes out is counted past the budget before that stop.
                probe = copy.copy(member)
                probe.file_size = max_uncompressed_bytes + 2 * _CHUNK
                with archive.open(probe) as stream:
                    while chunk := stream.read(_CHUNK):
                        total += len(chunk)
                        if total > max_uncompressed_bytes:
                            raise _too_large()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError):
        raise _not_docx() from None
    except (RuntimeError, NotImplementedError):  # encrypted, or an unknown compression
        raise _not_docx() from None


def _texts(element: Any, parent: Document) -> Iterator[str]:
    for child in element.iterchildren():
        if child.tag == qn("w:p"):
            yield Paragraph(child, parent).text
        elif child.tag == qn("w:tbl"):
            for row in child.iterchildren(qn("w:tr")):
                for cell in row.iterchildren(qn("w:tc")):
                    yield from _texts(cell, parent)
        elif child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _texts(content, parent)


def read_docx(data: bytes, max_uncompressed_bytes: int) -> str:
    """The document's text (see the module docstring), lines joined with "\\n".

    Raises UnsupportedMedia (415) 「不是有效的 Word（.docx）文档」 when the bytes are not a
    ZIP or not a Word document, and PayloadTooLarge (413) 「文件解压后过大，可能不是正常的
    Word 文档」 when the members declare or inflate to more than `max_uncompressed_bytes`
    in all, or number more than MAX_MEMBERS; both with field="file".
    """
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise _not_docx()
    _check_size(data, max_uncompressed_bytes)
    try:
        document = docx.Document(io.BytesIO(data))
        return "\n".join(_texts(document.element.body, document))
    except (OpcError, zipfile.BadZipFile, KeyError, ValueError, etree.LxmlError):
        raise _not_docx() from None
