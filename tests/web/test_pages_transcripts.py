"""Transcript pages: who may see and change them, the CSRF check, upload errors shown on the
page with nothing stored, restoring a removed line, a segment saved over a stale version,
speaker roles, and sending reviewed segments to the memory review queue.

Chinese only in the uploaded text; Miao appears as placeholders (zz-0001 …), never invented.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.config import Settings
from interp_service.errors import AppError
from interp_service.jobs.queue import InProcessDispatcher, installed_dispatcher
from tests.conftest import Account, bearer, new_case, sign_in

TEXT_LIMIT = 4096  # bytes of a text transcript, small so that "too large" is cheap
DOCX_LIMIT = 65_536  # unpacked bytes of a DOCX
NAVIGATION = "首页 | 新闻 | 联系我们"
COPYRIGHT = "版权所有 © 2026 某某新闻网"
TRANSCRIPT = "\n".join(
    [
        NAVIGATION,
        "问：你叫什么名字？",
        "答：zz-0001 zz-0002",
        "问：你昨天晚上在哪里？",
        "答：zz-0003",
        COPYRIGHT,
    ]
).encode("gb18030")


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "max_transcript_text_bytes": TEXT_LIMIT,
            "max_docx_uncompressed_bytes": DOCX_LIMIT,
        }
    )


@dataclass
class Setup:
    lead: Account
    clerk: Account
    case_id: int
    interview_id: int

    @property
    def list_url(self) -> str:
        return f"/cases/{self.case_id}/interviews/{self.interview_id}/transcripts"

    def detail_url(self, transcript_id: int) -> str:
        return f"/cases/{self.case_id}/transcripts/{transcript_id}"


def _assign(client: TestClient, lead: Account, case_id: int, user: Account, role: str) -> None:
    r = client.post(
        f"/api/v1/cases/{case_id}/assignments",
        headers=bearer(lead),
        json={"user_id": user.id, "role_on_case": role},
    )
    assert r.status_code == 201, r.text


@pytest.fixture
def setup(client: TestClient, make_user: Any) -> Setup:
    lead = make_user("lead", "prosecutor")
    clerk = make_user("tian", "clerk", competences=("mmr",))
    case = new_case(client, lead)
    _assign(client, lead, case["id"], clerk, "clerk")
    party = client.post(
        f"/api/v1/cases/{case['id']}/parties",
        headers=bearer(lead),
        json={"name": "龙某某", "role": "suspect", "language": "mmr", "variety": "花垣"},
    )
    assert party.status_code == 201, party.text
    interview = client.post(
        f"/api/v1/cases/{case['id']}/interviews",
        headers=bearer(lead),
        json={"party_id": party.json()["id"], "scheduled_at": "2026-11-20T02:00:00Z"},
    )
    assert interview.status_code == 201, interview.text
    return Setup(lead, clerk, case["id"], interview.json()["id"])


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _upload(client: TestClient, s: Setup, name: str, data: bytes, *, csrf: bool = True) -> Any:
    fields = {"direction": "cmn-mmr"}
    if csrf:
        fields["csrf_token"] = _csrf(client.get(s.list_url).text)
    return client.post(
        s.list_url, data=fields, files={"file": (name, data)}, follow_redirects=False
    )


def _stored(client: TestClient, s: Setup) -> tuple[int, int]:
    """(transcripts, evidence files) of the case, through the API."""
    transcripts = client.get(f"/api/v1{s.list_url}", headers=bearer(s.lead))
    evidence = client.get(f"/api/v1/cases/{s.case_id}/evidence", headers=bearer(s.lead))
    assert transcripts.status_code == evidence.status_code == 200
    files = evidence.json()
    return len(transcripts.json()), len(files["items"] if isinstance(files, dict) else files)


def _wait(app: FastAPI, client: TestClient, s: Setup, transcript_id: int) -> str:
    """Wait until this process's run of the transcript's job ended (the in-process queue's
    own wait, no polling); returns the job id."""
    api = f"/api/v1/cases/{s.case_id}/transcripts/{transcript_id}"
    job_id: str = client.get(api, headers=bearer(s.lead)).json()["job_id"]
    dispatcher = installed_dispatcher(app.state.services.session_factory)
    assert isinstance(dispatcher, InProcessDispatcher)
    assert dispatcher.wait(job_id, timeout_s=300)
    return job_id


def _finish(app: FastAPI, client: TestClient, s: Setup, transcript_id: int) -> dict[str, Any]:
    """Wait for the transcript's processing and return it as the API shows it."""
    _wait(app, client, s, transcript_id)
    api = f"/api/v1/cases/{s.case_id}/transcripts/{transcript_id}"
    detail: dict[str, Any] = client.get(api, headers=bearer(s.lead)).json()
    assert detail["state"] == "ready", detail
    return detail


