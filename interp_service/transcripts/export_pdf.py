"""The bilingual transcript as a PDF (fpdf2), with the CJK font the interview record embeds
(`interviews.fonts`) and its line breaking (`interviews.export_pdf.wrap_lines`).

A4 portrait, 15 mm side margins, all lengths in mm. Every page's header names the case and
lists each source file with its SHA-256; the footer gives the generation time and
第 N 页 共 M 页. Segments form a four-column table (序号 / 说话人 / 原文 | 译文) drawn line
by line: a segment that fits on a page is kept whole, a longer one is split between lines
and continues under a repeated header row, so no text is ever cut off. Automatic page
breaks are off; every line checks the room left itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align

from interp_service.interviews.export_pdf import wrap_lines
from interp_service.interviews.fonts import FontFace, find_cjk_font
from interp_service.interviews.record import clean
from interp_service.transcripts import export_text as x
from interp_service.transcripts.shapes import ExportSegment, TranscriptExport

FAMILY = "cjk"
SIDE_MM = 15.0
HEAD_TOP_MM = 8.0
FOOTER_MM = 14.0  # from the bottom edge: generation line and page number
BODY_PT, BODY_MM = 10.0, 5.0  # font size, line height
SMALL_PT, SMALL_MM = 7.5, 3.7
HEAD_PT, HEAD_MM = 7.0, 3.3
PAD_MM = 1.2  # inside each table cell
HEADER_ROW_MM = 6.5
COLUMN_MM = (12.0, 30.0, 69.0, 69.0)  # 序号 说话人 原文 译文: the 180 mm text width
MIN_SPLIT_MM = 3 * BODY_MM  # a split segment leaves at least this much on its first page
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
SHADE = (235, 235, 235)
RULE = (160, 160, 160)


@dataclass(frozen=True)
class _Line:
    text: str
    small: bool = False
    bold: bool = False

    @property
    def height(self) -> float:
        return SMALL_MM if self.small else BODY_MM


class _TranscriptPDF(FPDF):
    def __init__(self, t: TranscriptExport, font: FontFace) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.t = t
        self.add_font(FAMILY, "", str(font.path), collection_font_number=font.index)
        bold = font.bold or font
        self.add_font(FAMILY, "B", str(bold.path), collection_font_number=bold.index)
        self.set_margins(SIDE_MM, SIDE_MM, SIDE_MM)
        self.c_margin = 0  # cells are padded by hand (PAD_MM)
        self.set_auto_page_break(auto=False, margin=FOOTER_MM + 4)
        self.alias_nb_pages("{nb}")
        self.in_table = False
        self.set_font(FAMILY, size=HEAD_PT)
        head = [x.running_head(t)]
        head += [x.source_line(n, s) for n, s in enumerate(t.sources, start=1)]
        self.head_lines = [line for text in head for line in wrap_lines(self, text, self.epw)]
        self.t_margin = HEAD_TOP_MM + len(self.head_lines) * HEAD_MM + 4

    def header(self) -> None:
        self.set_font(FAMILY, size=HEAD_PT)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, HEAD_TOP_MM)
        for line in self.head_lines:
            self.cell(self.epw, HEAD_MM, line)
            self.set_xy(self.l_margin, self.get_y() + HEAD_MM)
        self.set_draw_color(*RULE)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.set_draw_color(*BLACK)
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, self.t_margin)
        if self.in_table:
            self.table_header()

    def footer(self) -> None:
        self.set_font(FAMILY, size=SMALL_PT)
        self.set_text_color(*GREY)
        self.set_xy(self.l_margin, self.h - FOOTER_MM)
        self.cell(self.epw, 4, x.generated_line(self.t), align=Align.C)
        self.set_xy(self.l_margin, self.h - FOOTER_MM + 4.5)
        self.cell(self.epw, 4, x.page_label(self.page_no(), "{nb}"), align=Align.C)
        self.set_text_color(*BLACK)

    def room(self) -> float:
        return self.page_break_trigger - self.get_y()

    def paragraph(self, text: str, *, size: float, height: float, bold: bool = False) -> None:
        """Wrapped text across the full width, a new page before any line that would not fit."""
        self.set_font(FAMILY, "B" if bold else "", size=size)
        for line in wrap_lines(self, text, self.epw):
            if self.room() < height:
                self.add_page()
            self.cell(self.epw, height, line)
            self.set_xy(self.l_margin, self.get_y() + height)

    def table_header(self) -> None:
        self.set_font(FAMILY, "B", size=BODY_PT)
        self.set_fill_color(*SHADE)
        left = self.l_margin
        for width, title in zip(COLUMN_MM, x.COLUMNS, strict=True):
            self.set_xy(left, self.get_y())
            self.cell(width, HEADER_ROW_MM, title, border=1, fill=True, align=Align.C)
            left += width
        self.set_xy(self.l_margin, self.get_y() + HEADER_ROW_MM)

    def wrap(self, text: str, width: float, *, small: bool = False) -> list[_Line]:
        self.set_font(FAMILY, size=SMALL_PT if small else BODY_PT)
        return [_Line(line, small=small) for line in wrap_lines(self, text, width - 2 * PAD_MM)]

    def draw_chunk(self, columns: list[list[_Line]], height: float) -> None:
        """One row (or the part of a row on this page) `height` mm tall, borders included."""
        top, left = self.get_y(), self.l_margin
        for width, lines in zip(COLUMN_MM, columns, strict=True):
            y = top + PAD_MM
            for line in lines:
                self.set_font(FAMILY, "B" if line.bold else "", SMALL_PT if line.small else BODY_PT)
                self.set_text_color(*(GREY if line.small else BLACK))
                self.set_xy(left + PAD_MM, y)
                self.cell(width - 2 * PAD_MM, line.height, line.text)
                y += line.height
            self.rect(left, top, width, height)
            left += width
        self.set_text_color(*BLACK)
        self.set_xy(self.l_margin, top + height)


def _columns(pdf: _TranscriptPDF, t: TranscriptExport, s: ExportSegment) -> list[list[_Line]]:
    speaker = pdf.wrap(x.speaker(t, s), COLUMN_MM[1])
    if when := x.times(s):
        speaker += pdf.wrap(when, COLUMN_MM[1], small=True)
    texts = []
    for target, text, width in (
        (False, s.source_text, COLUMN_MM[2]),
        (True, s.target_text, COLUMN_MM[3]),
    ):
        lines = pdf.wrap(x.text_or_blank(text, target=target), width)
        texts.append(lines + pdf.wrap(x.mark(s, target=target), width, small=True))
    return [pdf.wrap(str(s.sequence), COLUMN_MM[0]), speaker, *texts]


def _taken(lines: list[_Line], room: float) -> int:
    """How many of `lines` fit in `room` mm."""
    used, count = 0.0, 0
    for line in lines:
        if used + line.height > room + 1e-6:
            break
        used, count = used + line.height, count + 1
    return count


def _segment(pdf: _TranscriptPDF, t: TranscriptExport, s: ExportSegment) -> None:
    columns = _columns(pdf, t, s)
    full_page = pdf.page_break_trigger - pdf.t_margin - HEADER_ROW_MM - 2 * PAD_MM
    first = True
    while True:
        need = max(sum(line.height for line in lines) for lines in columns)
        room = pdf.room() - 2 * PAD_MM
        if need <= room:
            pdf.draw_chunk(columns, need + 2 * PAD_MM)
            return
        if (first and need <= full_page) or room < MIN_SPLIT_MM:
            pdf.add_page()  # keeps a segment that fits on one page whole
            continue
        counts = [_taken(lines, room) for lines in columns]
        pdf.draw_chunk([lines[:n] for lines, n in zip(columns, counts, strict=True)], pdf.room())
        columns = [lines[n:] for lines, n in zip(columns, counts, strict=True)]
        columns[0] = [_Line(str(s.sequence)), _Line("（续）", small=True)]
        if not columns[1]:
            columns[1] = pdf.wrap(x.speaker(t, s), COLUMN_MM[1])
        first = False
        pdf.add_page()


def transcript_pdf(t: TranscriptExport, font_path: str | Path | None = None) -> bytes:
    """The transcript as PDF bytes with the CJK font embedded (subset).

    ``font_path`` overrides the font search (`interviews.fonts.find_cjk_font`), which
    raises `FontNotFoundError` when no suitable font is installed; ValueError on data that
    would print untrue (`export_text.check`).
    """
    x.check(t)
    pdf = _TranscriptPDF(t, find_cjk_font(font_path))
    pdf.set_title(f"{x.TITLE} {clean(t.case_number)}")
    pdf.set_subject(clean(t.case_title))
    pdf.set_creator("interp-service")
    pdf.set_creation_date(x.generated_at(t))
    pdf.add_page()
    pdf.set_font(FAMILY, "B", size=18)
    pdf.cell(pdf.epw, 10, x.TITLE, align=Align.C)
    pdf.set_xy(pdf.l_margin, pdf.get_y() + 10)
    pdf.paragraph(f"（{x.SUBTITLE}）", size=9, height=4.6)
    pdf.set_y(pdf.get_y() + 2)
    for line in x.header_lines(t):
        pdf.paragraph(line, size=BODY_PT, height=BODY_MM)
    for number, source in enumerate(t.sources, start=1):
        pdf.paragraph(x.source_name(number, source), size=8.5, height=4.2)
        pdf.paragraph(f"　　SHA-256：{source.sha256}", size=8.5, height=4.2)
    pdf.set_y(pdf.get_y() + 1.5)
    pdf.set_text_color(*GREY)
    pdf.paragraph(x.NOTICE, size=SMALL_PT, height=SMALL_MM)
    pdf.set_text_color(*BLACK)
    pdf.set_y(pdf.get_y() + 3)
    pdf.paragraph(f"笔录内容（共 {len(t.segments)} 段）", size=12, height=7, bold=True)
    if pdf.room() < HEADER_ROW_MM + BODY_MM + 2 * PAD_MM:
        pdf.add_page()
    pdf.in_table = True
    pdf.table_header()
    for segment in x.ordered(t):
        _segment(pdf, t, segment)
    return bytes(pdf.output())
