"""The interview record through the API: suggestions with receipts, renderings with the
interpreter's identity, memory hits once a pair is approved, and the export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer, engage_external_interpreter
from tests.interview_setup import TERM_CMN, World, interview_world

QUESTION = f"你知道什么是{TERM_CMN}吗？"


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> World:
    return interview_world(client, admin, make_user)


def _say(
    client: TestClient, w: World, text: str, to_party: bool = True, who: Account | None = None
) -> Any:
    body = {
        "speaker_role": "prosecutor" if to_party else "party",
        "source_language": "cmn" if to_party else "mmr",
        "target_language": "mmr" if to_party else "cmn",
        "target_variety": "花垣" if to_party else "",
        "text": text,
    }
    return client.post(f"{w.interview_api}/exchanges", json=body, headers=bearer(who or w.lead))


def test_question_without_memory_or_model_gets_a_labelled_gloss_with_the_term(
    client: TestClient, world: World
) -> None:
    r = _say(client, world, QUESTION)
    assert r.status_code == 201, r.text
    exchange = r.json()
    sentence = exchange["receipt"]["sentences"][0]
    assert sentence["path"] == "gloss"
    assert "interpreter-required" in sentence["flags"]
    assert exchange["rendering_text"] is None  # a suggestion is never the interpretation
    term = next(t for t in sentence["terms"] if t["source_text"] == TERM_CMN)
    assert sentence["source"][term["source_start"] : term["source_end"]] == TERM_CMN
    out = sentence["output"][term["output_start"] : term["output_end"]]
    assert out == world.spelling and term["verification"] == "approved"
    assert exchange["suggestion_text"] == sentence["output"]
    assert sentence["glossary_release"] >= 2


def test_miao_answer_is_glossed_into_chinese(client: TestClient, world: World) -> None:
    r = _say(client, world, world.spelling, to_party=False)
    assert r.status_code == 201, r.text
    sentence = r.json()["receipt"]["sentences"][0]
    assert sentence["path"] == "gloss"
    assert TERM_CMN in sentence["output"]
    term = sentence["terms"][0]
    assert sentence["output"][term["output_start"] : term["output_end"]] == TERM_CMN


def _approve_pair(client: TestClient, world: World, target: str) -> dict[str, Any]:
    entry = client.post(
        "/api/v1/memory/entries",
        headers=bearer(world.miao_admin),
        json={
            "source_language": "cmn",
            "source_text": QUESTION,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": target,
        },
    )
    assert entry.status_code == 201, entry.text
    result: dict[str, Any] = entry.json()
    return result


def test_accepted_memory_rendering_names_interpreter_and_recorder(
    client: TestClient, world: World
) -> None:
    _approve_pair(client, world, f"zz-0001 {world.spelling} zz-0002")
    exchange = _say(client, world, QUESTION).json()
    assert exchange["receipt"]["sentences"][0]["path"] == "memory-exact"
    url = f"{world.interview_api}/exchanges/{exchange['id']}/rendering"
    body = {
        "kind": "accepted",
        "version": exchange["version"],
        "interpreter": world.interpreter_ref,
    }
    r = client.put(url, json=body, headers=bearer(world.lead))
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["rendering_text"] == exchange["suggestion_text"]
    assert done["rendering_kind"] == "accepted"
    # The interpreter who spoke (external, no login) and the account that typed it differ.
    assert done["external_interpreter_id"] == world.interpreter_id
    assert done["interpreter_id"] is None
    assert done["interpreter_name"] == "石某某"
    assert done["recorded_by"] == world.lead.id
    stale = client.put(
        url,
        json={
            "kind": "replaced",
            "text": "zz-0001",
            "version": exchange["version"],
            "interpreter": world.interpreter_ref,
        },
        headers=bearer(world.lead),
    )
    assert stale.status_code == 409
    listed = client.get(f"{world.interview_api}/exchanges", headers=bearer(world.lead)).json()
    assert listed[0]["rendering_kind"] == "accepted"


def test_a_clerk_without_miao_records_what_the_interpreter_said(
    client: TestClient, world: World, make_user: Any
) -> None:
    clerk = make_user("tian", "clerk")
    r = client.post(
        f"/api/v1/cases/{world.case_id}/assignments",
        headers=bearer(world.lead),
        json={"user_id": clerk.id, "role_on_case": "clerk"},
    )
    assert r.status_code == 201, r.text
    exchange = _say(client, world, QUESTION, who=clerk).json()
    typed = f"zz-0005 {world.spelling} zz-0006"
    r = client.put(
        f"{world.interview_api}/exchanges/{exchange['id']}/rendering",
        json={
            "kind": "replaced",
            "text": typed,
            "version": exchange["version"],
            "interpreter": world.interpreter_ref,
        },
        headers=bearer(clerk),
    )
    assert r.status_code == 200, r.text
    assert r.json()["recorded_by"] == clerk.id and r.json()["recorded_by_name"] == "Tian"
    assert r.json()["interpreter_name"] == "石某某"
    # Recording evidence is not approving Miao text: nothing entered translation memory.
    memory = client.get("/api/v1/memory/entries", headers=bearer(world.miao_admin)).json()
    texts = [e["target_text"] for e in memory.get("items", memory)]
    assert typed not in texts


def test_rendering_must_name_an_interpreter_of_the_case(
    client: TestClient, world: World, make_user: Any
) -> None:
    exchange = _say(client, world, QUESTION).json()
    url = f"{world.interview_api}/exchanges/{exchange['id']}/rendering"
    base = {"kind": "replaced", "text": "zz-0001", "version": exchange["version"]}
    missing = client.put(url, json=base, headers=bearer(world.lead))
    assert missing.status_code == 422
    # The prosecutor typing is not the interpreter: a user who is no interpreter of the case.
    not_interpreter = client.put(
        url, json={**base, "interpreter": f"user:{world.lead.id}"}, headers=bearer(world.lead)
    )
    assert not_interpreter.status_code == 422
    assert not_interpreter.json()["errors"][0]["field"] == "interpreter"
    undeclared = engage_external_interpreter(
        client, world.lead, world.case_id, "麻某", declare=False
    )
    pending = client.put(
        url,
        json={**base, "interpreter": f"external:{undeclared['id']}"},
        headers=bearer(world.lead),
    )
    assert pending.status_code == 422 and "申报" in pending.json()["detail"]
    listed = client.get(f"{world.interview_api}/exchanges", headers=bearer(world.lead)).json()
    assert listed[0]["rendering_text"] is None


def test_a_gloss_cannot_be_accepted_as_the_rendering(client: TestClient, world: World) -> None:
    exchange = _say(client, world, QUESTION).json()
    assert exchange["receipt"]["sentences"][0]["path"] == "gloss"
    url = f"{world.interview_api}/exchanges/{exchange['id']}/rendering"
    who = {"version": exchange["version"], "interpreter": world.interpreter_ref}
    accepted = client.put(url, json={"kind": "accepted", **who}, headers=bearer(world.lead))
    assert accepted.status_code == 422
    problem = accepted.json()
    assert problem["type"].endswith("/gloss-not-a-rendering")
    assert "逐词对照" in problem["detail"]
    # Saving the gloss unchanged as an "edit" is refused the same way.
    unchanged = client.put(
        url,
        json={"kind": "edited", "text": exchange["suggestion_text"], **who},
        headers=bearer(world.lead),
    )
    assert unchanged.status_code == 422
    assert unchanged.json()["type"].endswith("/gloss-not-a-rendering")
    typed = client.put(
        url,
        json={"kind": "replaced", "text": f"zz-0001 {world.spelling}", **who},
        headers=bearer(world.lead),
    )
    assert typed.status_code == 200, typed.text
    assert typed.json()["rendering_text"] == f"zz-0001 {world.spelling}"


def test_outsider_sees_no_interview(client: TestClient, world: World, make_user: Any) -> None:
    outsider = make_user("other", "prosecutor")
    assert _say(client, world, QUESTION, who=outsider).status_code == 404
    r = client.get(f"{world.interview_api}/exchanges", headers=bearer(outsider))
    assert r.status_code == 404


def test_approved_pair_becomes_an_exact_hit(client: TestClient, world: World) -> None:
    entry = _approve_pair(client, world, f"zz-0001 {world.spelling} zz-0002")
    sentence = _say(client, world, QUESTION).json()["receipt"]["sentences"][0]
    assert sentence["path"] == "memory-exact"
    assert sentence["memory"]["entry_id"] == entry["id"]
    assert sentence["memory"]["approved_by_name"] == "Longadmin"
    assert sentence["output"] == f"zz-0001 {world.spelling} zz-0002"
    assert "interpreter-required" not in sentence["flags"]
    term = sentence["terms"][0]
    assert sentence["output"][term["output_start"] : term["output_end"]] == world.spelling
    # A near variant of the question is a fuzzy hit with its score, labelled.
    near = _say(client, world, f"你知道什么叫{TERM_CMN}吗？").json()["receipt"]["sentences"][0]
    assert near["path"] == "memory-fuzzy"
    assert 75 <= near["memory"]["score"] < 100
    assert near["memory"]["differences"]


def test_finished_interview_is_closed_and_exports(client: TestClient, world: World) -> None:
    exchange = _say(client, world, QUESTION).json()
    client.put(
        f"{world.interview_api}/exchanges/{exchange['id']}/rendering",
        json={
            "kind": "edited",
            "text": f"{world.spelling} zz-0003",
            "version": exchange["version"],
            "interpreter": world.interpreter_ref,
        },
        headers=bearer(world.lead),
    )
    done = client.post(f"{world.interview_api}/finish", headers=bearer(world.lead))
    assert done.status_code == 200 and done.json()["status"] == "completed"
    assert _say(client, world, QUESTION).status_code == 409
    docx = client.get(f"{world.interview_api}/export.docx", headers=bearer(world.lead))
    assert docx.status_code == 200
    text = "\n".join(
        cell.text
        for table in Document(io.BytesIO(docx.content)).tables
        for row in table.rows
        for cell in row.cells
    ) + "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert f"{world.spelling} zz-0003" in text
    assert "逐词对照" in text and "保检刑诉〔2026〕12号" in text
    pdf = client.get(f"{world.interview_api}/export.pdf", headers=bearer(world.lead))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert (
        client.get(f"{world.interview_api}/export.txt", headers=bearer(world.lead)).status_code
        == 404
    )


def test_exchange_must_go_between_chinese_and_the_party_language(
    client: TestClient, world: World
) -> None:
    body = {
        "speaker_role": "prosecutor",
        "source_language": "cmn",
        "target_language": "eng",
        "text": QUESTION,
    }
    r = client.post(f"{world.interview_api}/exchanges", json=body, headers=bearer(world.lead))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "target_language"
    swapped = {**body, "target_language": "mmr", "speaker_role": "party"}
    r = client.post(f"{world.interview_api}/exchanges", json=swapped, headers=bearer(world.lead))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "speaker_role"
    listed = client.get(f"{world.interview_api}/exchanges", headers=bearer(world.lead)).json()
    assert listed == []


def test_correction_names_an_exchange_of_its_own_interview(
    client: TestClient, world: World
) -> None:
    exchange = _say(client, world, QUESTION).json()
    body = {
        "source_language": "cmn",
        "source_text": QUESTION,
        "target_language": "mmr",
        "target_variety": "花垣",
        "target_text": "zz-0001",
        "case_id": world.case_id,
        "interview_id": world.interview_id,
        "exchange_id": exchange["id"] + 1000,
    }
    r = client.post("/api/v1/memory/submissions", json=body, headers=bearer(world.lead))
    assert r.status_code == 404
    ok = client.post(
        "/api/v1/memory/submissions",
        json={**body, "exchange_id": exchange["id"]},
        headers=bearer(world.lead),
    )
    assert ok.status_code == 201, ok.text
    huge = client.get("/api/v1/memory/entries", params={"page": 10**15}, headers=bearer(world.lead))
    assert huge.status_code == 422
