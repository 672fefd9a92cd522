"""Interview journey: with no model installed a prosecutor's Chinese question gets a labelled
gloss with the approved term highlighted in both panes; the rendering accepted lands in the
record; a Miao answer is glossed into Chinese; a correction approved by a competent admin
makes the same question an exact memory hit; the record exports as DOCX and PDF."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, Server, create_user, login, logout, shot
from tests.browser.test_journey_interview_record import engage_interpreter
from tests.glossary.test_glossary_api import SHIPPED, lexicon_spelling

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-3"
CASE_NUMBER = "保检刑诉〔2026〕41号"
QUESTION = "你知道什么是取保候审吗？"


def _approve_term(page: Any, spelling: str) -> None:
    """As a Miao-competent admin: propose and approve the Miao term for 取保候审."""
    page.goto("/glossary?q=取保候审")
    page.locator("[data-testid=lookup-results] a", has_text="取保候审").first.click()
    page.wait_for_load_state()
    propose = page.locator("[data-testid=propose-form]")
    propose.locator("select[name=language]").select_option("mmr")
    propose.locator("input[name=variety]").fill("花垣")
    propose.locator("input[name=text]").fill(spelling)
    propose.locator("textarea[name=comment]").fill("拼写取自 Chen 2012 词表")
    propose.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/glossary/proposals")
    row = page.locator("[data-testid=proposals] tbody tr", has_text=spelling)
    row.locator("button", has_text="批准").click()
    page.wait_for_load_state()


def _open_interview(page: Any) -> None:
    page.goto("/cases/new")
    page.fill("input[name=case_number]", CASE_NUMBER)
    page.fill("input[name=title]", "龙某某故意伤害案")
    page.fill("input[name=opened_on]", "2026-11-20")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    page.click("#parties summary")
    party = page.locator("[data-testid=party-form]")
    party.locator("input[name=name]").fill("龙某某")
    party.locator("select[name=role]").select_option("suspect")
    party.locator("select[name=language]").select_option("mmr")
    party.locator("input[name=variety]").fill("花垣")
    party.locator("input[name=needs_interpreter]").check()
    party.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.click("#interviews summary")
    form = page.locator("#interviews form.stack")
    form.locator("input[name=scheduled_at]").fill("2026-11-28T09:30")
    form.locator("input[name=place]").fill("保靖县人民检察院询问室")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.locator("[data-testid=open-interview]").first.click()
    page.wait_for_url(re.compile(r"/cases/\d+/interviews/\d+$"))


def _say(page: Any, text: str, direction: str) -> Any:
    page.locator(f"[data-testid=direction-{direction}]").check()
    page.locator("[data-testid=say-text]").fill(text)
    page.locator("[data-testid=say-submit]").click()
    page.wait_for_load_state()
    return page.locator("[data-testid=exchange]").last


def test_interview_journey(page: Any, server: Server, tmp_path: Path) -> None:
    spelling, _ = lexicon_spelling()
    # The admin loads the shipped glossary from the shell, as the README shows.
    subprocess.run(
        [sys.executable, "-m", "interp_service.cli", "glossary", "import", str(SHIPPED)],
        env=server.env,
        check=True,
        capture_output=True,
    )
    login(page, *ADMIN)
    create_user(page, "ipro", "prosecutor", PASSWORD, name="吴检察官", competence="mmr 花垣 fluent")
    create_user(page, "imiao", "admin", PASSWORD, name="龙审核", competence="mmr 花垣 native")
    logout(page)
    login(page, "imiao", PASSWORD)
    _approve_term(page, spelling)
    logout(page)

    login(page, "ipro", PASSWORD)
    _open_interview(page)
    interview_url = page.url
    # The interpreter is engaged for the case (no login), declared on a signed form.
    engage_interpreter(page, interview_url.rsplit("/interviews/", 1)[0], tmp_path, "吴检察官")
    page.goto(interview_url)

    # Chinese → Miao with nothing in memory and no model: a labelled gloss.
    first = _say(page, QUESTION, "to-party")
    assert first.locator("[data-testid=badge]").first.inner_text() == "逐词对照·需译员"
    assert "含未知词" in first.locator("[data-testid=flag]").all_inner_texts()
    cmn_term = first.locator("[data-testid=pane-cmn] mark.term")
    party_term = first.locator("[data-testid=pane-party] mark.term")
    assert cmn_term.first.inner_text().startswith("取保候审")
    assert party_term.first.inner_text().startswith(spelling)
    party_term.first.focus()
    card = party_term.first.locator(".term-card")
    assert card.is_visible() and "已核实" in card.inner_text()
    assert "尚无译员译文" in first.locator("[data-testid=rendering]").inner_text()
    shot(page, "interview-gloss")
    # Read-back: espeak-ng speaks the Chinese question (readback.js plays the WAV).
    with page.expect_response("**/api/v1/speech/readback") as spoken:
        first.locator("[data-testid=readback]").first.click()
    assert spoken.value.status == 200
    assert spoken.value.headers["content-type"] == "audio/wav"

    # A gloss is no rendering: nothing to accept; the interpreter's words are typed.
    assert first.locator("[data-testid=accept]").count() == 0
    first.locator("[data-testid=rendering-input]").fill(f"zz-0001 {spelling}")
    first.locator("[data-testid=save-rendering]").click()
    page.wait_for_load_state()
    first = page.locator("[data-testid=exchange]").first
    rendering = first.locator("[data-testid=rendering-text]").inner_text()
    assert rendering == f"zz-0001 {spelling}"

    # Miao → Chinese: the answer is glossed and the term is marked in the Chinese pane.
    answer = _say(page, spelling, "from-party")
    assert answer.locator("[data-testid=badge]").first.inner_text() == "逐词对照·需译员"
    assert (
        answer.locator("[data-testid=pane-cmn] mark.term").first.inner_text().startswith("取保候审")
    )

    # The term lookup panel answers in place (static JavaScript).
    page.locator("[data-testid=lookup-q]").fill("qubaohoushen")
    page.locator("[data-testid=lookup-form] button").click()
    results = page.locator("[data-testid=lookup-results] li").first
    results.wait_for()
    assert "取保候审" in page.locator("[data-testid=lookup-results]").inner_text()

    # A correction goes to review; the competent admin approves it into memory.
    first.locator("summary", has_text="提交更正供审核").click()
    correction = f"zz-0001 {spelling} zz-0002"
    first.locator("form[action$=correction] textarea").fill(correction)
    first.locator("[data-testid=send-correction]").click()
    page.wait_for_load_state()
    assert "更正已提交" in page.locator("[data-testid=notice]").inner_text()
    logout(page)
    login(page, "imiao", PASSWORD)
    page.goto("/memory/review")
    queue = page.locator("[data-testid=memory-queue]")
    assert correction in queue.inner_text()
    queue.locator("form[data-testid^=approve-] button").first.click()
    page.wait_for_load_state()
    logout(page)

    login(page, "ipro", PASSWORD)
    page.goto(interview_url)
    again = _say(page, QUESTION, "to-party")
    assert again.locator("[data-testid=badge]").first.inner_text() == "翻译记忆·完全匹配"
    assert correction in again.locator("[data-testid=pane-party]").inner_text()
    assert (
        again.locator("[data-testid=pane-party] mark.term").first.inner_text().startswith(spelling)
    )
    shot(page, "interview-memory")

    with page.expect_download() as docx_download:
        page.locator("[data-testid=export-docx]").click()
    docx_path = tmp_path / "record.docx"
    docx_download.value.save_as(docx_path)
    from docx import Document

    document = Document(str(docx_path))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert rendering in text and QUESTION in text

    with page.expect_download() as pdf_download:
        page.locator("[data-testid=export-pdf]").click()
    pdf_path = tmp_path / "record.pdf"
    pdf_download.value.save_as(pdf_path)
    assert pdf_path.read_bytes().startswith(b"%PDF")
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(pdf_path))
    first_page = pdf[0].get_textpage().get_text_range()
    assert CASE_NUMBER in first_page
