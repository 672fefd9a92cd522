"""The bilingual interview record as a Word document (python-docx) for signature.

A4 portrait; body text in 宋体 (SimSun) for Chinese and Times New Roman for Latin (the
Miao orthography); the exchanges as a table whose header row repeats on every page, each
exchange followed by a merged small-print row with the tool's suggestion and provenance.
The footer carries the export line and 第 N 页 共 M 页 as Word PAGE/NUMPAGES fields.
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

from interp_service.interviews import record_text as r

CJK_FONT = "宋体"
LATIN_FONT = "Times New Roman"
MONO_FONT = "Courier New"
BODY_PT = 10.5
SMALL_PT = 8
GREY = RGBColor(0x59, 0x59, 0x59)
COLUMN_MM = (11, 20, 27, 56, 56)  # 序号 时间 说话人 原话 译员译文: 170 mm text width


def _set_fonts(run: Run, latin: str = LATIN_FONT) -> None:
    run.font.name = latin
    r_pr = run._element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)


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
    _set_fonts(run, MONO_FONT if mono else LATIN_FONT)
    run.font.size = Pt(size)
    run.bold = bold
    if grey:
        run.font.color.rgb = GREY
    return run


def _field(paragraph: Paragraph, code: str, placeholder: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice fill in when printing."""
    run = _run(paragraph, "", size=SMALL_PT, grey=True)
    for kind, text in (("begin", None), ("instr", f" {code} "), ("separate", None)):
        if kind == "instr":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._element.append(instr)
        else:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._element.append(char)
    _run(paragraph, placeholder, size=SMALL_PT, grey=True)
    end = _run(paragraph, "", size=SMALL_PT, grey=True)
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), "end")
    end._element.append(char)


def _page_setup(document: DocxDocument, record: r.InterviewRecord) -> None:
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    normal = document.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(BODY_PT)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    header = section.header.paragraphs[0]
    header.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    running = f"{record.title}　案号 {r.clean(record.case_number)}"
    _run(
        header,
        f"{running}　{record.kind_label}编号 {r.clean(record.interview_id)}",
        size=SMALL_PT,
        grey=True,
    )
    signatures = section.footer.paragraphs[0]  # 逐页签名: every page is signed
    signatures.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    signatures.paragraph_format.space_after = Pt(4)
    _run(signatures, r.PAGE_SIGNATURES, size=9)
    export = section.footer.add_paragraph()
    export.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(export, r.footer_line(record), size=SMALL_PT, grey=True)
    pages = section.footer.add_paragraph()
    pages.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(pages, "第 ", size=SMALL_PT, grey=True)
    _field(pages, "PAGE", "1")
    _run(pages, " 页 共 ", size=SMALL_PT, grey=True)
    _field(pages, "NUMPAGES", "1")
    _run(pages, " 页", size=SMALL_PT, grey=True)


def _heading(document: DocxDocument, text: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_before = Pt(10)
    paragraph.paragraph_format.keep_with_next = True
    _run(paragraph, text, bold=True, size=12)


def _cell_text(
    cell: _Cell, text: str, *, bold: bool = False, size: float = BODY_PT, grey: bool = False
) -> None:
    for index, line in enumerate(r.clean(text).split("\n")):
        paragraph = cell.paragraphs[0] if index == 0 else cell.add_paragraph()
        _run(paragraph, line, bold=bold, size=size, grey=grey)


def _repeat_header(table: Table) -> None:
    row_pr = table.rows[0]._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row_pr.append(marker)


def _exchanges(document: DocxDocument, record: r.InterviewRecord) -> None:
    table = document.add_table(rows=1, cols=len(r.EXCHANGE_COLUMNS))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, title in zip(table.rows[0].cells, r.EXCHANGE_COLUMNS, strict=True):
        _cell_text(cell, title, bold=True)
    _repeat_header(table)
    for exchange in record.ordered_exchanges():
        cells = table.add_row().cells
        _cell_text(cells[0], str(exchange.sequence))
        _cell_text(cells[1], r.exchange_time(record, exchange))
        _cell_text(cells[2], r.speaker_label(exchange))
        _cell_text(cells[3], exchange.source_text)
        _cell_text(cells[4], r.rendering_text(exchange))
        if by := r.rendering_by(exchange):
            _run(cells[4].add_paragraph(), by, size=SMALL_PT, grey=True)
        note = table.add_row().cells
        merged = note[0].merge(note[-1])
        first, *more = r.exchange_notes(exchange)
        _cell_text(merged, first, size=SMALL_PT, grey=True)
        for line in more:
            _run(merged.add_paragraph(), line, size=SMALL_PT, grey=True)
    for index, width in enumerate(COLUMN_MM):
        table.columns[index].width = Mm(width)
        for row in table.rows:
            row.cells[index].width = Mm(width)


def _signatures(document: DocxDocument, record: r.InterviewRecord) -> None:
    _heading(document, "签名确认")
    intro = document.add_paragraph()
    _run(intro, r.closing_note(record), size=SMALL_PT, grey=True)
    for role, name in r.signature_blocks(record):
        title = document.add_paragraph()
        title.paragraph_format.space_before = Pt(12)
        title.paragraph_format.keep_with_next = True
        _run(title, r.signature_heading(role, name), bold=True)
        line = document.add_paragraph()
        line.paragraph_format.keep_together = True
        _run(line, f"{r.SIGNATURE_NAME}　　{r.SIGNATURE_DATE}")


def render_docx(record: r.InterviewRecord) -> bytes:
    """The record as .docx bytes."""
    document = Document()
    properties = document.core_properties
    properties.title = f"{record.title} {r.clean(record.case_number)}"
    properties.author = r.clean(record.exported_by)
    properties.subject = r.clean(record.case_title)
    properties.created = properties.modified = record.exported_at
    _page_setup(document, record)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(title, record.title, bold=True, size=18)
    subtitle = document.add_paragraph()
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(subtitle, r.BILINGUAL, size=10)
    for label, value in r.header_rows(record):
        paragraph = document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(2)
        _run(paragraph, f"{label}：", bold=True)
        _run(paragraph, value)
    _run(document.add_paragraph(), r.NOTICE, size=SMALL_PT, grey=True)
    _heading(document, f"{record.kind_label}内容（共 {len(record.exchanges)} 句）")
    _exchanges(document, record)
    if record.segments:
        _heading(document, f"录音转写（共 {len(record.segments)} 段）")
        for segment in record.segments:
            _run(document.add_paragraph(), r.segment_line(segment), size=10)
    if record.audio_hashes:
        _heading(document, "录音文件（SHA-256）")
        for number, digest in enumerate(record.audio_hashes, start=1):
            _run(document.add_paragraph(), f"{number}. {digest}", size=9, mono=True)
    for heading, lines in r.statement_sections(record):
        _heading(document, heading)
        for line in lines:
            _run(document.add_paragraph(), line, size=10)
    _signatures(document, record)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
