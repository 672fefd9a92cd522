"""NUL characters and lone surrogates are refused at the edge with 422, on every database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interp_service.api.text_guard import NUL_MESSAGE, SURROGATE_MESSAGE, check_json
from tests.conftest import Account, bearer, new_case


def _refused(r: Any, field: str, message: str = NUL_MESSAGE) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["title"] == "输入有误"
    assert problem["detail"] == message
    assert problem["errors"] == [{"field": field, "message": message}]


def _cases(client: TestClient, who: Account) -> int:
    total: int = client.get("/api/v1/cases", headers=bearer(who)).json()["total"]
    return total


def test_nul_in_json_text_is_refused_before_anything_is_stored(
    client: TestClient, admin: Account
) -> None:
    before = _cases(client, admin)
    body = {
        "case_number": "保检刑诉〔2026〕13号",
        "title": "吴某某\u0000盗窃案",
        "case_type": "盗窃",
        "stage": "审查起诉",
        "opened_on": "2026-11-02",
    }
    _refused(client.post("/api/v1/cases", json=body, headers=bearer(admin)), "title")
    assert _cases(client, admin) == before
    case_id = new_case(client, admin)["id"]
    party = {"name": "吴某某", "role": "suspect", "language": "mmr", "dialect_notes": "\x00"}
    _refused(
        client.post(f"/api/v1/cases/{case_id}/parties", json=party, headers=bearer(admin)),
        "dialect_notes",
    )
    # Nested values and keys are walked too; the answer never echoes the character.
    r = client.post("/api/v1/cases", json={"a\x00": 1}, headers=bearer(admin))
    _refused(r, "body")
    assert "\\u0000" not in r.text and "\x00" not in r.text


@pytest.mark.parametrize(
    "path",
    ["/api/v1/cases", "/api/v1/users", "/api/v1/glossary/concepts", "/api/v1/memory/entries"],
)
def test_nul_in_the_query_is_refused(client: TestClient, admin: Account, path: str) -> None:
    _refused(client.get(f"{path}?q=%00", headers=bearer(admin)), "q")
    _refused(client.get(f"{path}?q=a%00b&page=1", headers=bearer(admin)), "q")
    assert client.get(f"{path}?q=a%2500b", headers=bearer(admin)).status_code == 200


def test_lone_surrogates_are_refused_in_both_translate_apis(
    client: TestClient, admin: Account
) -> None:
    raw = b'{"texts": ["\\ud800"], "source_language": "cmn", "target_language": "mmr"}'
    headers = {**bearer(admin), "content-type": "application/json"}
    _refused(
        client.post("/api/v1/translate", content=raw, headers=headers),
        "texts.0",
        SURROGATE_MESSAGE,
    )
    libre = json.dumps({"q": "x", "source": "zh", "target": "mmr", "api_key": admin.token})
    libre = libre.replace('"x"', '"\\udfff"')
    _refused(
        client.post("/translate", content=libre, headers={"content-type": "application/json"}),
        "q",
        SURROGATE_MESSAGE,
    )
    # A proper pair (an emoji, escaped) is ordinary text and passes.
    pair = raw.replace(b"\\ud800", b"\\ud83d\\ude00")
    assert client.post("/api/v1/translate", content=pair, headers=headers).status_code == 200


def test_check_json_reads_escapes_as_json_does() -> None:
    assert check_json(b'{"t": "\\\\u0000"}') is None  # an escaped backslash, then text
    assert check_json(b'{"t": "\\u0000"}') == ("t", NUL_MESSAGE)
    assert check_json(b'{"t": ["ok", {"u": "\\uDC00"}]}') == ("t.1.u", SURROGATE_MESSAGE)
    assert check_json(b'{"t": "\\u0000"') is None  # malformed: the app answers it
    assert check_json('{"t": "\\u0000"}'.encode("utf-16")) == ("t", NUL_MESSAGE)


def test_forms_refuse_nul_in_text_but_files_may_hold_any_byte(
    client: TestClient, admin: Account
) -> None:
    r = client.post(
        "/login",
        data={"username": "admin\x00", "password": "x"},
    )
    _refused(r, "username")
    case_id = new_case(client, admin)["id"]
    url = f"/api/v1/cases/{case_id}/evidence"
    pdf = b"%PDF-1.4\n\x00\x01\x00\xff binary\n%%EOF\n"
    stored = client.post(
        url, headers=bearer(admin), files={"file": ("a.pdf", pdf, "application/pdf")}
    )
    assert stored.status_code == 201, stored.text
    refused = client.post(
        url,
        headers=bearer(admin),
        data={"description": "笔录\x00"},
        files={"file": ("b.txt", b"statement\n", "text/plain")},
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == NUL_MESSAGE
    # A NUL in a part's headers (its file name here) is refused too. httpx would escape
    # it as %00, so the body is written by hand.
    raw = (
        b"--b0\r\n"
        b'Content-Disposition: form-data; name="file"; filename="c\x00.txt"\r\n'
        b"Content-Type: text/plain\r\n\r\nstatement\n\r\n--b0--\r\n"
    )
    named = client.post(
        url,
        headers={**bearer(admin), "content-type": "multipart/form-data; boundary=b0"},
        content=raw,
    )
    assert named.status_code == 422 and named.json()["detail"] == NUL_MESSAGE
    listed = client.get(f"/api/v1/cases/{case_id}/evidence", headers=bearer(admin)).json()
    assert [item["id"] for item in listed] == [stored.json()["id"]]
