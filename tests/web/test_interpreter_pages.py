"""The case page's people section: the assign form takes no declaration, the interpreter
files their own under their login, and case staff engage an external interpreter and record
their signed declaration on their behalf with the form from the case's files."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.conftest import Account, assign_interpreter, bearer, new_case, sign_in


def _case(client: TestClient, lead: Account) -> int:
    cid = int(new_case(client, lead)["id"])
    r = client.post(
        f"/api/v1/cases/{cid}/parties",
        headers=bearer(lead),
        json={"name": "龙某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
    )
    assert r.status_code == 201
    return cid


def _id_in(pattern: str, html: str) -> int:
    match = re.search(pattern, html)
    assert match, pattern
    return int(match.group(1))


def _statuses(html: str) -> list[str]:
    cells = re.findall(r'data-testid="declaration-status">(.*?)</span>', html, re.S)
    return [re.sub(r"<[^>]+>", "", c).strip() for c in cells]


def test_the_assign_form_takes_no_declaration_and_the_interpreter_files_theirs(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    terp = make_user("terp", "clerk", competences=("mmr",))
    cid = _case(client, lead)
    csrf = sign_in(client, app, lead)
    page = client.get(f"/cases/{cid}").text
    form = page[page.index('data-testid="assign-form"') :]
    form = form[: form.index("</form>")]
    assert 'name="has_conflict"' not in form
    assert "译员须本人登录填写申报；外聘译员请在下方登记" in form
    r = client.post(
        f"/cases/{cid}/assignments",
        data={"csrf_token": csrf, "user_id": str(terp.id), "role_on_case": "interpreter"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/cases/{cid}").text
    assert _statuses(page) == ["待本人申报"]
    # The lead sees no form to file it for them.
    assert 'data-testid="my-declaration"' not in page

    csrf = sign_in(client, app, terp)
    page = client.get(f"/cases/{cid}").text
    assert 'data-testid="my-declaration"' in page and "填写我的利益冲突申报" in page
    aid = _id_in(r"/assignments/(\d+)/declaration", page)
    # No choice: the message beside the radios, the statement kept.
    r = client.post(
        f"/cases/{cid}/assignments/{aid}/declaration",
        data={"csrf_token": csrf, "statement": "与当事人素不相识"},
    )
    assert r.status_code == 422 and 'data-field="has_conflict"' in r.text
    assert "与当事人素不相识</textarea>" in r.text
    r = client.post(
        f"/cases/{cid}/assignments/{aid}/declaration",
        data={"csrf_token": csrf, "has_conflict": "no", "statement": "与当事人素不相识"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    [status] = _statuses(client.get(f"/cases/{cid}").text)
    assert re.fullmatch(r"本人申报无冲突（\d{4}-\d{2}-\d{2}）", status), status


def test_staff_engage_an_external_interpreter_and_record_the_signed_declaration(
    app: FastAPI, client: TestClient, make_user: Any
) -> None:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("clerk", "clerk")
    terp = make_user("terp", "clerk", competences=("mmr",))
    cid = _case(client, lead)
    client.post(
        f"/api/v1/cases/{cid}/assignments",
        headers=bearer(lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assign_interpreter(client, lead, cid, terp)
    # Interpreters see the external interpreters but not the forms.
    sign_in(client, app, terp)
    page = client.get(f"/cases/{cid}").text
    assert 'data-testid="external-interpreters"' in page
    assert 'data-testid="external-form"' not in page

    csrf = sign_in(client, app, clerk)
    page = client.get(f"/cases/{cid}").text
    assert 'data-testid="external-form"' in page and "尚无外聘译员" in page
    bad = client.post(
        f"/cases/{cid}/external-interpreters",
        data={
            "csrf_token": csrf,
            "name": "",
            "organisation": "花垣县民族事务局",
            "language": "mmr",
        },
    )
    assert bad.status_code == 422 and 'data-field="name"' in bad.text
    assert 'value="花垣县民族事务局"' in bad.text
    r = client.post(
        f"/cases/{cid}/external-interpreters",
        data={
            "csrf_token": csrf,
            "name": "石某某",
            "organisation": "花垣县民族事务局",
            "language": "mmr",
            "variety": "花垣",
            "notes": "",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("#external")
    page = client.get(f"/cases/{cid}").text
    assert "石某某" in page and "待录入本人签名的申报" in page
    assert 'data-testid="external-declaration-form"' in page
    assert "上传译员签名申报表的扫描件" in page
    xid = _id_in(r"/external-interpreters/(\d+)/declaration", page)
    url = f"/cases/{cid}/external-interpreters/{xid}/declaration"

    # Without the signed form: refused beside the select, the choice and statement kept.
    r = client.post(
        url,
        data={
            "csrf_token": csrf,
            "has_conflict": "no",
            "statement": "与本案当事人无亲属关系",
            "form_evidence_id": "",
        },
    )
    assert r.status_code == 422 and 'data-field="form_evidence_id"' in r.text
    assert "与本案当事人无亲属关系</textarea>" in r.text
    assert re.search(r'value="no"\s+checked', r.text)

    # Upload the scanned form under the case's files, then choose it.
    upload = client.post(
        f"/cases/{cid}/evidence",
        data={"csrf_token": csrf, "description": "石某某签名申报表"},
        files={"file": ("石某某申报表.txt", b"signed declaration form\n", "text/plain")},
        follow_redirects=False,
    )
    assert upload.status_code == 303, upload.text
    page = client.get(f"/cases/{cid}").text
    fid = re.search(r'<option value="(\d+)"[^>]*>石某某申报表\.txt', page)
    assert fid, "the case's file is offered as the signed form"
    r = client.post(
        url,
        data={
            "csrf_token": csrf,
            "has_conflict": "no",
            "statement": "与本案当事人无亲属关系",
            "form_evidence_id": fid.group(1),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    page = client.get(f"/cases/{cid}").text
    assert any(
        re.fullmatch(r"本人签名申报无冲突（\d{4}-\d{2}-\d{2}）", s) for s in _statuses(page)
    ), _statuses(page)
    assert "由 Clerk 代为录入，附签名申报表" in page
    link = f'href="/api/v1/cases/{cid}/evidence/{fid.group(1)}/content"'
    assert link in page
    content = client.get(f"/api/v1/cases/{cid}/evidence/{fid.group(1)}/content")
    assert content.status_code == 200 and content.content == b"signed declaration form\n"

    # Ending the engagement.
    r = client.post(
        f"/cases/{cid}/external-interpreters/{xid}/end",
        data={"csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/cases/{cid}").text
    assert 'data-testid="external-declaration-form"' not in page
