"""What the interview record says must be true: the typed text's language is checked against
the direction, standard notices carry their citation and say when they were interpreted
orally, legal terms without an approved Miao term are listed until explained, the read-back
statement names its interpreter and who entered it, and the exported document is titled by
the party's role and names interpreter and recorder separately, with no gloss as a
rendering."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.memory.phrasebook import seed_phrasebook
from tests.conftest import Account, bearer
from tests.interview_setup import TERM_CMN, World, interview_world
from tests.memory.conftest import approved_pair

QUESTION = f"你知道什么是{TERM_CMN}吗？"


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> World:
    return interview_world(client, admin, make_user)


def _say(client: TestClient, w: World, text: str, *, to_party: bool = True, **extra: Any) -> Any:
    body = {
        "speaker_role": "prosecutor" if to_party else "party",
        "source_language": "cmn" if to_party else "mmr",
        "target_language": "mmr" if to_party else "cmn",
        "target_variety": "花垣" if to_party else "",
        "text": text,
        **extra,
    }
    return client.post(f"{w.interview_api}/exchanges", json=body, headers=bearer(w.lead))


def _exchanges(client: TestClient, w: World) -> list[dict[str, Any]]:
    r = client.get(f"{w.interview_api}/exchanges", headers=bearer(w.lead))
    assert r.status_code == 200, r.text
    listed: list[dict[str, Any]] = r.json()
    return listed


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            # A merged cell is listed once per column it spans: print it once.
            unique = {id(cell._tc): cell.text for cell in row.cells}
            parts.extend(unique.values())
    return "\n".join(parts)


def test_chinese_typed_as_the_party_answer_is_caught_until_confirmed(
    client: TestClient, world: World
) -> None:
    answer = "我那天晚上在家，没有出去。"
    refused = _say(client, world, answer, to_party=False)
    assert refused.status_code == 422
    problem = refused.json()
    assert problem["type"].endswith("/language-mismatch")
    assert problem["detected_language"] == "cmn" and problem["errors"][0]["field"] == "text"
    assert _exchanges(client, world) == []
    confirmed = _say(client, world, answer, to_party=False, confirm_language=True)
    assert confirmed.status_code == 201, confirmed.text
    stored = confirmed.json()
    assert stored["language_confirmed"] is True and stored["detected_language"] == "cmn"
    # Chinese punctuation is never rewritten, even in the Miao pane's text.
    assert stored["source_text"] == answer
    assert "，" in stored["receipt"]["sentences"][0]["source"]


def test_miao_typed_as_a_chinese_question_is_caught(client: TestClient, world: World) -> None:
    refused = _say(client, world, f"{world.spelling} {world.spelling} {world.spelling}")
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/language-mismatch")
    # A Chinese question with a Latin name in it is still Chinese.
    assert _say(client, world, "你认识 Long Xiuying 吗？").status_code == 201


def test_a_standard_notice_is_inserted_with_its_citation(
    client: TestClient, world: World, app: FastAPI
) -> None:
    with app.state.services.session_factory() as session:
        seed_phrasebook(session)
        session.commit()
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(world.lead)).json()
    notice = next(p for p in book if p["phrase_code"] == "notice-rights-01")
    r = client.post(
        f"{world.interview_api}/notices",
        json={"phrase_entry_id": notice["id"]},
        headers=bearer(world.lead),
    )
    assert r.status_code == 201, r.text
    said = r.json()
    assert said["speaker_role"] == "prosecutor" and said["source_text"] == notice["source_text"]
    assert said["phrase_entry_id"] == notice["id"]
    assert said["legal_basis"] == notice["legal_basis"] and "第九条" in said["legal_basis"]
    # No approved Miao side: the suggestion is no memory hit, the record says oral.
    assert said["receipt"]["sentences"][0]["path"] != "memory-exact"
    # Once a competent admin approves the Miao side, the same notice is a memory hit.
    approved_pair(client, world.lead, world.miao_admin, notice["source_text"], "zz-0042")
    again = client.post(
        f"{world.interview_api}/notices",
        json={"phrase_entry_id": notice["id"]},
        headers=bearer(world.lead),
    ).json()
    assert again["receipt"]["sentences"][0]["path"] == "memory-exact"
    assert again["suggestion_text"] == "zz-0042"
    text = _docx_text(
        client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead)).content
    )
    assert "标准告知/问话" in text and notice["legal_basis"] in text
    assert text.count("本条无核准的苗语译文，由译员口头翻译") == 1
    missing = client.post(
        f"{world.interview_api}/notices",
        json={"phrase_entry_id": 99999},
        headers=bearer(world.lead),
    )
    assert missing.status_code == 404


def test_legal_terms_without_approved_miao_are_listed_until_explained(
    client: TestClient, world: World
) -> None:
    said = _say(client, world, f"你是否同意认罪认罚？是否申请{TERM_CMN}？").json()
    open_terms = {t["text"] for t in said["unexplained_terms"]}
    # 认罪认罚 has no Miao term; 取保候审 has an approved one and is not listed.
    assert "认罪认罚" in open_terms and TERM_CMN not in open_terms
    concept = next(t["concept_id"] for t in said["unexplained_terms"] if t["text"] == "认罪认罚")
    url = f"{world.interview_api}/exchanges/{said['id']}/explained"
    wrong = client.post(
        url, json={"concept_ids": [123456], "version": said["version"]}, headers=bearer(world.lead)
    )
    assert wrong.status_code == 422
    done = client.post(
        url, json={"concept_ids": [concept], "version": said["version"]}, headers=bearer(world.lead)
    )
    assert done.status_code == 200, done.text
    assert "认罪认罚" not in {t["text"] for t in done.json()["unexplained_terms"]}
    assert done.json()["explained_terms"][0]["by"] == world.lead.id
    text = _docx_text(
        client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead)).content
    )
    assert "译员已口头解释的术语：认罪认罚" in text


def test_the_record_is_titled_by_role_and_names_interpreter_recorder_and_read_back(
    client: TestClient, world: World, make_user: Any
) -> None:
    clerk = make_user("tian", "clerk")
    client.post(
        f"/api/v1/cases/{world.case_id}/assignments",
        headers=bearer(world.lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    said = _say(client, world, QUESTION).json()
    gloss = said["suggestion_text"]
    assert said["receipt"]["sentences"][0]["path"] == "gloss" and gloss
    typed = f"zz-0009 {world.spelling}"
    r = client.put(
        f"{world.interview_api}/exchanges/{said['id']}/rendering",
        json={
            "kind": "replaced",
            "text": typed,
            "version": said["version"],
            "interpreter": world.interpreter_ref,
        },
        headers=bearer(clerk),
    )
    assert r.status_code == 200, r.text
    read_back = client.post(
        f"{world.interview_api}/read-back",
        json={"interpreter": world.interpreter_ref},
        headers=bearer(clerk),
    )
    assert read_back.status_code == 200, read_back.text
    assert read_back.json()["read_back_recorded_by"] == clerk.id
    text = _docx_text(
        client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead)).content
    )
    assert text.startswith("讯问笔录")  # the party is a suspect
    assert "被讯问人（龙某某）" in text and "记录人（Tian）" in text
    assert "译员：石某某（外聘）；记录人：Tian" in text
    assert "译员（石某某（外聘））" in text
    # The prosecutor typed nothing of the rendering and is no interpreter.
    assert "译员（Wu）" not in text and "译员：Wu" not in text
    assert "由 Wu 代为录入" in text and "签名申报表 SHA-256" in text
    assert "译员 石某某（外聘） 声明：本笔录已用" in text and "第一百二十二条" in text
    # The gloss is never printed, neither as rendering nor as suggestion.
    assert typed in text and gloss not in text


def test_a_witness_record_is_a_xunwen_record(client: TestClient, world: World) -> None:
    witness = client.post(
        f"/api/v1/cases/{world.case_id}/parties",
        headers=bearer(world.lead),
        json={"name": "杨某", "role": "witness", "language": "mmr", "variety": "花垣"},
    ).json()
    interview = client.post(
        f"/api/v1/cases/{world.case_id}/interviews",
        headers=bearer(world.lead),
        json={"party_id": witness["id"], "scheduled_at": "2026-11-21T02:00:00Z"},
    ).json()
    url = f"/api/v1/cases/{world.case_id}/interviews/{interview['id']}/export.docx"
    text = _docx_text(client.get(url, headers=bearer(world.lead)).content)
    assert text.startswith("询问笔录") and "讯问笔录" not in text
    assert "被询问人（杨某）" in text and "询问人" in text
    assert "（未记录译员宣读声明）" in text


def test_a_rendering_in_the_wrong_language_is_caught_until_confirmed(
    client: TestClient, world: World
) -> None:
    said = _say(client, world, QUESTION).json()
    url = f"{world.interview_api}/exchanges/{said['id']}/rendering"
    body = {
        "kind": "replaced",
        "text": "你有权申请取保候审。",  # Chinese where the Miao rendering belongs
        "version": said["version"],
        "interpreter": world.interpreter_ref,
    }
    refused = client.put(url, json=body, headers=bearer(world.lead))
    assert refused.status_code == 422
    assert refused.json()["type"].endswith("/language-mismatch")
    assert _exchanges(client, world)[0]["rendering_text"] is None
    kept = client.put(url, json={**body, "confirm_language": True}, headers=bearer(world.lead))
    assert kept.status_code == 200, kept.text
    assert kept.json()["rendering_text"] == "你有权申请取保候审。"