def _uploaded(app: FastAPI, client: TestClient, s: Setup) -> dict[str, Any]:
    r = _upload(client, s, "讯问笔录.txt", TRANSCRIPT)
    assert r.status_code == 303, r.text
    transcript_id = int(re.search(r"uploaded=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    return _finish(app, client, s, transcript_id)


def _row_html(html: str, segment_id: int) -> str:
    row = re.search(rf'<tr id="segment-{segment_id}".*?</tr>', html, re.S)
    assert row
    return row.group(0)


def _row_form(html: str, segment_id: int) -> dict[str, str]:
    """The values a browser would send for one segment row, as the page renders them."""
    text = _row_html(html, segment_id)
    version = re.search(r'name="version" value="(\d+)"', text)
    speaker = re.search(r'name="speaker_label"[^>]*value="([^"]*)"', text)
    source = re.search(r'name="source_text"[^>]*>([^<]*)</textarea>', text)
    translation = re.search(r'name="translation_text"[^>]*>([^<]*)</textarea>', text)
    assert version and speaker and source and translation
    return {
        "csrf_token": _csrf(html),
        "version": version.group(1),
        "speaker_label": speaker.group(1),
        "source_text": source.group(1),
        "translation_text": translation.group(1),
    }


MEMORY_SOURCE = "你叫什么名字？"
MEMORY_TARGET = "zz-0011 zz-0012"


def _remember(client: TestClient, make_user: Any) -> None:
    """An approved memory pair for the first question, so its suggestion comes from memory."""
    miao_admin = make_user("longadmin", "admin", competences=("mmr",))
    r = client.post(
        "/api/v1/memory/entries",
        headers=bearer(miao_admin),
        json={
            "source_language": "cmn",
            "source_text": MEMORY_SOURCE,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": MEMORY_TARGET,
        },
    )
    assert r.status_code == 201, r.text


def test_clerk_uploads_restores_corrects_and_submits(
    app: FastAPI, client: TestClient, setup: Setup, make_user: Any
) -> None:
    s = setup
    _remember(client, make_user)
    sign_in(client, app, s.clerk)
    page = client.get(s.list_url)
    assert page.status_code == 200 and 'data-testid="transcript-upload"' in page.text
    assert "繁体转简体" in page.text and "汉语普通话 → 湘西苗语（西部）" in page.text

    detail = _uploaded(app, client, s)
    tid = detail["id"]
    listed = client.get(s.list_url).text
    assert "讯问笔录.txt" in listed and "已完成" in listed

    page = client.get(s.detail_url(tid))
    assert page.status_code == 200
    assert detail["sha256"] in page.text
    removed = {c["line"]: c for c in detail["changes"] if not c["after"]}
    assert set(removed) == {1, 6}
    for line, before in ((1, NAVIGATION), (6, COPYRIGHT)):
        assert f'name="lines" value="{line}"' in page.text
        assert before in page.text and removed[line]["reason"] in page.text
    # The first question's suggestion comes from memory and may be adopted (by a click);
    # the others are glosses, shown but never offered as a translation. The person's
    # field starts empty either way.
    first, *others = detail["segments"]
    assert (first["suggestion_text"], first["suggestion_provenance"]) == (MEMORY_TARGET, "memory")
    row = _row_html(page.text, first["id"])
    assert "机器建议" in row and "翻译记忆" in row and 'data-testid="adopt"' in row
    assert _row_form(page.text, first["id"])["translation_text"] == ""
    for other in others:
        assert other["suggestion_provenance"] == "gloss"
        row = _row_html(page.text, other["id"])
        assert "逐词对照" in row and 'data-testid="gloss-note"' in row
        assert 'data-testid="adopt"' not in row
        assert _row_form(page.text, other["id"])["translation_text"] == ""

    r = client.post(f"{s.detail_url(tid)}/restore", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 422 and "请勾选要恢复的行" in r.text
    r = client.post(
        f"{s.detail_url(tid)}/restore", data={"csrf_token": _csrf(page.text), "lines": ["3"]}
    )
    assert r.status_code == 422 and "第 3 行不是清理时删除的行" in r.text
    r = client.post(
        f"{s.detail_url(tid)}/restore",
        data={"csrf_token": _csrf(page.text), "lines": ["1"]},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "restored=1" in r.headers["location"]
    detail = _finish(app, client, s, tid)
    assert detail["kept_lines"] == [1]
    assert [c["line"] for c in detail["changes"] if not c["after"]] == [6]
    page = client.get(s.detail_url(tid))
    assert 'data-testid="kept-lines"' in page.text and 'name="lines" value="1"' not in page.text

    # Correct a segment and mark it reviewed.
    answer = next(x for x in detail["segments"] if x["speaker_label"] == "答")
    form = _row_form(page.text, answer["id"])
    stale = dict(form)
    form.update(translation_text="zz-0301", reviewed="on")
    question = next(x for x in detail["segments"] if x["speaker_label"] == "问")
    qform = _row_form(page.text, question["id"])
    qform.update(translation_text="zz-0101 zz-0102", reviewed="on")
    for sent in (form, qform):
        segment_id = answer["id"] if sent is form else question["id"]
        r = client.post(
            f"{s.detail_url(tid)}/segments/{segment_id}", data=sent, follow_redirects=False
        )
        assert r.status_code == 303, r.text
    # Saving the row again from the page as it was before: a stale version, nothing lost.
    stale["translation_text"] = "zz-0999"
    r = client.post(f"{s.detail_url(tid)}/segments/{answer['id']}", data=stale)
    assert r.status_code == 409
    assert "该段落已被他人修改" in r.text and "zz-0999" in r.text
    assert 'data-testid="segment-lost"' in r.text
    saved = client.get(f"/api/v1/cases/{s.case_id}/transcripts/{tid}", headers=bearer(s.lead))
    answer_now = next(x for x in saved.json()["segments"] if x["id"] == answer["id"])
    assert answer_now["translation_text"] == "zz-0301" and answer_now["reviewed"]

    # Restoring once a person has edited a segment is refused, with the reason.
    r = client.post(
        f"{s.detail_url(tid)}/restore", data={"csrf_token": _csrf(r.text), "lines": ["6"]}
    )
    assert r.status_code == 409 and "已有段落被人工修改" in r.text

    # The speaker 问 is the interviewer, confirmed.
    r = client.post(
        f"{s.detail_url(tid)}/speakers",
        data={"csrf_token": _csrf(r.text), "label": "问", "role": "interviewer"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    speakers = client.get(
        f"/api/v1/cases/{s.case_id}/transcripts/{tid}", headers=bearer(s.lead)
    ).json()["speakers"]
    assert {"label": "问", "role": "interviewer", "guessed": False} in speakers

    page = client.get(s.detail_url(tid))
    r = client.post(
        f"{s.detail_url(tid)}/submit", data={"csrf_token": _csrf(page.text)}, follow_redirects=True
    )
    assert r.status_code == 200 and "已提交 2 个已核对段落至翻译记忆审核" in r.text
    assert r.text.count('data-testid="submitted"') == 2
    # Nothing left to send: the service's message, on the page.
    r = client.post(f"{s.detail_url(tid)}/submit", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 422 and "没有可提交的已核对段落" in r.text


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", " " * (DOCX_LIMIT * 4))
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("笔录.exe", b"MZ\x90\x00binary", 415, "不支持的文件类型"),
        ("笔录.txt", b"", 422, "上传的文件是空的"),
        ("笔录.txt", "问：你好\n".encode("gb18030") * 500, 413, "文本笔录超过上限"),
        ("笔录.docx", _zip_bomb(), 413, "文件解压后过大"),
        ("笔录.docx", b"PK\x03\x04 not a zip", 415, "不是有效的 Word"),
    ],
)
def test_bad_upload_shows_the_reason_and_stores_nothing(
    app: FastAPI,
    client: TestClient,
    setup: Setup,
    name: str,
    data: bytes,
    status: int,
    message: str,
) -> None:
    sign_in(client, app, setup.clerk)
    r = _upload(client, setup, name, data)
    assert r.status_code == status
    error = re.search(r'data-testid="upload-error">([^<]*)<', r.text)
    assert error and message in error.group(1)
    assert 'data-testid="no-transcripts"' in r.text
    assert _stored(client, setup) == (0, 0)


def test_upload_without_the_form_token_is_refused(
    app: FastAPI, client: TestClient, setup: Setup
) -> None:
    sign_in(client, app, setup.clerk)
    r = _upload(client, setup, "讯问笔录.txt", TRANSCRIPT, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text
    assert _stored(client, setup) == (0, 0)


def test_who_may_see_and_change_transcripts(
    app: FastAPI, client: TestClient, setup: Setup, make_user: Any
) -> None:
    s = setup
    sign_in(client, app, s.clerk)
    tid = _uploaded(app, client, s)["id"]

    outsider = make_user("outsider", "clerk", competences=("mmr",))
    sign_in(client, app, outsider)
    assert client.get(s.list_url).status_code == 404
    assert client.get(s.detail_url(tid)).status_code == 404

    # An interpreter of the case reads the transcript but has no forms and may not post.
    reader = make_user("terp", "clerk", competences=("mmr",))
    _assign(client, s.lead, s.case_id, reader, "interpreter")
    sign_in(client, app, reader)
    page = client.get(s.list_url)
    assert page.status_code == 200 and "讯问笔录.txt" in page.text
    assert 'data-testid="transcript-upload"' not in page.text
    # A case member follows a colleague's processing (the bar), without the job buttons.
    assert "已完成" in page.text and 'data-testid="job-bar"' in page.text
    assert 'data-testid="retry-form"' not in page.text
    page = client.get(s.detail_url(tid))
    assert page.status_code == 200 and 'data-testid="segment-save"' not in page.text
    assert 'name="lines"' not in page.text and 'data-testid="submit-form"' not in page.text
    r = _upload(client, s, "另一份.txt", "问：你好\n答：zz-0004\n".encode("gb18030"))
    assert r.status_code == 403
    assert _stored(client, s)[0] == 1


def test_a_translation_needs_competence_in_its_language(
    app: FastAPI, client: TestClient, setup: Setup, make_user: Any
) -> None:
    s = setup
    sign_in(client, app, s.clerk)
    detail = _uploaded(app, client, s)
    chinese_only = make_user("zhao", "clerk")
    _assign(client, s.lead, s.case_id, chinese_only, "clerk")
    sign_in(client, app, chinese_only)
    page = client.get(s.detail_url(detail["id"]))
    segment = next(x for x in detail["segments"] if x["target_language"] == "mmr")
    form = _row_form(page.text, segment["id"])
    form["translation_text"] = "zz-0201"
    r = client.post(f"{s.detail_url(detail['id'])}/segments/{segment['id']}", data=form)
    assert r.status_code == 403
    error = re.search(r'data-testid="segment-error">([^<]*)<', r.text)
    assert error and "语言能力" in error.group(1)
    # What was typed stays in the field.
    assert _row_form(r.text, segment["id"])["translation_text"] == "zz-0201"
    # Case staff may retry a colleague's processing, but only one that failed or was
    # cancelled; the page says so.
    r = client.post(f"{s.detail_url(detail['id'])}/retry?from=detail", data=form)
    assert r.status_code == 409 and "只有失败或已取消" in r.text


def test_a_failed_processing_shows_its_reason_and_is_retried(
    app: FastAPI, client: TestClient, setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    from interp_service.transcripts import processing

    def unreadable(*_: Any) -> Any:
        raise AppError("测试：无法读取笔录文件")

    s = setup
    sign_in(client, app, s.clerk)
    monkeypatch.setattr(processing, "_text_drafts", unreadable)
    r = _upload(client, s, "讯问笔录.txt", TRANSCRIPT)
    assert r.status_code == 303
    tid = int(re.search(r"uploaded=(\d+)", r.headers["location"]).group(1))  # type: ignore[union-attr]
    job_id = _wait(app, client, s, tid)
    page = client.get(s.list_url)
    row = re.search(rf'<tr id="transcript-{tid}".*?</tr>', page.text, re.S)
    assert row and "失败" in row.group(0)
    error = re.search(r'data-role="error"\s*><[^>]*data-testid="job-error">([^<]*)<', row.group(0))
    assert error and "测试：无法读取笔录文件" in error.group(1)
    assert re.search(r'data-role="retry"\s*>', row.group(0))  # shown, not hidden
    assert re.search(r'data-role="cancel"\s+hidden', row.group(0))

    monkeypatch.undo()
    r = client.post(
        f"{s.detail_url(tid)}/retry",
        data={"csrf_token": _csrf(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "retried=1" in r.headers["location"]
    assert _wait(app, client, s, tid) == job_id  # the same job, run again
    detail = _finish(app, client, s, tid)
    assert detail["segments"]
    # Nothing left to retry or cancel: the service's reason, or a plain notice.
    r = client.post(f"{s.detail_url(tid)}/retry?from=detail", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 409 and "只有失败或已取消" in r.text
    r = client.post(f"{s.detail_url(tid)}/cancel", data={"csrf_token": _csrf(page.text)})
    assert r.status_code == 200 and "处理已经结束，无需取消" in r.text
