"""Export of the bilingual interview record (DOCX and PDF) for signature.

Miao text is placeholder tokens (zz-NNNN) plus two real entries of the shared lexicon
(glossaries/xiangxi-lexicon-chen2012.tsv: "ned goud" road, "ghob reix" mountain).
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from docx import Document
from docx.document import Document as DocxDocument
from PIL import ImageChops

from interp_service.interviews import record_text as r
from interp_service.interviews.export_docx import render_docx
from interp_service.interviews.export_pdf import render_pdf
from interp_service.interviews.fonts import FontFace, FontNotFoundError, find_cjk_font
from interp_service.interviews.record import ExchangeRecord, InterviewRecord

AUDIO_1 = hashlib.sha256(b"answer-2.wav").hexdigest()
AUDIO_ALL = hashlib.sha256(b"interview.flac").hexdigest()
RENDERINGS = (
    "zz-0001 zz-0002 zz-0003",
    "那天晚上我在村口的路上，没有动手打人。",
    "zz-0007 zz-0009 zz-0008",
)
PROVENANCES = (
    "翻译记忆·完全匹配（核准人 张三）",
    "逐词对照·需译员",
    "翻译记忆·模糊匹配 87%（核准人 李梅）",
)


def _at(hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2024, 5, 13, hour, minute, second, tzinfo=UTC)


def _ex(
    seq: int, pair: str, role: str, text: str, suggestion: str | None, provenance: str,
    rendering: str | None = None, kind: r.RenderingKind | None = None, audio: str | None = None,
) -> ExchangeRecord:  # fmt: skip
    source, target = pair.split("→")
    return ExchangeRecord(
        sequence=seq,
        spoken_at=_at(1, 30) + timedelta(minutes=seq),
        source_language=source,
        target_language=target,
        speaker_role=role,
        source_text=text,
        source_audio_sha256=audio,
        suggestion_text=suggestion,
        suggestion_provenance=provenance,
        rendering_text=rendering,
        rendering_kind=kind,
        interpreter_name="龙秀英" if rendering else None,
        recorder_name="麻晓" if rendering else None,
    )


def make_record(extra: int = 0) -> InterviewRecord:
    question = "根据《刑事诉讼法》第九条，你有权使用本民族语言进行诉讼。你是否委托辩护人？"
    exchanges = [
        _ex(1, "cmn→mmr", "检察官", question, RENDERINGS[0], PROVENANCES[0], RENDERINGS[0],
            "accepted"),
        _ex(2, "mmr→cmn", "当事人", "zz-0004 zz-0005 ned goud zz-0006",
            "[zz-0004] [zz-0005] 路 [zz-0006]", PROVENANCES[1], RENDERINGS[1], "replaced", AUDIO_1),
        _ex(3, "cmn→mmr", "检察官", "你是否自愿认罪认罚？是否申请取保候审？", "zz-0007 zz-0008",
            PROVENANCES[2], RENDERINGS[2], "edited"),
        _ex(4, "mmr→cmn", "当事人", "zz-0010 ghob reix zz-0011", "[zz-0010] 山 [zz-0011]",
            "逐词对照·需译员"),
    ]  # fmt: skip
    exchanges += [
        _ex(5 + n, "cmn→mmr", "检察官", "请陈述案发经过。" * 6, None, "逐词对照·需译员",
            "zz-0100 zz-0101", "replaced")
        for n in range(extra)
    ]  # fmt: skip
    return InterviewRecord(
        case_number="湘花检刑诉〔2024〕17号",
        case_title="石某某故意伤害案",
        interview_id="IV-2024-0031",
        party_name="石某某",
        party_language_label="湘西苗语（西部方言，mmr）",
        place="花垣县人民检察院第二询问室",
        started_at=_at(1, 30),
        finished_at=_at(3, 5, 12),
        participants=["书记员 麻晓（Má Xiǎo）"],
        interpreter_names=["龙秀英"],
        prosecutor_names=["吴建国", "杨帆"],
        glossary_release=12,
        exchanges=exchanges,
        exported_at=_at(4, 0),
        exported_by="吴建国",
        audio_hashes=[AUDIO_ALL],
        party_role="suspect",
        recorder_names=["麻晓"],
    )


# --- DOCX -------------------------------------------------------------------------------


def _docx_text(document: DocxDocument) -> str:
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts.extend(cell.text for row in table.rows for cell in row.cells)
    section = document.sections[0]
    parts.extend(p.text for p in (*section.header.paragraphs, *section.footer.paragraphs))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def docx_document() -> DocxDocument:
    return Document(io.BytesIO(render_docx(make_record())))


def test_docx_prints_the_record_for_signature(docx_document: DocxDocument) -> None:
    text = _docx_text(docx_document)
    for fact in (
        "讯问笔录",
        "湘花检刑诉〔2024〕17号",
        "石某某故意伤害案",
        "花垣县人民检察院第二询问室",
        "2024-05-13 09:30:00 至 11:05:12（北京时间，UTC+8）",
        "湘西苗语（西部方言，mmr）",
        "龙秀英",
        "吴建国、杨帆",
        "Má Xiǎo",
        *RENDERINGS,
        *PROVENANCES,
        r.NO_RENDERING,
        f"工具建议（{r.SUGGESTION_DISCLAIMER}）",
        "采纳",
        "修改",
        "替换",
        "ned goud",
        AUDIO_1,
        AUDIO_ALL,
        "译员（龙秀英）",
        "被讯问人（石某某）",
        "讯问人（吴建国）",
        "讯问人（杨帆）",
        "记录人（麻晓）",
        r.SIGNATURE_DATE,
        r.SIGNATURE_NAME,
        "导出时间 2024-05-13 12:00:00",
        "导出人 吴建国",
        "术语库 第 12 版",
    ):
        assert fact in text, fact
    section = docx_document.sections[0]
    assert section.page_width is not None and section.page_height is not None
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml and "页 共" in footer_xml


def test_docx_never_puts_a_suggestion_in_the_rendering_column(
    docx_document: DocxDocument,
) -> None:
    table = docx_document.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(r.EXCHANGE_COLUMNS)
    main_rows = table.rows[1::2]
    note_rows = table.rows[2::2]
    assert [row.cells[0].text for row in main_rows] == ["1", "2", "3", "4"]
    assert main_rows[1].cells[1].text == "09:32:00"  # 01:32 UTC in Beijing time
    assert main_rows[1].cells[4].text.startswith(RENDERINGS[1])
    assert "路 [zz-0006]" not in main_rows[1].cells[4].text
    assert main_rows[3].cells[4].text == r.NO_RENDERING  # suggestion exists, no rendering
    assert (
        note_rows[3]
        .cells[0]
        .text.startswith("工具建议（机器建议仅供参考，不是译文）：[zz-0010] 山")
    )
    assert AUDIO_1 in note_rows[1].cells[0].text


# --- PDF --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cjk_font() -> FontFace:
    try:
        return find_cjk_font()
    except FontNotFoundError as error:
        pytest.skip(f"no CJK font installed (Debian package fonts-noto-cjk): {error}")


@pytest.fixture(scope="module")
def pdf_bytes(cjk_font: FontFace) -> bytes:
    return render_pdf(make_record(), font_path=cjk_font.path)


def _pages_text(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [page.get_textpage().get_text_range() for page in document]


def test_pdf_prints_the_record_with_page_numbers(pdf_bytes: bytes) -> None:
    pages = _pages_text(pdf_bytes)
    text = re.sub(r"\s+", "", "".join(pages))  # line wrapping splits phrases
    for fact in (
        "讯问笔录",
        "湘花检刑诉〔2024〕17号",
        "北京时间，UTC+8",
        "吴建国、杨帆",
        "MáXiǎo",
        *RENDERINGS,
        *PROVENANCES,
        r.NO_RENDERING,
        "工具建议（机器建议仅供参考，不是译文）",
        "采纳",
        "修改",
        "替换",
        "nedgoud",
        AUDIO_1,
        AUDIO_ALL,
        "译员（龙秀英）",
        "被讯问人（石某某）",
        "讯问人（杨帆）",
        "记录人（麻晓）",
        "日期：",
        "签名：",
        "导出人吴建国",
        "术语库第12版",
    ):
        assert re.sub(r"\s+", "", fact) in text, fact
    assert "第 1 页" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert r.page_label(number, len(pages)) in page
    assert len(pdf_bytes) < 2_000_000


def test_pdf_embeds_a_subset_cjk_font(pdf_bytes: bytes, cjk_font: FontFace) -> None:
    assert b"/FontFile3" in pdf_bytes or b"/FontFile2" in pdf_bytes
    base_fonts = set(re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[\w-]+)", pdf_bytes))
    assert base_fonts, "the font must be embedded as a subset"
    assert any(b"CJK" in name for name in base_fonts), base_fonts
    # Same record, same bytes: the audit trail records the export's SHA-256.
    assert render_pdf(make_record(), font_path=cjk_font.path) == pdf_bytes


def test_pdf_page_renders_real_glyphs(pdf_bytes: bytes, tmp_path: Path) -> None:
    page = pdfium.PdfDocument(pdf_bytes)[0]
    scale = 3
    image = page.render(scale=scale).to_pil().convert("L")
    image.save(tmp_path / "page1.png")
    textpage = page.get_textpage()
    found = textpage.search("讯问笔录").get_next()
    assert found is not None
    crops = []
    for index in range(found[0], found[0] + 4):  # 询 问 笔 录
        left, bottom, right, top = textpage.get_charbox(index)
        box = [round(v * scale) for v in (left, page.get_height() - top, right)]
        crop = image.crop((box[0], box[1], box[2], round((page.get_height() - bottom) * scale)))
        assert crop.getextrema()[0] < 100, "glyph has no ink"
        crops.append(crop.resize((32, 32)))
    # Missing glyphs render as identical boxes; real ones differ from each other.
    for i, first in enumerate(crops):
        for second in crops[i + 1 :]:
            assert ImageChops.difference(first, second).getbbox() is not None
    assert (tmp_path / "page1.png").stat().st_size > 10_000


def test_long_record_runs_over_pages_with_chinese_line_breaks(cjk_font: FontFace) -> None:
    pages = _pages_text(render_pdf(make_record(extra=30), font_path=cjk_font.path))
    assert len(pages) >= 3
    assert r.page_label(2, len(pages)) in pages[1]
    assert "签名确认" in pages[-1]
    lines = [line.strip() for page in pages for line in page.splitlines()]
    assert sum("请陈述案发经过" in line for line in lines) > 30  # the long questions wrapped
    assert not [line for line in lines if line[:1] in set("。，、；：？！）")]  # 禁则


# --- fonts and validation ---------------------------------------------------------------


def test_font_search_names_the_debian_package(tmp_path: Path) -> None:
    not_a_font = tmp_path / "x.ttf"
    not_a_font.write_bytes(b"not a font")
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        find_cjk_font(not_a_font)
    with pytest.raises(FontNotFoundError, match="fonts-noto-cjk"):
        render_pdf(make_record(), font_path=tmp_path / "missing.ttc")


def test_record_rejects_naive_times_and_bad_hashes() -> None:
    record = make_record()
    with pytest.raises(ValueError, match="timezone-aware"):
        replace(record, started_at=datetime(2024, 5, 13, 9, 30))  # noqa: DTZ001
    with pytest.raises(ValueError, match="SHA-256"):
        replace(record.exchanges[0], source_audio_sha256="abc")
    with pytest.raises(ValueError, match="rendering_text"):
        replace(record.exchanges[3], rendering_kind="accepted")
    assert record.exchanges[0].direction == "cmn→mmr"
