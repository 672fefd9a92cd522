"""translate_docx on its own: what is collected, what is inserted where, what is refused.
The translator here is a stand-in that records its calls; the API tests use the real one."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from interp_service.documents.batch import SENTENCES_PER_PIECE, pieces_of
from interp_service.documents.docx_package import NOT_DOCX, OLD_DOC, TOO_LARGE
from interp_service.documents.docx_translate import (
    NO_RENDERING,
    NO_TEXT,
    Rendering,
    translate_docx,
    translate_docx_counted,
)
from interp_service.errors import PayloadTooLarge, UnsupportedMedia, ValidationFailed
from tests.documents.build import (
    HEADERS,
    MEMORY_SENTENCE,
    NESTED,
    SECOND_SECTION_HEADER,
    TERM_PARAGRAPH,
    TEXT_BOX,
    bomb_docx,
    is_rendering,
    notice_docx,
    open_docx,
    paragraphs,
    save,
    text_of,
    xml,
    zip_of,
)

LIMIT = 10 * 1_048_576


class Recorder:
    """Answers zz-0001, zz-0002, … per distinct text, as memory; remembers the calls."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.answers: dict[str, str] = {}

    def __call__(self, texts: list[str]) -> list[Rendering]:
        self.calls.append(list(texts))
        out = []
        for text in texts:
            self.answers[text] = f"zz-{len(self.answers) + 1:04d}"
            out.append(Rendering(self.answers[text], "memory-exact"))
        return out


def test_all_texts_go_to_one_batch_once_each_in_document_order() -> None:
    recorder = Recorder()
    translate_docx(notice_docx(), recorder, max_uncompressed_bytes=LIMIT)
    (batch,) = recorder.calls
    assert batch == [
        "诉讼权利义务告知书",
        "犯罪嫌疑人：龙某某",
        MEMORY_SENTENCE,
        "第一项权利。",
        "第二项权利。",
        "第一行文字\n第二行文字",
        "下面是文本框：",
        TEXT_BOX,
        "姓名",
        "龙某某",
        NESTED,
        "本告知书一式两份。",
        HEADERS["header"],
        HEADERS["first_page_header"],
        HEADERS["even_page_header"],
        SECOND_SECTION_HEADER,
        TERM_PARAGRAPH,
        HEADERS["footer"],
    ]  # the repeated sentence once; empty paragraphs and "2026" not at all


def test_originals_stay_byte_for_byte_and_each_is_followed_by_its_rendering() -> None:
    source = notice_docx()
    recorder = Recorder()
    result = translate_docx_counted(source, recorder, max_uncompressed_bytes=LIMIT)
    before = paragraphs(open_docx(source))
    after = paragraphs(open_docx(result.data))
    note, after = after[0], after[1:]
    assert "未经核实" in text_of(note) and "译员" in text_of(note)
    kept = [p for p in after if not is_rendering(p)]
    assert [xml(p) for p in kept] == [xml(p) for p in before]
    translated = 0
    for paragraph in kept:
        follower = paragraph.getnext()
        text = text_of(paragraph).strip()
        if any(ch.isalpha() for ch in text):
            translated += 1
            assert text_of(follower) == f"【译文建议·翻译记忆·完全匹配】{recorder.answers[text]}"
            run = follower.find(qn("w:r"))
            assert run.find(qn("w:rPr")).find(qn("w:i")) is not None  # italic
            assert follower.find(qn("w:pPr")) is None or (
                follower.find(qn("w:pPr")).find(qn("w:numPr")) is None
            )
        else:
            assert follower is None or not is_rendering(follower)
    assert translated == result.paragraphs == 19
    assert result.by_provenance == {"memory-exact": 19}


def test_the_result_reads_back_with_python_docx_everywhere() -> None:
    data = translate_docx(notice_docx(), Recorder(), max_uncompressed_bytes=LIMIT)
    document = open_docx(data)
    body = [p.text for p in document.paragraphs]
    assert body[1:4] == [
        "诉讼权利义务告知书",
        "【译文建议·翻译记忆·完全匹配】zz-0001",
        "犯罪嫌疑人：龙某某",
    ]
    assert document.paragraphs[1].style.name == "Heading 1"
    assert document.paragraphs[2].style.name == "Normal"  # the rendering is not a heading
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["第一项权利。", "第二项权利。"]
    inner = document.tables[0].cell(1, 1).tables[0].cell(0, 0).paragraphs
    assert inner[0].text == NESTED and inner[1].text.startswith("【译文建议·")
    first, second = document.sections
    assert [p.text for p in first.first_page_header.paragraphs][0] == HEADERS["first_page_header"]
    assert first.even_page_header.paragraphs[1].text.startswith("【译文建议·")
    assert second.header.paragraphs[1].text.startswith("【译文建议·")
    assert second.footer.paragraphs[0].text == HEADERS["footer"]


