"""The bilingual interview record as a PDF for signature (fpdf2).

A4 portrait, one embedded CJK font (subset CFF outlines, see `fonts`), a running header
naming the case on every page, and a footer with the export line and 第 N 页 共 M 页.
Exchanges are printed as labelled blocks rather than a table so that a long answer can
run across pages.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, WrapMode, XPos, YPos

from interp_service.interviews import record_text as r
from interp_service.interviews.fonts import FontFace, find_cjk_font

FAMILY = "cjk"
MARGIN_MM = 18.0
FOOTER_MM = 26.0  # from the bottom edge: page signatures, export line, page number
LABEL_MM = 24.0
LINE_MM = 5.6
SMALL_MM = 4.2
GREY = (90, 90, 90)
BLACK = (0, 0, 0)
SHADE = (235, 235, 235)


# Chinese line-breaking rules (禁则): these never start a line, those never end one.
NO_LINE_START = frozenset("。，、；：？！）」』》〉】〕｝”’…—·．｜,.;:?!)]}%")
NO_LINE_END = frozenset("（「『《〈【〔｛“‘([{")


def _is_cjk(char: str) -> bool:
    return ord(char) >= 0x2E80


def _tokens(paragraph: str) -> list[str]:
    """Unbreakable pieces: a CJK character, or a Latin word with its trailing spaces;
    punctuation is glued to its neighbour so that the 禁则 hold."""
    pieces: list[str] = []
    for char in paragraph:
        joins_word = pieces and not _is_cjk(char) and not _is_cjk(pieces[-1][-1])
        if joins_word and (char == " " or pieces[-1][-1] != " "):
            pieces[-1] += char
        else:
            pieces.append(char)
    tokens: list[str] = []
    for piece in pieces:
        if tokens and (piece[0] in NO_LINE_START or tokens[-1][-1] in NO_LINE_END):
            tokens[-1] += piece
        else:
            tokens.append(piece)
    return tokens


def _split_long(pdf: FPDF, piece: str, width: float) -> list[str]:
    """A token wider than a line (a digest, a very long word) cut where it must be."""
    lines: list[str] = []
    while len(piece) > 1 and pdf.get_string_width(piece) > width:
        fits = (n for n in range(len(piece) - 1, 0, -1) if pdf.get_string_width(piece[:n]) <= width)
        cut = next(fits, 1)
        lines.append(piece[:cut])
        piece = piece[cut:]
    return [*lines, piece]


def wrap_lines(pdf: FPDF, text: str, width: float) -> list[str]:
    """Lines of ``text`` that fit ``width`` mm in the current font, breaking Chinese
    between characters and Latin (Miao, names) between words, keeping the 禁则."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _tokens(paragraph):
            if pdf.get_string_width((line + token).rstrip()) <= width:
                line += token
                continue
            if line.strip():
                lines.append(line.rstrip())
            *full, line = _split_long(pdf, token.lstrip() if line.strip() else token, width)
            lines.extend(full)
        lines.append(line.rstrip())
    return lines


