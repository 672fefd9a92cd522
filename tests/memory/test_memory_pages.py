"""The review queue and phrasebook pages: rendering, the conflict flag, approving and
rejecting through the forms (CSRF), a readable refusal without competence."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.memory.phrasebook import seed_phrasebook
from tests.conftest import Account, bearer, new_case, sign_in
from tests.memory.conftest import approved_pair, lookup, pair, submit

QUESTION = "你昨天晚上在什么地方？"


def test_review_page_shows_conflict_and_approves_with_edit(
    app: FastAPI, client: TestClient, prosecutor: Account, miao_admin: Account
) -> None:
    case = new_case(client, prosecutor)
    approved_pair(client, prosecutor, miao_admin, QUESTION, "zz-0001")
    sid = submit(client, prosecutor, pair(QUESTION, "zz-0002", case_id=case["id"]))["id"]
    csrf = sign_in(client, app, miao_admin)
    page = client.get("/memory/review")
    assert page.status_code == 200
    assert 'data-testid="conflict-flag">冲突' in page.text
    assert re.search(r'data-testid="conflicting-target">zz-0001<', page.text)
    assert f'href="/cases/{case["id"]}"' in page.text and "Wu" in page.text
    missing_token = client.post(f"/memory/review/{sid}/approve", data={"note": "好"})
    assert missing_token.status_code == 403
    r = client.post(
        f"/memory/review/{sid}/approve",
        data={"csrf_token": csrf, "edited_target": "zz-0003", "note": "改了一个词"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/memory/review?approved=1"
    assert "没有待审的译文" in client.get(r.headers["location"]).text
    assert lookup(client, prosecutor, QUESTION)["exact"]["target_text"] == "zz-0003"


def test_admin_without_competence_reads_why(
    app: FastAPI, client: TestClient, prosecutor: Account, admin: Account
) -> None:
    sid = submit(client, prosecutor, pair(QUESTION, "zz-0001", target_variety="花垣"))["id"]
    csrf = sign_in(client, app, admin)
    page = client.get("/memory/review")
    assert f'data-testid="no-competence-{sid}"' in page.text
    assert "湘西苗语（西部）（mmr）（花垣）" in page.text
    assert f'data-testid="approve-{sid}"' not in page.text  # no approve form to try
    r = client.post(f"/memory/review/{sid}/approve", data={"csrf_token": csrf})
    assert r.status_code == 403 and "语言能力" in r.text and 'role="alert"' in r.text
    empty = client.post(f"/memory/review/{sid}/reject", data={"csrf_token": csrf, "note": ""})
    assert empty.status_code == 422 and "请填写驳回理由" in empty.text
    done = client.post(
        f"/memory/review/{sid}/reject",
        data={"csrf_token": csrf, "note": "请具备花垣土语能力的同事审核"},
        follow_redirects=False,
    )
    assert done.status_code == 303


def test_review_page_is_for_admins(app: FastAPI, client: TestClient, prosecutor: Account) -> None:
    sign_in(client, app, prosecutor)
    assert client.get("/memory/review").status_code == 403
    assert "译文审核" not in client.get("/memory/phrasebook").text  # no admin nav link


def test_phrasebook_page_and_filling_in_the_miao_side(
    app: FastAPI, client: TestClient, miao_admin: Account, admin: Account, prosecutor: Account
) -> None:
    with app.state.services.session_factory() as session:
        seed_phrasebook(session)
        session.commit()
    sign_in(client, app, prosecutor)
    page = client.get("/memory/phrasebook")
    assert page.status_code == 200
    assert "草稿·待核实" in page.text and "（尚无核准的苗语译文）" in page.text
    assert "《刑事诉讼法》（2018）第九条" in page.text and "常用语手册" in page.text
    assert 'data-testid="phrasebook-draft-note"' in page.text
    assert "phrase-form-" not in page.text  # prosecutors only read
    sign_in(client, app, admin)
    assert "phrase-form-" not in client.get("/memory/phrasebook").text  # no Miao competence
    csrf = sign_in(client, app, miao_admin)
    page = client.get("/memory/phrasebook?category=standard_question")
    assert "委托辩护人的权利" not in page.text and "是否听得懂翻译" in page.text
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(miao_admin)).json()
    phrase = next(p for p in book if p["phrase_code"] == "question-04")
    stale = client.post(
        f"/memory/phrasebook/{phrase['id']}",
        data={"csrf_token": csrf, "version": str(phrase["version"] + 5), "target_text": "zz-0004"},
    )
    assert stale.status_code == 409 and "已被他人修改" in stale.text
    r = client.post(
        f"/memory/phrasebook/{phrase['id']}",
        data={"csrf_token": csrf, "version": str(phrase["version"]), "target_text": "zz-0004"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(r.headers["location"])
    row = re.search(r'data-testid="phrase-question-04">(.*?)</tr>', page.text, re.S)
    assert row is not None and "zz-0004" in row.group(1) and "已核准" in row.group(1)
    assert lookup(client, prosecutor, phrase["source_text"])["exact"]["target_text"] == "zz-0004"


def test_nav_links(app: FastAPI, client: TestClient, miao_admin: Account) -> None:
    sign_in(client, app, miao_admin)
    page = client.get("/memory/phrasebook").text
    assert 'href="/memory/review"' in page and 'href="/memory/phrasebook"' in page


def test_queue_page_lists_submitter_names(
    app: FastAPI, client: TestClient, make_user: Any, miao_admin: Account
) -> None:
    clerk = make_user("longclerk", "clerk")
    submit(client, clerk, pair("你住在哪里？", "zz-0001", origin="transcript"))
    sign_in(client, app, miao_admin)
    page = client.get("/memory/review").text
    assert "Longclerk" in page and "笔录转写" in page
