"""Glossary pages show Chinese labels, never stored codes, and a Miao hit's Chinese meaning.

`preferred` is a term-choice status (首选用词), shown as a neutral label apart from the
verification badge, never styled as a mark of quality. Each test failed before the labels
were put in one place (web/labels.py) and used by the pages and the lookup script."""

from __future__ import annotations

import html
import json
import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.web import labels
from tests.conftest import Account, bearer, sign_in
from tests.interview_setup import TERM_CMN, approve_miao_term, interview_world


def _rows(page: str) -> list[str]:
    table = page.split('data-testid="lookup-results"', 1)[1].split("</table>", 1)[0]
    return table.split("<tr>")[2:]


def test_miao_hit_shows_its_chinese_meaning(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    spelling, _, _ = approve_miao_term(client, admin, make_user)
    hits = client.get(
        "/api/v1/glossary/lookup", params={"q": spelling, "language": "mmr"}, headers=bearer(admin)
    ).json()
    assert hits[0]["term"]["text"] == spelling and hits[0]["chinese_terms"][0] == TERM_CMN

    sign_in(client, app, admin)
    page = client.get("/glossary", params={"q": spelling, "language": "mmr"}).text
    first = _rows(page)[0]
    assert spelling in first and f"汉语：{TERM_CMN}" in first
    # A Chinese hit is its own meaning: nothing repeated beside it.
    page = client.get("/glossary", params={"q": TERM_CMN, "language": "cmn"}).text
    assert 'data-testid="meaning"' not in _rows(page)[0]


def test_search_and_concept_pages_show_labels_not_codes(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    spelling, _, _ = approve_miao_term(client, admin, make_user)
    sign_in(client, app, admin)
    page = client.get("/glossary", params={"q": spelling, "language": "mmr"}).text
    first = _rows(page)[0]
    assert "首选用词" in first and ">preferred<" not in first
    # The status is a neutral choice label, apart from the verification badge.
    assert re.search(r'<span class="choice status-preferred">首选用词</span>', first)
    assert not re.search(r'class="badge[^"]*"[^>]*>首选', first)

    link = re.search(r'href="/glossary/concepts/(\d+)"', first)
    assert link is not None
    concept_id = int(link.group(1))
    concept = client.get(f"/glossary/concepts/{concept_id}").text
    assert "领域：强制措施" in concept and "coercive-measures</" not in concept
    assert "领域：coercive-measures" not in concept
    terms = concept.split('data-testid="terms"', 1)[1].split("</table>", 1)[0]
    for code in (">preferred<", ">admitted<", ">noun<", ">project draft<"):
        assert code not in terms, code
    assert "首选用词" in terms and "名词" in terms and "项目草稿" in terms
    revisions = concept.split('data-testid="revisions"', 1)[1]
    assert "导入" in revisions and ">import<" not in revisions


def test_proposals_page_labels_language_and_status(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    approve_miao_term(client, admin, make_user)
    sign_in(client, app, admin)
    page = client.get("/glossary/proposals", params={"state": "approved"}).text
    table = page.split('data-testid="proposals"', 1)[1]
    assert "湘西苗语（西部）（mmr）" in table and "首选用词" in table


def test_lookup_script_gets_the_same_labels(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    """The interview page hands web/labels.py to interview.js as JSON (no inline script)."""
    world = interview_world(client, admin, make_user)
    sign_in(client, app, world.lead)
    page = client.get(f"/cases/{world.case_id}/interviews/{world.interview_id}").text
    found = re.search(r"data-labels='([^']*)'", page)
    assert found is not None
    data = json.loads(html.unescape(found.group(1)))
    assert data == labels.for_scripts()
    assert (
        data["status"]["preferred"] == "首选用词" and data["verification"]["approved"] == "已核实"
    )
    assert "<script>" not in page


def test_labels_live_in_one_place() -> None:
    assert labels.TERM_STATUS == {
        "preferred": "首选用词",
        "admitted": "可用",
        "deprecated": "不推荐",
        "forbidden": "禁用",
    }
    assert labels.subject_field("coercive-measures") == "强制措施"
    assert labels.subject_field("Lexicon") == "基本词汇"
    assert labels.subject_field("") == "—"
    assert labels.subject_field("其他领域") == "其他领域"
    assert labels.source("project draft") == "项目草稿"
    assert labels.source("Chen 2012 (lexibank)") == "Chen 2012 (lexibank)"
