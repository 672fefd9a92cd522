"""POST /api/v1/cases/{case_id}/documents/translate through the real translation pipeline:
an approved memory entry for one sentence, a glossary term glossed word by word, the rest
without any usable rendering. Miao text is always a zz-0001 placeholder."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import docx
import pytest
from fastapi.testclient import TestClient

from interp_service.documents.docx_package import NOT_DOCX, TOO_LARGE
from interp_service.documents.docx_translate import NO_TEXT
from tests.conftest import Account, bearer
from tests.documents.build import (
    HEADERS,
    MEMORY_SENTENCE,
    NESTED,
    SECOND_SECTION_HEADER,
    TERM_PARAGRAPH,
    TEXT_BOX,
    bomb_docx,
    is_rendering,
    notice_docx,
    open_docx,
    paragraphs,
    save,
    text_of,
    xml,
    zip_of,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PATH = "/api/v1/cases/{}/documents/translate"
MEMORY = "【译文建议·翻译记忆·完全匹配】zz-0001"
GLOSS = "【译文建议·逐词对照·需译员】"
NONE = "【译文建议·无可用译文·需译员】"
ASK = "请上传 Word（.docx）文档"


def upload(
    client: TestClient,
    who: Account,
    case_id: int,
    data: bytes,
    name: str = "告知书.docx",
    **form: str,
) -> Any:
    return client.post(
        PATH.format(case_id),
        headers=bearer(who),
        files={"file": (name, data, DOCX)},
        data=form,
    )


def evidence_of(client: TestClient, who: Account, case_id: int) -> list[dict[str, Any]]:
    r = client.get(f"/api/v1/cases/{case_id}/evidence", headers=bearer(who))
    assert r.status_code == 200, r.text
    files: list[dict[str, Any]] = r.json()
    return files


def audited(client: TestClient, admin: Account, case_id: int) -> list[dict[str, Any]]:
    r = client.get(
        "/api/v1/audit",
        params={"case_id": case_id, "action": "document."},
        headers=bearer(admin),
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


def test_a_clerk_gets_every_paragraph_followed_by_its_marked_rendering(
    client: TestClient, world: dict[str, Any]
) -> None:
    source = notice_docx()
    cid, clerk = world["case_id"], world["clerk"]
    r = upload(client, clerk, cid, source)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == DOCX
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote('告知书（译文建议）.docx')}" in disposition

    before = paragraphs(open_docx(source))
    after = paragraphs(open_docx(r.content))
    assert "未经核实" in text_of(after[0]) and "湘西苗语" in text_of(after[0])
    kept = [p for p in after[1:] if not is_rendering(p)]
    assert [xml(p) for p in kept] == [xml(p) for p in before]  # runs, styles, numbering
    rendered = {}
    for paragraph in kept:
        text = text_of(paragraph).strip()
        follower = paragraph.getnext()
        if any(ch.isalpha() for ch in text):
            assert is_rendering(follower), text
            rendered[text] = text_of(follower)
        else:
            assert follower is None or not is_rendering(follower)
    assert rendered[MEMORY_SENTENCE] == MEMORY  # in the body and in the table cell
    assert sum(text_of(p) == MEMORY for p in after) == 2
    assert rendered[TERM_PARAGRAPH].startswith(GLOSS)  # the first section's footer
    assert "zz-0002" in rendered[TERM_PARAGRAPH]
    for text in (NESTED, TEXT_BOX, SECOND_SECTION_HEADER, *HEADERS.values()):
        assert text in rendered
    assert rendered[HEADERS["first_page_header"]].startswith(NONE)

    (stored,) = evidence_of(client, clerk, cid)
    assert stored["sha256"] == hashlib.sha256(source).hexdigest()
    assert stored["media_type"] == DOCX and stored["original_name"] == "告知书.docx"
    assert r.headers["x-evidence-id"] == str(stored["id"])
    (entry,) = audited(client, world["admin"], cid)
    details = entry["details"]
    assert details["source_sha256"] == stored["sha256"]
    assert details["result_sha256"] == hashlib.sha256(r.content).hexdigest()
    assert details["by_provenance"]["memory-exact"] == 2
    assert details["by_provenance"]["gloss"] == 1
    assert details["paragraphs"] == sum(details["by_provenance"].values()) == 19


def test_the_target_language_and_variety_are_the_callers_choice(
    client: TestClient, world: dict[str, Any]
) -> None:
    r = upload(
        client,
        world["lead"],
        world["case_id"],
        notice_docx(),
        target_language="muq",
        target_variety="某土语",
    )
    assert r.status_code == 200, r.text
    note = open_docx(r.content).paragraphs[0].text
    assert "湘西苗语（东部）（muq）（某土语）" in note
    texts = [p.text for p in open_docx(r.content).paragraphs]
    assert MEMORY not in texts  # the memory entry is Western Xiangxi Miao (mmr)


def test_a_user_not_on_the_case_gets_404_and_nothing_is_stored(
    client: TestClient, world: dict[str, Any], make_user: Any
) -> None:
    outsider = make_user("outsider", "clerk")
    r = upload(client, outsider, world["case_id"], notice_docx())
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert evidence_of(client, world["lead"], world["case_id"]) == []


def _no_text() -> bytes:
    document = docx.Document()
    document.add_paragraph("")
    return save(document)


def _bomb() -> bytes:
    return bomb_docx(101 * 1_048_576)  # over the default 100 MiB; about 100 KB on the wire


@pytest.mark.parametrize(
    ("name", "make", "status", "detail"),
    [
        ("告知书.docx", lambda: b"", 422, "上传的文件是空的"),
        ("告知书.pdf", lambda: b"%PDF-1.7\n", 415, f"不支持的文件类型：告知书.pdf。{ASK}"),
        ("告知书.docx", lambda: b"%PDF-1.7\n", 415, NOT_DOCX),
        ("告知书.docx", lambda: zip_of({"a.txt": b"x"}), 415, NOT_DOCX),
        ("告知书.docx", _bomb, 413, TOO_LARGE),
        ("告知书.docx", _no_text, 422, NO_TEXT),
    ],
    ids=["empty", "wrong-type", "pdf-named-docx", "zip-not-word", "zip-bomb", "no-text"],
)
def test_bad_files_get_chinese_problems_and_leave_no_evidence(
    client: TestClient,
    world: dict[str, Any],
    name: str,
    make: Callable[[], bytes],
    status: int,
    detail: str,
) -> None:
    cid, clerk = world["case_id"], world["clerk"]
    r = upload(client, clerk, cid, make(), name=name)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"] == detail
    assert problem["errors"] == [{"field": "file", "message": detail}]
    assert evidence_of(client, clerk, cid) == []
    assert audited(client, world["admin"], cid) == []


def test_an_unsupported_target_language_is_refused(
    client: TestClient, world: dict[str, Any]
) -> None:
    for language, field in (("xyz", "target_language"), ("cmn", "target_language")):
        r = upload(
            client, world["clerk"], world["case_id"], notice_docx(), target_language=language
        )
        assert r.status_code == 422
        assert r.json()["errors"][0]["field"] == field
    assert evidence_of(client, world["clerk"], world["case_id"]) == []


def test_the_operation_documents_its_answers(client: TestClient) -> None:
    operation = client.get("/openapi.json").json()["paths"][PATH.format("{case_id}")]["post"]
    responses = operation["responses"]
    assert DOCX in responses["200"]["content"]
    assert {"401", "403", "404", "413", "415", "422", "503", "504"} <= set(responses)
    form = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert set(form["properties"]) == {"file", "target_language", "target_variety"}


def test_a_document_over_a_mebibyte_is_accepted(client: TestClient, world: dict[str, Any]) -> None:
    """A notice with a scanned seal easily passes the 1 MiB limit of ordinary bodies; the
    route takes uploads (api/middleware.py UPLOAD_PATHS)."""
    document = docx.Document()
    document.add_paragraph(MEMORY_SENTENCE)
    buffer = io.BytesIO(save(document))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr("word/media/seal.bin", os.urandom(2 * 1_048_576))
    assert len(buffer.getvalue()) > 2 * 1_048_576
    r = upload(client, world["clerk"], world["case_id"], buffer.getvalue())
    assert r.status_code == 200, r.text
    assert MEMORY in [p.text for p in open_docx(r.content).paragraphs]
