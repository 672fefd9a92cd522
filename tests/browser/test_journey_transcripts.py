"""Transcript journey: a clerk uploads a GB18030 transcript of the interview (问/答 turns,
with a line of web navigation before it and a copyright line after it), watches the bar
reach 100 %, restores the navigation line clean-up removed, corrects two segments (one by
adopting a suggestion from translation memory) and one speaker, marks the segments
reviewed, sends them to the memory review queue and downloads the bilingual PDF, which
names the uploaded file by its SHA-256; then uploads a recording of the interview and
watches its bar reach 100 % too.

Chinese only in the text; Miao appears as placeholders (zz-0001 …), never invented."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.browser.conftest import ADMIN, Server, create_user, login, logout, shot
from tests.browser.test_journey_interview_record import _prosecutor_opens_the_case
from tests.speech.conftest import clip, silence, wav_bytes

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-12"
NAVIGATION = "首页 | 新闻 | 联系我们"
COPYRIGHT = "版权所有 © 2026 某某新闻网 未经授权不得转载"
TRANSCRIPT = "\n".join(
    [
        NAVIGATION,
        "问：你叫什么名字？",
        "答：zz-0001 zz-0002",
        "问：你昨天晚上在哪里？",
        "答：zz-0003 zz-0004",
        COPYRIGHT,
    ]
)
MEMORY_SOURCE = "你叫什么名字？"
MEMORY_TARGET = "zz-0011 zz-0012"
WAIT_MS = 60_000  # processing runs on the server's job queue


def _finished(page: Any, testid: str) -> None:
    """The bar of a transcript's processing reached 100 % and the state says done."""
    from playwright.sync_api import expect

    widget = page.locator(f"[data-testid={testid}]")
    state = widget.locator("[data-testid=transcript-state]")
    expect(state).to_have_text(re.compile("^(已完成|失败|已取消)$"), timeout=WAIT_MS)
    assert state.inner_text() == "已完成", widget.locator("[data-testid=job-error]").inner_text()
    expect(widget.locator("[data-testid=job-percent]")).to_have_text("100 %")
    assert widget.locator("[data-testid=job-bar]").evaluate("bar => bar.value") == 100


def _segment_row(page: Any, source: str) -> Any:
    return page.locator("[data-testid=segment]").filter(
        has=page.locator("[data-testid=segment-source]", has_text=source)
    )


def _pdf_text(page: Any, tmp_path: Path) -> tuple[bytes, str]:
    with page.expect_download() as download:
        page.locator("[data-testid=export-pdf]").click()
    path = tmp_path / "transcript.pdf"
    download.value.save_as(path)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    text = "\n".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))
    return path.read_bytes(), text


def _remember(page: Any) -> None:
    """As a Miao-competent admin: an approved memory pair for the first question."""
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    r = page.request.post(
        "/api/v1/memory/entries",
        headers={"X-CSRF-Token": token},
        data={
            "source_language": "cmn",
            "source_text": MEMORY_SOURCE,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": MEMORY_TARGET,
        },
    )
    assert r.status == 201, r.text()


