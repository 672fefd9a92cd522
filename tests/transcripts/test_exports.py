"""Bilingual transcript exports (DOCX, PDF, SRT, VTT, JSON) from a hand-built export.

Source text is Chinese; Miao is never invented: targets are placeholders (zz-0001 …).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import replace
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from docx.oxml.ns import qn

from interp_service.errors import ValidationFailed
from interp_service.interviews.fonts import FontFace, FontNotFoundError, find_cjk_font
from interp_service.transcripts import export_pdf as p
from interp_service.transcripts import export_text as x
from interp_service.transcripts.export_docx import transcript_docx
from interp_service.transcripts.export_pdf import transcript_pdf
from interp_service.transcripts.export_subtitles import (
    NO_TIMES,
    transcript_from_json,
    transcript_json,
    transcript_srt,
    transcript_vtt,
)
from interp_service.transcripts.shapes import ExportSegment, ExportSource, TranscriptExport

SOURCES = [
    ExportSource("2026-12-01讯问录音.wav", hashlib.sha256(b"audio-1").hexdigest(), "audio/wav"),
    ExportSource("讯问笔录原稿.docx", hashlib.sha256(b"text-1").hexdigest(), "application/docx"),
]
LONG = 10  # the segment that runs over pages
NO_TARGET = 20
ROLES = [("interviewer", ""), ("party", "李某"), ("interviewer", "问"), ("interpreter", "")]
TOPICS = ["案发当天的行踪", "与被害人的关系", "赃物的去向", "在场人员", "事后的联系"]
TARGET_PROVENANCES = ["memory", "model", "gloss", "human"]


def _long_source() -> str:
    return "".join(
        f"【长段第{k}句】被讯问人陈述当天晚上在村口与他人发生争执的经过，并说明在场人员。"
        for k in range(60)
    )


def _segment(i: int) -> ExportSegment:
    role, label = ROLES[i % len(ROLES)]
    source = f"第{i}段：请你说明{TOPICS[i % len(TOPICS)]}，不要遗漏。"
    target = f"zz-{i:04d} zz-{i + 500:04d}"
    target_provenance = TARGET_PROVENANCES[i % len(TARGET_PROVENANCES)]
    start: float | None = i * 7.5 + 0.125
    end: float | None = i * 7.5 + 6.25
    if i == LONG:
        source = _long_source()
        target = " ".join(f"zz-{1000 + k:04d}" for k in range(300))
        target_provenance = "model"
    if i == NO_TARGET:
        target, target_provenance = "", "none"
    if i == 5:
        start = end = None
    if i == 6:
        end = None
    if i == 33:
        role, label = "unknown", "张三"
    return ExportSegment(
        sequence=i,
        speaker_label=label,
        speaker_role=role,
        source_language="cmn",
        source_text=source,
        source_provenance="speech" if i % 3 == 0 else "human",
        target_language="mmr",
        target_text=target,
        target_provenance=target_provenance,
        reviewed=i % 2 == 0,
        start_s=start,
        end_s=end,
    )


def make_export(segments: int = 45) -> TranscriptExport:
    return TranscriptExport(
        case_number="湘花检刑诉〔2026〕17号",
        case_title="李某盗窃案",
        interview_label="2026-12-01 讯问 第1次",
        participants=["讯问人：王某", "当事人：李某（苗语）"],
        interpreter="译员：张某（外聘）",
        sources=SOURCES,
        # Stored out of order: every export prints by sequence.
        segments=[_segment(i) for i in reversed(range(1, segments + 1))],
        generated_at="2026-12-01T08:30:00+00:00",
    )


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


# --- DOCX -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def docx_document() -> DocxDocument:
    return Document(io.BytesIO(transcript_docx(make_export())))


def test_docx_table_prints_every_segment_with_its_marks(docx_document: DocxDocument) -> None:
    (table,) = docx_document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["序号", "说话人", "原文", "译文"]
    assert [row[0] for row in rows[1:]] == [str(i) for i in range(1, 46)]
    by_number = {int(row[0]): row for row in rows[1:]}
    first = by_number[1]
    assert first[1] == "当事人（李某）\n00:07–00:13"
    assert first[2] == "第1段：请你说明与被害人的关系，不要遗漏。\n汉语普通话　来源：人工　未核对"
    assert first[3] == "zz-0001 zz-0501\n湘西苗语（西部）　来源：机器翻译　未核对"
    assert by_number[2][1] == "讯问人（问）\n00:15–00:21"
    assert by_number[4][1].startswith("讯问人\n")
    assert by_number[5][1] == "当事人（李某）"  # no times, none printed
    assert by_number[6][1].endswith("00:45 起")
    assert by_number[33][1].startswith("张三（身份未确认）")
    assert by_number[NO_TARGET][3] == "（暂无译文）\n湘西苗语（西部）　来源：无　已核对"
    assert by_number[LONG][2].startswith(_long_source())
    marks = "".join(row[2] + row[3] for row in rows[1:])
    for label in ("翻译记忆", "机器翻译", "词表逐词", "人工", "语音识别", "无"):
        assert f"来源：{label}" in marks
    assert "已核对" in marks and "未核对" in marks


def test_docx_every_page_has_hashes_and_page_fields(docx_document: DocxDocument) -> None:
    (section,) = docx_document.sections
    assert not section.different_first_page_header_footer
    assert not docx_document.settings.odd_and_even_pages_header_footer
    header = "\n".join(paragraph.text for paragraph in section.header.paragraphs)
    for source in SOURCES:
        assert f"{source.original_name}　SHA-256：{source.sha256}" in header
    assert "湘花检刑诉〔2026〕17号" in header
    footer = section.footer._element
    fields = [node.text.strip() for node in footer.iter(qn("w:instrText"))]
    assert fields == ["PAGE", "NUMPAGES"]
    types = [node.get(qn("w:fldCharType")) for node in footer.iter(qn("w:fldChar"))]
    assert types == ["begin", "separate", "end"] * 2
    pages = section.footer.paragraphs[-1].text
    assert re.fullmatch(r"第 1 页 共 1 页", pages)  # placeholders until Word counts
    assert "北京时间" in section.footer.paragraphs[0].text
    body = "\n".join(paragraph.text for paragraph in docx_document.paragraphs)
    assert "双语笔录" in body and "译员：张某（外聘）" in body and "当事人：李某（苗语）" in body


# --- PDF --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cjk_font() -> FontFace:
    try:
        return find_cjk_font()
    except FontNotFoundError as error:
        pytest.skip(f"no CJK font installed (Debian package fonts-noto-cjk): {error}")


@pytest.fixture(scope="module")
def pdf_bytes(cjk_font: FontFace) -> bytes:
    return transcript_pdf(make_export(), font_path=cjk_font.path)


def _pages(data: bytes) -> list[pdfium.PdfPage]:
    return list(pdfium.PdfDocument(data))


def _column_text(page: pdfium.PdfPage, column: int) -> str:
    """Text inside one table column below its header row and above the footer."""
    textpage = page.get_textpage()
    searcher = textpage.search("序号")
    top = None
    while (found := searcher.get_next()) is not None:
        _, bottom, _, _ = textpage.get_charbox(found[0])
        top = bottom - 1  # just below the header row's text
    assert top is not None, "every page with the table repeats its header row"
    mm = 72 / 25.4
    left = (p.SIDE_MM + sum(p.COLUMN_MM[:column])) * mm
    right = left + p.COLUMN_MM[column] * mm
    floor = (p.FOOTER_MM + 1) * mm
    return squash(textpage.get_text_bounded(left + 0.5, floor, right - 0.5, top))


def test_pdf_every_page_has_hashes_and_page_numbers(pdf_bytes: bytes) -> None:
    pages = [page.get_textpage().get_text_range() for page in _pages(pdf_bytes)]
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert x.page_label(number, len(pages)) in text
        for source in SOURCES:
            assert source.sha256 in squash(text), (number, source.original_name)
            assert squash(source.original_name) in squash(text)


def test_pdf_columns_hold_every_text_in_order_with_nothing_cut(pdf_bytes: bytes) -> None:
    pages = _pages(pdf_bytes)
    t = make_export()
    for column, target in ((2, False), (3, True)):
        printed = "".join(_column_text(page, column) for page in pages)
        expected = "".join(
            squash(x.text_or_blank(s.target_text if target else s.source_text, target=target))
            + squash(x.mark(s, target=target))
            for s in x.ordered(t)
        )
        assert printed == expected
    numbers = "".join(_column_text(page, 0) for page in pages)
    assert numbers.replace("（续）", "") == "".join(
        str(i) * (1 if i != LONG else numbers.count("（续）") + 1) for i in range(1, 46)
    )
    assert numbers.count("（续）") >= 2  # the long segment crossed at least two breaks


def test_pdf_is_repeatable_and_embeds_the_font(pdf_bytes: bytes, cjk_font: FontFace) -> None:
    assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+[\w-]*CJK", pdf_bytes)
    assert transcript_pdf(make_export(), font_path=cjk_font.path) == pdf_bytes


def test_pdf_page_one_renders(pdf_bytes: bytes, tmp_path: Path) -> None:
    page = _pages(pdf_bytes)[0]
    image = page.render(scale=2).to_pil().convert("L")
    image.save(tmp_path / "page1.png")
    assert (tmp_path / "page1.png").stat().st_size > 10_000
    assert image.getextrema()[0] < 60  # real ink, not an empty page


def test_pdf_header_grows_with_many_sources(cjk_font: FontFace) -> None:
    sources = [
        ExportSource(f"第{n}份录音.wav", hashlib.sha256(str(n).encode()).hexdigest(), "audio/wav")
        for n in range(12)
    ]
    data = transcript_pdf(replace(make_export(8), sources=sources), font_path=cjk_font.path)
    for page in _pages(data):
        text = squash(page.get_textpage().get_text_range())
        assert all(source.sha256 in text for source in sources)
    assert "".join(_column_text(page, 3) for page in _pages(data)).count("zz-") == 16


# --- subtitles and JSON ---------------------------------------------------------------


SRT_CUE = re.compile(
    r"(\d+)\n(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})\n(.+?)(?:\n\n|\Z)",
    re.S,
)


def _seconds(h: str, m: str, s: str, ms: str) -> float:
    return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def test_srt_keeps_timed_segments_with_exact_times() -> None:
    t = make_export()
    text = transcript_srt(t, "both").decode("utf-8")
    cues = SRT_CUE.findall(text)
    timed = {s.sequence: s for s in t.segments if s.start_s is not None and s.end_s is not None}
    assert [int(c[0]) for c in cues] == sorted(timed)
    for cue in cues:
        segment = timed[int(cue[0])]
        assert _seconds(*cue[1:5]) == pytest.approx(segment.start_s, abs=0.0005)
        assert _seconds(*cue[5:9]) == pytest.approx(segment.end_s, abs=0.0005)
    by_number = {int(c[0]): c[9] for c in cues}
    assert by_number[2] == "讯问人（问）：第2段：请你说明赃物的去向，不要遗漏。\nzz-0002 zz-0502"
    assert by_number[1].endswith("zz-0001 zz-0501〔机器翻译，未核对〕")
    assert by_number[NO_TARGET].endswith("\n（暂无译文）")
    assert transcript_srt(t, "target").decode().count("\n\n") == len(timed) - 1
    only_source = SRT_CUE.findall(transcript_srt(t, "source").decode())
    assert not any("zz-" in cue[9] for cue in only_source)


def test_vtt_uses_voice_spans_and_escapes() -> None:
    t = make_export()
    segments = [replace(s, source_text="甲<乙>&丙") if s.sequence == 4 else s for s in t.segments]
    text = transcript_vtt(replace(t, segments=segments), "source").decode("utf-8")
    assert text.startswith("WEBVTT\n\nNOTE\n")
    for source in SOURCES:
        assert source.sha256 in text
    blocks = text.strip().split("\n\n")[2:]
    stamps = [re.match(r"\d+\n([\d:.]+) --> ([\d:.]+)\n", block) for block in blocks]
    assert all(stamps) and len(stamps) == 43
    assert stamps[0] is not None and stamps[0].groups() == ("00:00:07.625", "00:00:13.750")
    assert "<v 讯问人>甲&lt;乙&gt;&amp;丙〔人工，已核对〕</v>" not in text  # reviewed: no mark
    assert "\n<v 讯问人>甲&lt;乙&gt;&amp;丙</v>" in text


def test_subtitles_refuse_an_export_without_times() -> None:
    t = make_export(6)
    untimed = replace(t, segments=[replace(s, start_s=None, end_s=None) for s in t.segments])
    for export in (transcript_srt, transcript_vtt):
        with pytest.raises(ValidationFailed) as caught:
            export(untimed, "both")
        assert caught.value.detail == NO_TIMES == "该笔录没有时间信息，不能导出字幕"


def test_json_round_trips_everything() -> None:
    t = make_export()
    data = transcript_json(t)
    assert "湘花检刑诉〔2026〕17号".encode() in data  # not \u-escaped
    body = json.loads(data)
    assert body["format_version"] == 1
    assert len(body["segments"]) == 45
    assert transcript_from_json(data) == t


def test_exports_refuse_data_that_would_print_untrue() -> None:
    t = make_export(3)
    bad = [
        replace(t, sources=[replace(SOURCES[0], sha256="abc")]),
        replace(t, segments=[replace(t.segments[0], target_provenance="guess")]),
        replace(t, segments=[replace(t.segments[0], start_s=5.0, end_s=1.0)]),
        replace(t, segments=[t.segments[0], t.segments[0]]),
        replace(t, generated_at="2026-12-01T08:30:00"),
    ]
    for export in bad:
        for render in (transcript_docx, transcript_json):
            with pytest.raises(ValueError):
                render(export)


def test_questioner_of_a_witness_interview_is_named_as_such() -> None:
    t = replace(make_export(4), interview_label="2026-12-02 询问 第1次")
    text = transcript_vtt(t, "source").decode("utf-8")
    assert "<v 询问人>" in text and "讯问人" not in text.split("\n\n", 2)[2]
    assert "<v 讯问人>" in transcript_vtt(make_export(4), "source").decode("utf-8")