class _RecordPDF(FPDF):
    def __init__(self, record: r.InterviewRecord, font: FontFace) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.record = record
        self.add_font(FAMILY, "", str(font.path), collection_font_number=font.index)
        bold = font.bold or font
        self.add_font(FAMILY, "B", str(bold.path), collection_font_number=bold.index)
        self.set_margins(MARGIN_MM, MARGIN_MM, MARGIN_MM)
        self.set_auto_page_break(auto=True, margin=FOOTER_MM + 3)
        self.alias_nb_pages("{nb}")

    def header(self) -> None:
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        running = f"{self.record.title}　案号 {r.clean(self.record.case_number)}"
        running += f"　{self.record.kind_label}编号 {r.clean(self.record.interview_id)}"
        self.cell(0, 5, running, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(*BLACK)
        self.ln(2)

    def footer(self) -> None:
        """Every page carries the party's and interpreter's signature (逐页签名), the
        export line and the page number."""
        self.set_y(-FOOTER_MM)
        self.set_font(FAMILY, size=9)
        self.cell(0, 7, r.PAGE_SIGNATURES, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)
        self.set_font(FAMILY, size=8)
        self.set_text_color(*GREY)
        self.cell(0, 4, r.footer_line(self.record), align=Align.C)
        self.ln(4)
        self.cell(0, 4, r.page_label(self.page_no(), "{nb}"), align=Align.C)
        self.set_text_color(*BLACK)

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit (keeps headings with text)."""
        if self.page_break_trigger - self.get_y() < height:
            self.add_page()

    def paragraph(
        self, text: str, *, size: float = 10.5, line: float = LINE_MM, grey: bool = False
    ) -> None:
        """Wrapped text from the current x to the right margin, then back to the left."""
        self.set_font(FAMILY, size=size)
        self.set_text_color(*(GREY if grey else BLACK))
        width = self.w - self.r_margin - self.get_x() - 2 * self.c_margin - 0.01
        wrapped = "\n".join(wrap_lines(self, text, width))
        self.multi_cell(
            0, line, wrapped, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        self.set_text_color(*BLACK)

    def labelled(self, label: str, value: str) -> None:
        self.set_font(FAMILY, "B", size=10.5)
        self.cell(LABEL_MM, LINE_MM, label)
        self.paragraph(value)

    def heading(self, text: str) -> None:
        self.keep(30)
        self.ln(3)
        self.set_font(FAMILY, "B", size=12)
        self.cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def small(self, text: str, indent: float = 0) -> None:
        self.set_x(self.l_margin + indent)
        self.paragraph(text, size=8, line=SMALL_MM, grey=True)


def _title_and_header(pdf: _RecordPDF, record: r.InterviewRecord) -> None:
    pdf.set_font(FAMILY, "B", size=18)
    pdf.cell(0, 11, record.title, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FAMILY, size=10)
    pdf.cell(0, 6, r.BILINGUAL, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(3)
    for label, value in r.header_rows(record):
        pdf.labelled(f"{label}：", value)
    pdf.ln(2)
    pdf.small(r.NOTICE)


BAR_MM = 6.5 + 0.8 + 1.5  # shaded bar with the spacing around it


def _exchange(pdf: _RecordPDF, record: r.InterviewRecord, exchange: r.ExchangeRecord) -> None:
    """One exchange, kept on one page when it fits on one."""
    body = [
        (f"{r.EXCHANGE_COLUMNS[3]}：", r.clean(exchange.source_text)),
        (f"{r.EXCHANGE_COLUMNS[4]}：", r.rendering_text(exchange) + r.rendering_by(exchange)),
    ]
    notes = r.exchange_notes(exchange)
    width = pdf.w - pdf.l_margin - pdf.r_margin - LABEL_MM - 2 * pdf.c_margin
    pdf.set_font(FAMILY, size=10.5)
    height = BAR_MM + LINE_MM * sum(len(wrap_lines(pdf, text, width)) for _, text in body)
    pdf.set_font(FAMILY, size=8)
    height += SMALL_MM * sum(len(wrap_lines(pdf, note, width)) for note in notes)
    usable = pdf.page_break_trigger - pdf.t_margin - 10
    pdf.keep(height if height <= usable else BAR_MM + 3 * LINE_MM)
    pdf.ln(1.5)
    pdf.set_fill_color(*SHADE)
    pdf.set_font(FAMILY, "B", size=10)
    bar = (
        f"{r.EXCHANGE_COLUMNS[0]} {exchange.sequence}　　"
        f"{r.EXCHANGE_COLUMNS[1]} {r.exchange_time(record, exchange)}　　"
        f"{r.EXCHANGE_COLUMNS[2]} {r.speaker_label(exchange)}"
    )
    pdf.cell(0, 6.5, bar, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(0.8)
    for label, text in body:
        pdf.labelled(label, text)
    for note in notes:
        pdf.small(note, indent=LABEL_MM)


def _audio(pdf: _RecordPDF, record: r.InterviewRecord) -> None:
    if record.segments:
        pdf.heading(f"录音转写（共 {len(record.segments)} 段）")
        for segment in record.segments:
            pdf.paragraph(r.segment_line(segment), size=10)
    if not record.audio_hashes:
        return
    pdf.heading("录音文件（SHA-256）")
    for number, digest in enumerate(record.audio_hashes, start=1):
        pdf.paragraph(f"{number}. {digest}", size=9)


def _statements(pdf: _RecordPDF, record: r.InterviewRecord) -> None:
    """The interpreters' declarations and the read-back statement."""
    for heading, lines in r.statement_sections(record):
        pdf.heading(heading)
        for line in lines:
            pdf.paragraph(line, size=10)


def _signatures(pdf: _RecordPDF, record: r.InterviewRecord) -> None:
    blocks = r.signature_blocks(record)
    pdf.keep(12 + len(blocks) * 3 * LINE_MM)
    pdf.heading("签名确认")
    pdf.small(r.closing_note(record))
    for role, name in blocks:
        pdf.ln(2.5)
        pdf.set_font(FAMILY, "B", size=10.5)
        pdf.cell(0, LINE_MM, r.signature_heading(role, name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FAMILY, size=10.5)
        half = (pdf.w - 2 * MARGIN_MM) / 2
        pdf.cell(half, LINE_MM * 1.6, r.SIGNATURE_NAME, align=Align.L)
        pdf.cell(half, LINE_MM * 1.6, r.SIGNATURE_DATE, align=Align.L)
        pdf.ln(LINE_MM * 1.6)


def render_pdf(record: r.InterviewRecord, font_path: str | Path | None = None) -> bytes:
    """The record as PDF bytes with the CJK font embedded (subset).

    ``font_path`` overrides the font search (see `fonts.find_cjk_font`); raises
    `fonts.FontNotFoundError` when no suitable font is installed.
    """
    font = find_cjk_font(font_path)
    pdf = _RecordPDF(record, font)
    pdf.set_title(f"{record.title} {r.clean(record.case_number)}")
    pdf.set_author(r.clean(record.exported_by))
    pdf.set_subject(r.clean(record.case_title))
    pdf.set_creator("interp-service")
    pdf.set_creation_date(record.exported_at)
    pdf.add_page()
    _title_and_header(pdf, record)
    pdf.heading(f"{record.kind_label}内容（共 {len(record.exchanges)} 句）")
    for exchange in record.ordered_exchanges():
        _exchange(pdf, record, exchange)
    _audio(pdf, record)
    _statements(pdf, record)
    _signatures(pdf, record)
    return bytes(pdf.output())
