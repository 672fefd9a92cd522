"""A whole interview kept by one operator: a clerk types while an external interpreter (no
login) speaks. The interpreter is engaged on the case page and their signed declaration is
recorded on their behalf with the scanned form attached; a gloss cannot be accepted, the
interpreter's words are typed; Chinese typed as the party's Miao answer is caught; 认罪认罚
is marked as a legal term and listed for explanation; a standard notice is inserted; the
read-back is stated; the exported PDF is titled 讯问笔录, names the interpreter as 译员 and
the clerk as 记录人, and holds no gloss as a rendering."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, ARTIFACTS, Server, create_user, login, logout, shot
from tests.glossary.test_glossary_api import SHIPPED, lexicon_spelling

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-11"
CASE_NUMBER = "花检刑诉〔2026〕77号"
QUESTION = "你是否同意认罪认罚？"
CHINESE_ANSWER = "我那天晚上在家，没有出去。"
INTERPRETER = "石秀英"


def _pick(select: Any, text: str) -> None:
    """Choose the option whose label contains `text`."""
    value = select.locator("option", has_text=text).first.get_attribute("value")
    select.select_option(value)


def _prosecutor_opens_the_case(page: Any) -> str:
    """Case, suspect who speaks Western Xiangxi Miao, the clerk on the case, an interview."""
    page.goto("/cases/new")
    page.fill("input[name=case_number]", CASE_NUMBER)
    page.fill("input[name=title]", "石某某盗窃案")
    page.fill("input[name=opened_on]", "2026-11-30")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url: str = page.url
    page.click("#parties summary")
    party = page.locator("[data-testid=party-form]")
    party.locator("input[name=name]").fill("石某某")
    party.locator("select[name=role]").select_option("suspect")
    party.locator("select[name=language]").select_option("mmr")
    party.locator("input[name=variety]").fill("花垣")
    party.locator("input[name=needs_interpreter]").check()
    party.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=assign-form]").locator("xpath=..").locator("summary").click()
    assign = page.locator("[data-testid=assign-form]")
    _pick(assign.locator("select[name=user_id]"), "田书记员")
    assign.locator("select[name=role_on_case]").select_option("clerk")
    assign.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.click("#interviews summary")
    form = page.locator("#interviews form.stack")
    form.locator("input[name=scheduled_at]").fill("2026-12-01T09:30")
    form.locator("input[name=place]").fill("花垣县人民检察院讯问室")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    return case_url


def engage_interpreter(
    page: Any, case_url: str, tmp_path: Path, entered_by: str = "田书记员"
) -> None:
    """As case staff: upload the scanned signed declaration, engage the interpreter
    (no login), record the declaration on their behalf with the form attached."""
    page.goto(case_url)
    scan = tmp_path / "申报表-石秀英.pdf"
    scan.write_bytes(b"%PDF-1.4\n% signed declaration scan\n%%EOF\n")
    page.click("#evidence summary")
    upload = page.locator("#evidence form[enctype='multipart/form-data']")
    upload.locator("input[type=file]").set_input_files(str(scan))
    upload.locator("input[name=description], textarea[name=description]").first.fill(
        "外聘译员签名的利益冲突申报表"
    )
    upload.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=external-form]").locator("xpath=..").locator("summary").click()
    engage = page.locator("[data-testid=external-form]")
    engage.locator("input[name=name]").fill(INTERPRETER)
    engage.locator("input[name=organisation]").fill("花垣县民族宗教事务局")
    engage.locator("select[name=language]").select_option("mmr")
    engage.locator("input[name=variety]").fill("花垣")
    engage.locator("button[type=submit]").click()
    page.wait_for_load_state()
    table = page.locator("[data-testid=external-interpreters]")
    assert "待录入" in table.locator("[data-testid=declaration-status]").first.inner_text()
    table.locator("summary", has_text="代为录入申报").first.click()
    declare = table.locator("[data-testid=external-declaration-form]").first
    declare.locator("input[name=has_conflict][value=no]").check()
    _pick(declare.locator("select[name=form_evidence_id]"), "申报表")
    page.once("dialog", lambda dialog: dialog.accept())
    declare.locator("button[type=submit]").click()
    page.wait_for_load_state()
    table = page.locator("[data-testid=external-interpreters]")
    row = table.locator("tr", has_text=INTERPRETER)
    assert "无冲突" in row.locator("[data-testid=declaration-status]").inner_text()
    assert f"由 {entered_by} 代为录入" in row.inner_text()
    assert row.locator("[data-testid=declaration-form-link]").count() == 1
    shot(page, "record-external-interpreter")


def _say(page: Any, text: str, direction: str) -> None:
    page.locator(f"[data-testid=direction-{direction}]").check()
    page.locator("[data-testid=say-text]").fill(text)
    page.locator("[data-testid=say-submit]").click()
    page.wait_for_load_state()


def _pdf_text_and_image(page: Any, tmp_path: Path) -> str:
    with page.expect_download() as download:
        page.locator("[data-testid=export-pdf]").click()
    path = tmp_path / "record.pdf"
    download.value.save_as(path)
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(path))
    ARTIFACTS.mkdir(exist_ok=True)
    for number in range(len(pdf)):
        image = pdf[number].render(scale=1.5).to_pil()
        image.save(ARTIFACTS / f"record-pdf-page-{number + 1}.png")
    return "\n".join(pdf[n].get_textpage().get_text_range() for n in range(len(pdf)))


def test_one_clerk_keeps_the_record_of_an_interpreted_interview(
    page: Any, server: Server, tmp_path: Path
) -> None:
    spelling, _ = lexicon_spelling()
    subprocess.run(
        [sys.executable, "-m", "interp_service.cli", "glossary", "import", str(SHIPPED)],
        env=server.env,
        check=True,
        capture_output=True,
    )
    login(page, *ADMIN)
    create_user(page, "rpro", "prosecutor", PASSWORD, name="吴检察官")
    create_user(page, "rclerk", "clerk", PASSWORD, name="田书记员")
    logout(page)
    login(page, "rpro", PASSWORD)
    case_url = _prosecutor_opens_the_case(page)
    logout(page)

    login(page, "rclerk", PASSWORD)
    engage_interpreter(page, case_url, tmp_path)
    page.goto(case_url)
    page.locator("[data-testid=open-interview]").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+/interviews/\d+$"))

    # The question: 认罪认罚 is marked as a legal term and listed for explanation.
    _say(page, QUESTION, "to-party")
    first = page.locator("[data-testid=exchange]").first
    legal = first.locator("[data-testid=pane-cmn] mark.term.legal", has_text="认罪认罚")
    assert legal.count() == 1
    assert "认罪认罚" in first.locator("[data-testid=explain]").inner_text()
    # The suggestion is a gloss: there is nothing to accept; the interpreter's words are typed.
    assert first.locator("[data-testid=accept]").count() == 0
    assert "逐词对照" in first.locator("[data-testid=gloss-refusal]").inner_text()
    form = first.locator("[data-testid=rendering-form]")
    assert form.locator("[data-testid=rendering-input]").input_value() == ""
    chosen = form.locator("[data-testid=interpreter-select] option:checked").inner_text()
    assert INTERPRETER in chosen  # the only interpreter of the case is preselected
    interpreters_words = f"zz-0001 {spelling} zz-0002"
    form.locator("[data-testid=rendering-input]").fill(interpreters_words)
    form.locator("[data-testid=save-rendering]").click()
    page.wait_for_load_state()
    first = page.locator("[data-testid=exchange]").first
    assert first.locator("[data-testid=rendering-text]").inner_text() == interpreters_words
    people = first.locator("[data-testid=rendering-people]").inner_text()
    assert f"译员：{INTERPRETER}（外聘）" in people and "记录人：田书记员" in people
    first.locator("[data-testid=explain-term]").first.check()
    first.locator("[data-testid=explained-submit]").click()
    page.wait_for_load_state()
    explained = page.locator("[data-testid=exchange]").first.locator("[data-testid=explained]")
    assert "认罪认罚" in explained.inner_text()

    # Chinese typed as the party's Miao answer is caught before anything is saved.
    _say(page, CHINESE_ANSWER, "from-party")
    message = page.locator("[data-field=text]").inner_text()
    assert "汉语" in message and "方向" in message
    assert page.locator("[data-testid=confirm-language]").count() == 1
    assert page.locator("[data-testid=exchange]").count() == 1
    assert page.locator("[data-testid=direction-from-party]").is_checked()
    shot(page, "record-language-caught")
    _say(page, spelling, "from-party")
    assert page.locator("[data-testid=exchange]").count() == 2
    # The direction stays as chosen and the text box has the focus for the next entry.
    assert page.locator("[data-testid=direction-from-party]").is_checked()
    focused = page.evaluate("document.activeElement && document.activeElement.dataset.testid")
    assert focused == "say-text"

    # A standard notice goes in with its citation; no approved Miao: oral interpretation.
    notice = page.locator("[data-testid=phrase]").first
    title = notice.locator("strong").inner_text()
    assert "无核准苗语译文" in notice.inner_text()
    notice.locator("[data-testid=insert-notice]").click()
    page.wait_for_load_state()
    inserted = page.locator("[data-testid=exchange]").last
    assert "标准告知" in inserted.locator("[data-testid=notice-badge]").inner_text()
    assert "刑事诉讼法" in inserted.locator("[data-testid=notice-badge]").inner_text()
    assert title

    # The interpreter states the read-back; the clerk enters it.
    read_back = page.locator("[data-testid=read-back-form]")
    read_back.locator("[data-testid=read-back-check]").check()
    read_back.locator("[data-testid=read-back-submit]").click()
    page.wait_for_load_state()
    assert INTERPRETER in page.locator("[data-testid=read-back-done]").inner_text()
    shot(page, "record-interview-page")

    text = _pdf_text_and_image(page, tmp_path)
    flat = re.sub(r"\s+", "", text)
    assert flat.startswith("讯问笔录")
    assert f"译员（{INTERPRETER}（外聘））" in flat
    assert "记录人（田书记员）" in flat
    assert f"译员：{INTERPRETER}（外聘）；记录人：田书记员" in flat
    assert re.sub(r"\s+", "", interpreters_words) in flat
    assert "由田书记员代为录入" in flat and "第一百二十二条" in flat
    assert "[" not in text  # no gloss with unknown-word markers, as rendering or suggestion
    assert "逐词对照，不是译文，不列出" in flat