def test_transcript_journey(page: Any, server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    text_file = tmp_path / "讯问笔录.txt"
    text_file.write_bytes(TRANSCRIPT.encode("gb18030"))
    digest = hashlib.sha256(text_file.read_bytes()).hexdigest()
    login(page, *ADMIN)
    create_user(page, "tpro", "prosecutor", PASSWORD, name="吴检察官", competence="mmr 花垣 fluent")
    create_user(page, "tclerk", "clerk", PASSWORD, name="田书记员", competence="mmr 花垣 fluent")
    create_user(page, "tmiao", "admin", PASSWORD, name="龙审核", competence="mmr 花垣 native")
    logout(page)
    login(page, "tmiao", PASSWORD)
    _remember(page)
    logout(page)
    login(page, "tpro", PASSWORD)
    case_url = _prosecutor_opens_the_case(page)
    logout(page)

    login(page, "tclerk", PASSWORD)
    page.goto(case_url)
    page.locator("[data-testid=open-interview]").first.click()
    page.locator("[data-testid=transcripts-link]").click()
    page.wait_for_url(re.compile(r"/transcripts$"))
    transcripts_url = page.url

    # A file that is not a transcript: the service's reason, nothing listed.
    bogus = tmp_path / "笔录.pdf"
    bogus.write_bytes(b"%PDF-1.4\n%%EOF\n")
    form = page.locator("[data-testid=transcript-upload]")
    form.locator("input[type=file]").set_input_files(str(bogus))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "不支持的文件类型" in page.locator("[data-testid=upload-error]").inner_text()
    assert page.locator("[data-testid=no-transcripts]").is_visible()

    form = page.locator("[data-testid=transcript-upload]")
    form.locator("input[type=file]").set_input_files(str(text_file))
    form.locator("select[name=direction]").select_option("cmn-mmr")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "笔录已上传" in page.locator("[data-testid=notice]").inner_text()
    row = page.locator("tr[data-testid^=transcript-]").filter(has_text="讯问笔录.txt")
    testid = row.locator(".job-progress").get_attribute("data-testid")
    _finished(page, testid)
    shot(page, "transcripts-list")

    # Clean-up removed the navigation and the copyright lines, each with its reason.
    row.locator("[data-testid=open-transcript]").click()
    page.wait_for_url(re.compile(r"/transcripts/\d+$"))
    assert page.locator("[data-testid=sha256]").inner_text() == digest
    removed = page.locator("[data-testid=change][data-removed]")
    expect(removed).to_have_count(2)
    assert "网页导航" in removed.filter(has_text=NAVIGATION).inner_text()
    assert "版权声明" in removed.filter(has_text=COPYRIGHT).inner_text()
    page.locator("[data-testid=restore-line-1]").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("[data-testid=restore-submit]").click()
    page.wait_for_load_state()
    # transcripts.js reloads the page once the new processing is done.
    page.locator("[data-testid=segment-save]").first.wait_for(timeout=WAIT_MS)
    assert page.locator("[data-testid=kept-lines]").inner_text().startswith("已恢复的行：1")
    expect(page.locator("[data-testid=change][data-removed]")).to_have_count(1)
    shot(page, "transcript-restored")

    # Two corrections. The first question's suggestion comes from memory: adopted by a
    # click, never put in the field before.
    first = _segment_row(page, MEMORY_SOURCE)
    translation = first.locator("[data-testid=segment-translation]")
    assert translation.input_value() == ""
    assert first.locator("[data-testid=suggestion-provenance]").inner_text() == "翻译记忆"
    first.locator("[data-testid=adopt]").click()
    assert translation.input_value() == MEMORY_TARGET
    first.locator("[data-testid=segment-reviewed]").check()
    first.locator("[data-testid=segment-save]").click()
    page.wait_for_load_state()
    assert "段落已保存" in page.locator("[data-testid=notice]").inner_text()

    # The second: a word of the question, and its translation typed; a gloss is not
    # offered for adoption.
    question = _segment_row(page, "你昨天晚上在哪里")
    assert question.locator("[data-testid=gloss-note]").is_visible()
    assert question.locator("[data-testid=adopt]").count() == 0
    assert question.locator("[data-testid=source-provenance]").inner_text().endswith("来源：人工")
    question.locator("[data-testid=segment-source]").fill("你前天晚上在哪里？")
    question.locator("[data-testid=segment-translation]").fill("zz-0101 zz-0102")
    question.locator("[data-testid=segment-reviewed]").check()
    question.locator("[data-testid=segment-save]").click()
    page.wait_for_load_state()
    corrected = _segment_row(page, "你前天晚上在哪里")
    assert corrected.locator("[data-testid=source-provenance]").inner_text().endswith("来源：人工")
    assert corrected.locator("[data-testid=segment-reviewed]").is_checked()

    speaker = page.locator("[data-testid=speaker][data-label='答']")
    speaker.locator("select[name=role]").select_option("party")
    speaker.locator("button[type=submit]").click()
    page.wait_for_load_state()
    speaker = page.locator("[data-testid=speaker][data-label='答']")
    assert speaker.locator("[data-testid=speaker-status]").inner_text() == "已确认"
    assert speaker.locator("select[name=role]").input_value() == "party"

    page.locator("[data-testid=submit-reviewed]").click()
    page.wait_for_load_state()
    assert "已提交 2 个已核对段落" in page.locator("[data-testid=notice]").inner_text()
    expect(page.locator("[data-testid=submitted]")).to_have_count(2)
    shot(page, "transcript-submitted")

    data, text = _pdf_text(page, tmp_path)
    assert data.startswith(b"%PDF")
    squashed = re.sub(r"\s+", "", text)
    assert digest in squashed
    assert (
        "你前天晚上在哪里" in squashed and "zz-0101" in squashed and MEMORY_TARGET[:7] in squashed
    )

    # A recording of the same interview: its bar reaches 100 % as well.
    recording = tmp_path / "讯问录音.wav"
    recording.write_bytes(wav_bytes(np.concatenate([silence(0.5), clip(), silence(0.5)])))
    page.goto(transcripts_url)
    form = page.locator("[data-testid=transcript-upload]")
    form.locator("input[type=file]").set_input_files(str(recording))
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("tr[data-testid^=transcript-]").filter(has_text="讯问录音.wav")
    _finished(page, row.locator(".job-progress").get_attribute("data-testid"))
    row.locator("[data-testid=open-transcript]").click()
    page.wait_for_url(re.compile(r"/transcripts/\d+$"))
    speech = page.locator("[data-testid=source-provenance]", has_text="语音识别")
    assert speech.count() >= 1
    assert page.locator("[data-testid=export-srt]").is_visible()
    shot(page, "transcript-recording")
