"""Glossary pages: import report with line numbers, proposal form errors, decisions."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, sign_in

HEADER = (
    "concept_id\tsubject_field\tlanguage\tvariety\tterm\tpart_of_speech\tstatus\t"
    "definition\tcitations\tnote\tsource\tverification\tipa\n"
)
GOOD = HEADER + "t-1\toffences\tcmn\t\t盗窃\tnoun\tpreferred\t释义草稿\t\t\t\tunverified\t\n"


def test_import_page_lists_every_bad_line_and_writes_nothing(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    csrf = sign_in(client, app, admin)
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
    csrf = sign_in(client, app, admin)
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
    csrf = sign_in(client, app, clerk)
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
    csrf = sign_in(client, app, admin)
    r = client.post(f"/glossary/proposals/{pid}/approve", data={"csrf_token": csrf})
    assert r.status_code == 403 and "语言能力" in r.text
    assert client.get("/api/v1/glossary/proposals", headers=bearer(admin)).json()["total"] == 1


def _concept(client: TestClient, admin: Account) -> dict[str, Any]:
    client.post(
        "/api/v1/glossary/import",
        headers=bearer(admin),
        files={"file": ("g.tsv", GOOD.encode(), "text/plain")},
    )
    items = client.get("/api/v1/glossary/concepts", headers=bearer(admin)).json()["items"]
    return dict(items[0])


def test_admin_edits_a_term_on_the_page_and_stale_forms_conflict(
    app: FastAPI, client: TestClient, admin: Account
) -> None:
    concept = _concept(client, admin)
    term = concept["terms"][0]
    csrf = sign_in(client, app, admin)
    form = {
        "csrf_token": csrf,
        "language": "cmn",
        "text": term["text"],
        "status": "deprecated",
        "part_of_speech": "noun",
        "version": str(term["version"]),
    }
    saved = client.post(f"/glossary/terms/{term['id']}/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303
    stale = client.post(f"/glossary/terms/{term['id']}/edit", data={**form, "status": "forbidden"})
    assert stale.status_code == 422 and "已被他人修改" in stale.text
    now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    assert now["terms"][0]["status"] == "deprecated"
    page = client.get(f"/glossary/concepts/{concept['id']}")
    assert "使用状态：首选用词 → 不推荐" in page.text


def test_clerk_edit_becomes_a_change_proposal(
    app: FastAPI, client: TestClient, admin: Account, make_user: Any
) -> None:
    concept = _concept(client, admin)
    term = concept["terms"][0]
    clerk = make_user("clerk", "clerk")
    csrf = sign_in(client, app, clerk)
    r = client.post(
        f"/glossary/terms/{term['id']}/edit",
        data={
            "csrf_token": csrf,
            "language": "cmn",
            "text": term["text"],
            "status": "admitted",
            "usage_note": "口语中常说“偷东西”",
            "comment": "补充用法",
            "version": "1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    pending = client.get("/api/v1/glossary/proposals", headers=bearer(clerk)).json()["items"]
    assert pending[0]["kind"] == "change_term" and pending[0]["term_id"] == term["id"]
    unchanged = client.get(
        f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(clerk)
    ).json()
    assert unchanged["terms"][0]["usage_note"] == ""


def test_admin_edits_concept_citations(app: FastAPI, client: TestClient, admin: Account) -> None:
    concept = _concept(client, admin)
    csrf = sign_in(client, app, admin)
    r = client.post(
        f"/glossary/concepts/{concept['id']}/edit",
        data={
            "csrf_token": csrf,
            "subject_field": "offences",
            "definition": "新的释义草稿",
            "citations": "《刑法》第二百六十四条\n",
            "note": "",
            "version": str(concept["version"]),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    now = client.get(f"/api/v1/glossary/concepts/{concept['id']}", headers=bearer(admin)).json()
    assert now["citations"] == ["《刑法》第二百六十四条"] and now["definition"] == "新的释义草稿"
