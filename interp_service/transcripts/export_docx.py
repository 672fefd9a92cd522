"""The bilingual transcript as a Word document (python-docx).

A4 portrait, 20 mm margins; 宋体 for Chinese, Times New Roman for Latin (the Miao
orthography). The header of every page names the case and lists each source file with its
SHA-256; the footer carries the generation time and 第 N 页 共 M 页 as Word PAGE/NUMPAGES
fields. Segments form a four-column table (序号 / 说话人 / 原文 / 译文) whose header row
repeats on every page; under each text a grey line gives its language, provenance and
whether it was reviewed.
"""

from __future__ import annotations

import io

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from interp_service.interviews.record import clean
from interp_service.transcripts import export_text as x
from interp_service.transcripts.shapes import TranscriptExport

CJK_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MONO_FONT = "Courier New"
BODY_PT = 10.5
SMALL_PT = 8
HASH_PT = 7
GREY = RGBColor(0x59, 0x59, 0x59)
COLUMN_MM = (12, 30, 64, 64)  # 序号 说话人 原文 译文: the 170 mm text width


def _run(
    paragraph: Paragraph,
    text: str,
    *,
    bold: bool = False,
    size: float = BODY_PT,
    grey: bool = False,
    mono: bool = False,
) -> Run:
    run = paragraph.add_run(text)
    run.font.name = MONO_FONT if mono else LATIN_FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    run.font.size = Pt(size)
    run.bold = bold
    if grey:
        run.font.color.rgb = GREY
    return run


def _field(paragraph: Paragraph, code: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when printing;
    `placeholder` is what shows until they do."""
    begin = _run(paragraph, "", size=SMALL_PT, grey=True)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "begin")
    begin._element.append(char)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    begin._element.append(instr)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "separate")
    begin._element.append(char)
    _run(paragraph, placeholder, size=SMALL_PT, grey=True)
    end = _run(paragraph, "", size=SMALL_PT, grey=True)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._element.append(char)


def _page_setup(document: DocxDocument, t: TranscriptExport) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    running = section.header.paragraphs[0]
    running.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _run(running, x.running_head(t), size=SMALL_PT, grey=True)
    for number, source in enumerate(t.sources, start=1):
        line = section.header.add_paragraph()
        line.paragraph_format.space_after = Pt(0)
        _run(line, x.source_line(number, source), size=HASH_PT, grey=True, mono=True)
    export = section.footer.paragraphs[0]
    export.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(export, x.generated_line(t), size=SMALL_PT, grey=True)
    pages = section.footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(pages, "第 ", size=SMALL_PT, grey=True)
    _field(pages, "PAGE", "1")
    _run(pages, " 页 共 ", size=SMALL_PT, grey=True)
    _field(pages, "NUMPAGES", "1")
    _run(pages, " 页", size=SMALL_PT, grey=True)


def _text(cell: _Cell, text: str, *, first: bool, bold: bool = False) -> None:
    for index, line in enumerate(text.split("\n")):
        paragraph = cell.paragraphs[0] if first and index == 0 else cell.add_paragraph()
        _run(paragraph, line, bold=bold)


def _small(cell: _Cell, text: str) -> None:
    _run(cell.add_paragraph(), text, size=SMALL_PT, grey=True)


def _repeat_header(table: Table) -> None:
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row_pr.append(marker)


def _segments(document: DocxDocument, t: TranscriptExport) -> None:
    table = document.add_table(rows=1, cols=len(x.COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, x.COLUMNS, strict=True):
        _text(cell, title, first=True, bold=True)
    _repeat_header(table)
    for segment in x.ordered(t):
        cells = table.add_row().cells
        _text(cells[0], str(segment.sequence), first=True)
        _text(cells[1], x.speaker(t, segment), first=True)
        if when := x.times(segment):
            _small(cells[1], when)
        _text(cells[2], x.text_or_blank(segment.source_text, target=False), first=True)
        _small(cells[2], x.mark(segment, target=False))
        _text(cells[3], x.text_or_blank(segment.target_text, target=True), first=True)
        _small(cells[3], x.mark(segment, target=True))
    for index, width in enumerate(COLUMN_MM):
        table.columns[index].width = Mm(width)
        for row in table.rows:
            row.cells[index].width = Mm(width)


def transcript_docx(t: TranscriptExport) -> bytes:
    """The transcript as .docx bytes. Raises ValueError on data that would print untrue
    (see `export_text.check`)."""
    x.check(t)
    document = Document()
    properties = document.core_properties
    properties.title = f"{x.TITLE} {clean(t.case_number)}"
    properties.subject = clean(t.case_title)
    properties.created = properties.modified = x.generated_at(t)
    _page_setup(document, t)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, x.TITLE, bold=True, size=18)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, f"（{x.SUBTITLE}）", size=10)
    for line in x.header_lines(t):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        label, sep, value = line.partition("：")
        _run(paragraph, label + sep, bold=bool(sep))
        _run(paragraph, value)
    for number, source in enumerate(t.sources, start=1):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        _run(paragraph, x.source_name(number, source), size=9).add_break()
        _run(paragraph, f"SHA-256：{source.sha256}", size=9, mono=True)
    _run(document.add_paragraph(), x.NOTICE, size=SMALL_PT, grey=True)
    heading = document.add_paragraph()
    heading.paragraph_format.space_before = Pt(10)
    heading.paragraph_format.keep_with_next = True
    _run(heading, f"笔录内容（共 {len(t.segments)} 段）", bold=True, size=12)
    _segments(document, t)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