def test_none_is_marked_and_says_an_interpreter_is_needed() -> None:
    data = translate_docx(
        notice_docx(),
        lambda texts: [Rendering("", "none") for _ in texts],
        max_uncompressed_bytes=LIMIT,
    )
    texts = [p.text for p in open_docx(data).paragraphs]
    assert f"【译文建议·无可用译文·需译员】{NO_RENDERING}" in texts


def test_a_section_break_moves_to_the_rendering_so_sections_stay_as_they_were() -> None:
    document = docx.Document()
    document.add_paragraph("第一节的最后一段。")
    document.add_section()
    document.add_paragraph("第二节。")
    body = document.element.body
    last_of_first, holder = body.findall(qn("w:p"))[:2]
    # Word keeps the break in the section's last paragraph itself: move it there.
    last_of_first.get_or_add_pPr().append(holder.pPr.find(qn("w:sectPr")))
    body.remove(holder)
    data = translate_docx(save(document), Recorder(), max_uncompressed_bytes=LIMIT)
    result = open_docx(data)
    assert len(result.sections) == 2
    original, rendering = result.paragraphs[1], result.paragraphs[2]
    assert original.text == "第一节的最后一段。" and rendering.text.startswith("【译文建议·")
    assert rendering._p.pPr.find(qn("w:sectPr")) is not None
    assert original._p.pPr is None or original._p.pPr.find(qn("w:sectPr")) is None


@pytest.mark.parametrize(
    ("data", "error", "message"),
    [
        (b"", ValidationFailed, "上传的文件是空的"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", UnsupportedMedia, NOT_DOCX),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), UnsupportedMedia, OLD_DOC),
        (b"PK\x03\x04 not really a zip", UnsupportedMedia, NOT_DOCX),
        (zip_of({"note.txt": "一份文字".encode()}), UnsupportedMedia, NOT_DOCX),
    ],
    ids=["empty", "pdf", "old-doc", "broken-zip", "zip-not-word"],
)
def test_what_is_not_a_docx_is_refused_in_chinese(
    data: bytes, error: type[Exception], message: str
) -> None:
    recorder = Recorder()
    with pytest.raises(error) as caught:
        translate_docx(data, recorder, max_uncompressed_bytes=LIMIT)
    assert str(caught.value) == message and getattr(caught.value, "field", None) == "file"
    assert recorder.calls == []


def test_a_document_without_text_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("")
    document.add_paragraph("  ")
    document.add_table(rows=1, cols=1)
    with pytest.raises(ValidationFailed) as caught:
        translate_docx(save(document), Recorder(), max_uncompressed_bytes=LIMIT)
    assert str(caught.value) == NO_TEXT


def test_declared_sizes_over_the_limit_are_refused_before_decompressing() -> None:
    recorder = Recorder()
    with pytest.raises(PayloadTooLarge) as caught:
        translate_docx(bomb_docx(3 * 1_048_576), recorder, max_uncompressed_bytes=2_097_152)
    assert str(caught.value) == TOO_LARGE and recorder.calls == []


def test_sizes_the_archive_lies_about_are_refused() -> None:
    """A member whose header says 100 bytes but holds 8 MiB of zeros."""
    honest = zip_of({"[Content_Types].xml": bytes(8 * 1_048_576)})
    patched = bytearray(honest)
    with zipfile.ZipFile(io.BytesIO(honest)) as archive:
        info = archive.infolist()[0]
    central = patched.rfind(b"PK\x01\x02")
    for offset in (info.header_offset + 22, central + 24):  # local and central sizes
        patched[offset : offset + 4] = (100).to_bytes(4, "little")
    with pytest.raises((PayloadTooLarge, UnsupportedMedia)) as caught:
        translate_docx(bytes(patched), Recorder(), max_uncompressed_bytes=LIMIT)
    assert str(caught.value) in (TOO_LARGE, NOT_DOCX)


def test_long_paragraphs_are_cut_at_sentence_ends_within_the_limits() -> None:
    text = "".join(f"第{i}句话比较长一些。" for i in range(30))
    pieces = pieces_of(text, 40)
    assert "".join(pieces) == text
    assert all(len(p) <= 40 and p.endswith("。") for p in pieces)
    many = pieces_of("短句。" * 20, 10_000)
    assert "".join(many) == "短句。" * 20
    assert all(p.count("。") <= SENTENCES_PER_PIECE for p in many)
    giant = pieces_of("没有句号" * 30, 50)  # one sentence longer than the limit: cut at it
    assert "".join(giant) == "没有句号" * 30 and all(len(p) <= 50 for p in giant)
    assert pieces_of("一句。", 50) == ["一句。"]
