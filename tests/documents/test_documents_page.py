"""The case's document-translation page: the form, the download, a readable refusal."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.documents.docx_package import NOT_DOCX
from tests.conftest import bearer, sign_in
from tests.documents.build import MEMORY_SENTENCE, notice_docx, open_docx

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_page_offers_the_form_with_its_csrf_token(
    client: TestClient, app: FastAPI, world: dict[str, Any]
) -> None:
    csrf = sign_in(client, app, world["clerk"])
    r = client.get(f"/cases/{world['case_id']}/documents")
    assert r.status_code == 200
    page = r.text
    assert f'action="/cases/{world["case_id"]}/documents/translate"' in page
    assert f'name="csrf_token" value="{csrf}"' in page
    assert 'value="mmr" selected' in page and "湘西苗语（西部）（mmr）" in page
    assert "<script>" not in page  # no inline scripts under the CSP


def test_uploading_on_the_page_downloads_the_translated_document(
    client: TestClient, app: FastAPI, world: dict[str, Any]
) -> None:
    csrf = sign_in(client, app, world["clerk"])
    r = client.post(
        f"/cases/{world['case_id']}/documents/translate",
        data={"csrf_token": csrf, "target_language": "mmr"},
        files={"file": ("告知书.docx", notice_docx(), DOCX)},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX
    assert r.headers["content-disposition"].startswith("attachment;")
    texts = [p.text for p in open_docx(r.content).paragraphs]
    position = texts.index(MEMORY_SENTENCE)
    assert texts[position + 1] == "【译文建议·翻译记忆·完全匹配】zz-0001"


def test_a_bad_file_shows_the_reason_on_the_page_and_stores_nothing(
    client: TestClient, app: FastAPI, world: dict[str, Any]
) -> None:
    csrf = sign_in(client, app, world["clerk"])
    r = client.post(
        f"/cases/{world['case_id']}/documents/translate",
        data={"csrf_token": csrf, "target_language": "muq", "target_variety": "某土语"},
        files={"file": ("告知书.docx", b"just some text", DOCX)},
    )
    assert r.status_code == 415
    assert r.headers["content-type"].startswith("text/html")
    assert f'data-field="file">{NOT_DOCX}' in r.text
    assert 'value="muq" selected' in r.text and 'value="某土语"' in r.text  # input kept
    client.cookies.clear()
    files = client.get(
        f"/api/v1/cases/{world['case_id']}/evidence", headers=bearer(world["clerk"])
    ).json()
    assert files == []


def test_someone_not_on_the_case_does_not_see_the_page(
    client: TestClient, app: FastAPI, world: dict[str, Any], make_user: Any
) -> None:
    sign_in(client, app, make_user("outsider", "clerk"))
    assert client.get(f"/cases/{world['case_id']}/documents").status_code == 404
