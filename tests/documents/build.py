"""Word documents for the document-translation tests, built with python-docx, and ways to
read every paragraph back (body, tables at any depth, text boxes, all headers and footers).

Chinese only; any Miao is a zz-0001 placeholder.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from copy import deepcopy
from typing import Any

import docx
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.parts.hdrftr import FooterPart, HeaderPart
from lxml import etree  # type: ignore[import-untyped]

RENDERING = "【译文建议·"
MEMORY_SENTENCE = "你有权使用本民族语言文字进行诉讼。"
TERM_PARAGRAPH = "你可以申请取保候审。"
TEXT_BOX = "文本框里的提示文字。"
NESTED = "嵌套表格里的说明文字。"
HEADERS = {
    "header": "某某县人民检察院",
    "first_page_header": "首页页眉文字",
    "even_page_header": "偶数页页眉文字",
    "footer": "第二节页脚文字",
}
SECOND_SECTION_HEADER = "第二节页眉文字"

_TEXT_BOX_RUN = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    ' xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:200pt;height:40pt">'
    "<v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>"
    "</v:textbox></v:shape></w:pict></w:r>"
)


def notice_docx() -> bytes:
    """A 告知书: runs with bold, a numbered list, an empty paragraph, a line break, a table
    with a nested table and an empty cell, a text box, two sections with default,
    first-page and even-page headers and footers."""
    document = docx.Document()
    document.settings.odd_and_even_pages_header_footer = True
    document.add_heading("诉讼权利义务告知书", level=1)
    intro = document.add_paragraph()
    intro.add_run("犯罪嫌疑人：").bold = True
    intro.add_run("龙某某")
    document.add_paragraph(MEMORY_SENTENCE)
    document.add_paragraph("")  # empty: not translated
    document.add_paragraph("第一项权利。", style="List Number")
    document.add_paragraph("第二项权利。", style="List Number")
    broken = document.add_paragraph("第一行文字")
    broken.add_run().add_break(WD_BREAK.LINE)
    broken.add_run("第二行文字")
    document.add_paragraph("2026")  # no letters: not translated
    holder = document.add_paragraph("下面是文本框：")
    holder._p.append(parse_xml(_TEXT_BOX_RUN.format(text=TEXT_BOX)))
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "姓名"
    table.cell(0, 1).text = "龙某某"
    table.cell(1, 0).text = MEMORY_SENTENCE
    inner = table.cell(1, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = NESTED
    section = document.sections[0]
    section.different_first_page_header_footer = True
    section.header.paragraphs[0].text = HEADERS["header"]
    section.first_page_header.paragraphs[0].text = HEADERS["first_page_header"]
    section.even_page_header.paragraphs[0].text = HEADERS["even_page_header"]
    section.footer.paragraphs[0].text = TERM_PARAGRAPH
    second = document.add_section()
    second.header.is_linked_to_previous = False
    second.header.paragraphs[0].text = SECOND_SECTION_HEADER
    second.footer.is_linked_to_previous = False
    second.footer.paragraphs[0].text = HEADERS["footer"]
    document.add_paragraph("本告知书一式两份。")
    return save(document)


def save(document: Any) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def open_docx(data: bytes) -> Any:
    return docx.Document(io.BytesIO(data))


def stories(document: Any) -> Iterator[Any]:
    """The body, then each header part and each footer part (as translate_docx orders)."""
    yield document.element.body
    parts = list(document.part.package.iter_parts())
    for kind in (HeaderPart, FooterPart):
        yield from (p.element for p in parts if isinstance(p, kind))


def paragraphs(document: Any) -> list[Any]:
    return [p for story in stories(document) for p in story.iter(qn("w:p"))]


def text_of(paragraph: Any) -> str:
    """Text of the paragraph itself (a text box inside it excluded)."""
    skip = {qn("w:txbxContent")}
    parts: list[str] = []

    def walk(element: Any) -> None:
        for child in element:
            if child.tag in skip:
                continue
            if child.tag == qn("w:t"):
                parts.append(child.text or "")
            elif child.tag == qn("w:br"):
                parts.append("\n")
            walk(child)

    walk(paragraph)
    return "".join(parts)


def xml(element: Any) -> bytes:
    """Canonical XML of a paragraph without the renderings inserted in its text boxes."""
    copy = deepcopy(element)
    for inner in list(copy.iter(qn("w:p"))):
        if inner is not copy and is_rendering(inner):
            inner.getparent().remove(inner)
    return bytes(etree.tostring(copy, method="c14n"))


def is_rendering(paragraph: Any) -> bool:
    return text_of(paragraph).startswith(RENDERING)


def zip_of(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def bomb_docx(uncompressed_bytes: int) -> bytes:
    """A real DOCX plus one member of zeros that deflates about a thousandfold."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(notice_docx())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive,
    ):
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            chunk = bytes(1_048_576)
            for _ in range(uncompressed_bytes // len(chunk) + 1):
                member.write(chunk)
    return out.getvalue()
