"""First journey: admin creates users and a case with a Miao-speaking party, assigns a
prosecutor and a clerk; an unassigned prosecutor cannot open the case."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import ADMIN, create_user, login, logout, shot

pytestmark = pytest.mark.browser
CASE_NUMBER = "保检刑诉〔2026〕12号"
PASSWORD = "journey-password-1"


def test_first_journey(page: Any) -> None:
    login(page, *ADMIN)
    assert page.locator("[data-testid=who]").inner_text().startswith("管理员")

    create_user(
        page, "longjc", "prosecutor", PASSWORD, name="龙检察官", competence="mmr 花垣 native"
    )
    create_user(page, "shisj", "clerk", PASSWORD, name="石书记员")
    create_user(page, "yangjc", "prosecutor", PASSWORD, name="杨检察官")
    shot(page, "foundation-users")

    # A bad form keeps what was typed and says what is wrong beside the field.
    page.goto("/cases/new")
    page.fill("input[name=case_number]", CASE_NUMBER)
    page.fill("input[name=title]", "某某盗窃案")
    page.fill("input[name=opened_on]", "2026-11-20")
    page.fill("input[name=closed_on]", "2026-11-01")
    page.click("main button[type=submit]")
    assert page.locator(".field-error[data-field=closed_on]").is_visible()
    assert page.input_value("input[name=title]") == "某某盗窃案"

    page.fill("input[name=closed_on]", "")
    page.select_option("select[name=stage]", "审查起诉")
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/cases/\d+$"))
    case_url = page.url
    assert page.locator("[data-testid=case-number]").inner_text() == CASE_NUMBER

    page.click("#parties summary")
    party = page.locator("[data-testid=party-form]")
    party.locator("input[name=name]").fill("龙某")
    party.locator("select[name=role]").select_option("suspect")
    party.locator("select[name=language]").select_option("mmr")
    party.locator("input[name=variety]").fill("花垣")
    party.locator("input[name=needs_interpreter]").check()
    party.locator("button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator("[data-testid=parties] tbody tr").first
    assert "龙某" in row.inner_text() and "mmr" in row.inner_text()

    assign = page.locator("[data-testid=assign-form]")
    # No declaration is taken here: for an interpreter the form says that they file their
    # own (shown only for that role, by static JavaScript).
    page.click("#assignments summary")
    assert assign.locator("input[name=has_conflict]").count() == 0
    assign.locator("select[name=role_on_case]").select_option("interpreter")
    assert assign.locator(".interpreter-hint").is_visible()
    assert "译员须本人登录填写申报" in assign.locator(".interpreter-hint").inner_text()
    for username, role in (("longjc", "lead_prosecutor"), ("shisj", "clerk")):
        page.click("#assignments summary") if not assign.is_visible() else None
        option = assign.locator("select[name=user_id] option", has_text=f"（{username}）")
        assign.locator("select[name=user_id]").select_option(option.get_attribute("value"))
        assign.locator("select[name=role_on_case]").select_option(role)
        assert not assign.locator(".interpreter-hint").is_visible()
        assign.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assignments = page.locator("[data-testid=assignments]").inner_text()
    assert "longjc" in assignments and "承办检察官" in assignments and "shisj" in assignments
    shot(page, "foundation-case")
    logout(page)

    # The assigned prosecutor sees the case on the dashboard and opens it.
    login(page, "longjc", PASSWORD)
    assert CASE_NUMBER in page.content()
    page.click(f"text={CASE_NUMBER}")
    assert page.locator("[data-testid=case-number]").inner_text() == CASE_NUMBER
    logout(page)

    # The unassigned prosecutor sees neither the case in the list nor the case page.
    login(page, "yangjc", PASSWORD)
    page.goto("/cases")
    assert CASE_NUMBER not in page.content()
    response = page.goto(case_url)
    assert response.status == 404
    assert CASE_NUMBER not in page.content()
    shot(page, "foundation-denied")
