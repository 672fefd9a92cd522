"""The translation API and its LibreTranslate face: receipts on every sentence, plain text
only for approved memory or a promoted model, labels on everything else."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from libretranslatepy import LibreTranslateAPI

from tests.conftest import Account, bearer
from tests.interview_setup import TERM_CMN, approve_miao_term

QUESTION = f"你知道什么是{TERM_CMN}吗？"


@pytest.fixture
def term(client: TestClient, admin: Account, make_user: Any) -> tuple[str, Account]:
    spelling, _gloss, miao_admin = approve_miao_term(client, admin, make_user)
    return spelling, miao_admin


def _memory(client: TestClient, who: Account, source: str, target: str) -> None:
    r = client.post(
        "/api/v1/memory/entries",
        headers=bearer(who),
        json={
            "source_language": "cmn",
            "source_text": source,
            "target_language": "mmr",
            "target_variety": "花垣",
            "target_text": target,
        },
    )
    assert r.status_code == 201, r.text


def test_batch_translates_sentence_by_sentence_with_receipts(
    client: TestClient, term: tuple[str, Account]
) -> None:
    spelling, miao_admin = term
    _memory(client, miao_admin, "请坐。", "zz-0100")
    r = client.post(
        "/api/v1/translate",
        headers=bearer(miao_admin),
        json={
            "texts": [f"請坐。{QUESTION}", "请坐"],
            "source_language": "cmn",
            "target_language": "mmr",
            "target_variety": "花垣",
        },
    )
    assert r.status_code == 200, r.text
    first, second = r.json()["results"]
    # Traditional characters are normalised before the memory lookup.
    assert first["text"].startswith("请坐。")
    paths = [s["receipt"]["path"] for s in first["sentences"]]
    assert paths == ["memory-exact", "gloss"]
    assert first["sentences"][0]["output"] == "zz-0100"
    assert spelling in first["sentences"][1]["output"]
    assert second["sentences"][0]["receipt"]["path"] == "memory-exact"  # final 。 ignored
    assert first["glossary_release"] == r.json()["glossary_release"]


def test_stream_answers_each_sentence_in_order(
    client: TestClient, term: tuple[str, Account]
) -> None:
    _spelling, who = term
    text = "".join(f"第{i}句话说到{TERM_CMN}。" for i in range(12))
    with client.stream(
        "POST",
        "/api/v1/translate/stream",
        headers=bearer(who),
        json={"text": text, "source_language": "cmn", "target_language": "mmr"},
    ) as r:
        assert r.headers["content-type"].startswith("application/x-ndjson")
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert [line["index"] for line in lines[:-1]] == list(range(12))
    assert lines[-1] == {**lines[-1], "done": True, "sentences": 12, "error": None}
    assert all(line["sentence"]["receipt"]["path"] == "gloss" for line in lines[:-1])


def test_bad_requests_get_problems(client: TestClient, term: tuple[str, Account]) -> None:
    _spelling, who = term
    same = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={"texts": ["你好"], "source_language": "cmn", "target_language": "cmn"},
    )
    assert same.status_code == 422
    assert same.headers["content-type"].startswith("application/problem+json")
    unknown = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={"texts": ["你好"], "source_language": "cmn", "target_language": "xyz"},
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "target_language"
    foreign_case = client.post(
        "/api/v1/translate",
        headers=bearer(who),
        json={
            "texts": ["你好"],
            "source_language": "cmn",
            "target_language": "mmr",
            "case_id": 987654,
        },
    )
    assert foreign_case.status_code == 404
    assert client.post("/api/v1/translate", json={}).status_code == 401


def test_libretranslate_client_gets_plain_memory_and_labelled_gloss(
    client: TestClient, term: tuple[str, Account], live_url: str
) -> None:
    spelling, miao_admin = term
    _memory(client, miao_admin, "请坐。", "zz-0100")
    api = LibreTranslateAPI(live_url + "/", api_key=miao_admin.token)
    codes = {lang["code"] for lang in api.languages()}
    assert {"zh", "mmr"} <= codes
    assert api.translate("请坐。", "zh", "mmr") == "zz-0100"
    glossed = api.translate(QUESTION, "zh", "mmr")
    assert glossed.startswith("[逐词对照，需译员]") and spelling in glossed
    assert api.detect("你知道什么是取保候审吗？")[0]["language"] == "zh"
    with pytest.raises(Exception, match="403"):
        LibreTranslateAPI(live_url + "/", api_key="not-a-key").translate("请坐。", "zh", "mmr")


def test_libretranslate_unreadable_bodies_get_a_clear_error(
    client: TestClient, term: tuple[str, Account]
) -> None:
    _spelling, who = term
    broken = client.post(
        "/translate", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
    nested = client.post(
        "/translate", json={"q": {"a": 1}, "source": "zh", "target": "mmr", "api_key": who.token}
    )
    assert nested.status_code == 400 and "missing q" in nested.json()["error"]
    detect = client.post("/detect", content=b"\xff", headers={"content-type": "application/json"})
    assert detect.status_code == 400
