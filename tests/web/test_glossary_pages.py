"""Glossary pages: import report with line numbers, proposal form errors, decisions."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, browser_session

HEADER = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
)
GOOD = HEADER + "t-1\toffences\tcmn\t\t盗窃\tnoun\tpreferred\t释义草稿\t\t\t\tunverified\t\n"


def _as(client: TestClient, app: FastAPI, account: Account) -> str:
    cookies, headers = browser_session(app, account)
    client.cookies.clear()
    client.cookies.update(cookies)
    return headers["X-CSRF-Token"]


def test_import_page_lists_every_bad_line_and_writes_nothing(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = _as(client, app, admin)
    bad = GOOD + "t-2\toffences\tqqqq\t\t诈骗\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
    bad += "t-3\toffences\tcmn\t\t\tnoun\tpreferred\t\t\t\t\tunverified\t\n"
    r = client.post(
        "/glossary/import",
        data={"csrf_token": csrf, "action": "import"},
        files={"file": ("bad.tsv", bad.encode(), "text/plain")},
    )
    assert r.status_code == 422
    rows = re.findall(r"<tr><td>(\d+)</td>", r.text)
    assert rows == ["3", "4"]
    assert client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["total"] == 0


def test_check_then_import(app: FastAPI, client: TestClient, admin: Account) -> None:
    csrf = _as(client, app, admin)
    files = {"file": ("good.tsv", GOOD.encode(), "text/plain")}
    checked = client.post(
        "/glossary/import", data={"csrf_token": csrf, "action": "check"}, files=files
    )
    assert "检查通过" in checked.text
    assert client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["total"] == 0
    done = client.post(
        "/glossary/import",
        data={"csrf_token": csrf, "action": "import"},
        files={"file": ("good.tsv", GOOD.encode(), "text/plain")},
    )
    assert "术语库版本 1" in done.text
    again = client.post(
        "/glossary/import",
        data={"csrf_token": csrf, "action": "import"},
        files={"file": ("good.tsv", GOOD.encode(), "text/plain")},
    )
    assert "没有任何变化" in again.text


def test_proposal_form_keeps_input_on_error(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", GOOD.encode(), "text/plain")},
    )
    concept = client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["items"][0]
    clerk = make_user("clerk", "clerk")
    csrf = _as(client, app, clerk)
    r = client.post(
        f"/glossary/concepts/{concept['id']}/propose",
        data={"csrf_token": csrf, "language": "cmn", "text": "盗窃", "usage_note": "重复的说明"},
    )
    assert r.status_code == 409 or r.status_code == 422
    assert "已有相同的术语" in r.text and 'value="重复的说明"' in r.text


def test_admin_without_competence_sees_why(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", GOOD.encode(), "text/plain")},
    )
    concept = client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["items"][0]
    clerk = make_user("clerk", "clerk")
    pid = client.post(
        "/api/v1/glossary/proposals",
        headers=bearer(clerk),
        json={
            "kind": "new_term",
            "concept_id": concept["id"],
            "term": {"language": "mmr", "text": "zz-0001"},
        },
    ).json()["id"]
    csrf = _as(client, app, admin)
    r = client.post(f"/glossary/proposals/{pid}/approve", data={"csrf_token": csrf})
    assert r.status_code == 403 and "语言能力" in r.text
    assert client.get("/api/v1/glossary/proposals", headers=bearer(admin)).json()["total"] == 1
