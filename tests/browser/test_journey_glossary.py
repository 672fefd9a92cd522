"""Glossary journey: an admin imports the shipped glossary, a clerk proposes a Miao term,
an admin with `mmr` competence approves it, and lookup finds it as verified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, create_user, login, logout, shot
from tests.glossary.test_glossary_api import SHIPPED, lexicon_spelling

pytestmark = pytest.mark.browser
PASSWORD = "journey-password-2"


def test_glossary_journey(page: Any, tmp_path: Path) -> None:
    spelling, _ = lexicon_spelling()
    login(page, *ADMIN)
    create_user(page, "gclerk", "clerk", PASSWORD)
    create_user(page, "gmiao", "admin", PASSWORD, competence="mmr 花垣 native")

    page.goto("/glossary/import")
    form = page.locator("[data-testid=import-form]")
    form.locator("input[name=file]").set_input_files(str(SHIPPED))
    form.locator("button[value=check]").click()
    page.wait_for_load_state()
    assert "检查通过" in page.locator("[data-testid=import-report]").inner_text()
    form = page.locator("[data-testid=import-form]")
    form.locator("input[name=file]").set_input_files(str(SHIPPED))
    form.locator("button[value=import]").click()
    page.wait_for_load_state()
    assert "术语库版本 1" in page.locator("[data-testid=import-report]").inner_text()
    logout(page)

    login(page, "gclerk", PASSWORD)
    page.goto("/glossary?q=qubaohoushen")
    page.locator("[data-testid=lookup-results] a", has_text="取保候审").first.click()
    page.wait_for_load_state()
    propose = page.locator("[data-testid=propose-form]")
    propose.locator("select[name=language]").select_option("mmr")
    propose.locator("input[name=variety]").fill("花垣")
    propose.locator("input[name=text]").fill(spelling)
    propose.locator("textarea[name=comment]").fill("拼写取自 Chen 2012 词表，请核实")
    propose.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "提议已提交" in page.content()
    shot(page, "glossary-proposed")
    logout(page)

    login(page, "gmiao", PASSWORD)
    page.goto("/glossary/proposals")
    row = page.locator("[data-testid=proposals] tbody tr", has_text=spelling)
    row.locator("button", has_text="批准").click()
    page.wait_for_load_state()
    page.goto(f"/glossary?q={spelling}&language=mmr")
    first = page.locator("[data-testid=lookup-results] tbody tr").first
    assert spelling in first.inner_text() and "已核实" in first.inner_text()
    page.goto("/glossary?sentence=犯罪嫌疑人申请取保候审&sentence_language=cmn")
    assert page.locator("[data-testid=recognised] mark", has_text="取保候审").count() == 1
    shot(page, "glossary-lookup")
