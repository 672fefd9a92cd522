"""The worklist and coverage pages render for signed-in users; the speech-data section is
for admins only."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, sign_in
from tests.coverage.helpers import say, second_case
from tests.interview_setup import World, interview_world


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> World:
    return interview_world(client, admin, make_user)


def test_worklist_page_shows_ranked_sections(
    client: TestClient, app: FastAPI, world: World, make_user: Any
) -> None:
    say(client, world.interview_api, world.lead, "犯罪嫌疑人叫什么名字？")
    say(client, world.interview_api, world.lead, "zz-0004", into_miao=False)
    sign_in(client, app, world.lead)
    page = client.get("/worklist")
    assert page.status_code == 200, page.text
    html = page.text
    assert "工作清单" in html and 'href="/worklist"' in html
    # The lead's competence names no variety, so the list covers every variety.
    assert '<h1>工作清单 <span class="muted">湘西苗语（西部）（mmr）</span></h1>' in html
    for section in ("concepts", "phrases", "sentences", "words", "unknown"):
        assert f'data-testid="worklist-{section}"' in html
    assert "犯罪嫌疑人叫什么名字？" in html and "zz-0004" in html
    assert f'href="{world.interview_api.removeprefix("/api/v1")}"' in html

    outsider = make_user("peng", "prosecutor", competences=("mmr",))
    sign_in(client, app, outsider)
    html = client.get("/worklist?variety=花垣").text
    assert "犯罪嫌疑人叫什么名字？" not in html
    assert 'data-testid="hidden-sentences"' in html and 'data-testid="hidden-words"' in html


def test_coverage_page_has_a_bar_per_week(
    client: TestClient, app: FastAPI, world: World, make_user: Any, admin: Account
) -> None:
    say(client, world.interview_api, world.lead, "你叫什么名字？")
    say(client, second_case(client, world.lead), world.lead, "你住在哪里？")
    sign_in(client, app, world.lead)
    page = client.get("/coverage?variety=花垣")
    assert page.status_code == 200, page.text
    assert 'data-testid="coverage"' in page.text
    assert page.text.count("<rect x=") == 2  # this week and the total, gloss only
    assert "逐词对照·需译员 100%" in page.text
    assert 'data-testid="speech-ready"' not in page.text
    sign_in(client, app, admin)
    admin_page = client.get("/coverage?period=month&direction=into")
    assert admin_page.status_code == 200
    assert 'data-testid="speech-ready"' in admin_page.text
    assert "/api/v1/coverage/speech-data.zip" in admin_page.text


def test_pages_need_sign_in(client: TestClient) -> None:
    for url in ("/worklist", "/coverage"):
        r = client.get(url, follow_redirects=False)
        assert r.status_code == 303
