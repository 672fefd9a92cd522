"""The worklist ranks what Miao-speaking staff should do next by use in interviews, and
shows sentence text only from cases the viewer is assigned to."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from interp_service.memory import repository as memory_repo
from tests.conftest import Account, bearer
from tests.coverage.helpers import say, second_case, worklist
from tests.interview_setup import TERM_CMN, World, interview_world

NAME_QUESTION = "你叫什么名字？"


@pytest.fixture
def world(client: TestClient, admin: Account, make_user: Any) -> World:
    return interview_world(client, admin, make_user)


def _concept(items: list[dict[str, Any]], chinese: str) -> tuple[int, dict[str, Any]]:
    return next((i, c) for i, c in enumerate(items) if chinese in c["chinese"])


def test_concept_that_fired_twice_ranks_above_one_that_fired_once(
    client: TestClient, world: World
) -> None:
    say(client, world.interview_api, world.lead, "犯罪嫌疑人有权委托辩护人。")
    say(client, world.interview_api, world.lead, "犯罪嫌疑人在哪里？")
    concepts = worklist(client, world.lead)["concepts"]
    twice_at, twice = _concept(concepts["items"], "犯罪嫌疑人")
    once_at, once = _concept(concepts["items"], "委托辩护")
    assert (twice["fired"], once["fired"]) == (2, 1)
    assert twice_at < once_at
    assert [c["fired"] for c in concepts["items"][:2]] == [2, 1]
    assert twice["last_seen"] is not None
    assert twice["link"] == f"/glossary/concepts/{twice['concept_id']}#propose"
    # 取保候审 has an approved 花垣 term: not on the list; the rest of the shipped glossary is.
    assert not any(TERM_CMN in c["chinese"] for c in concepts["items"])
    assert concepts["total"] > 200
    # Never-used concepts follow, legal fields before the generic lexicon.
    assert all(c["fired"] == 0 for c in concepts["items"][2:])


def test_gloss_fallback_sentences_and_words_are_counted(client: TestClient, world: World) -> None:
    say(client, world.interview_api, world.lead, NAME_QUESTION)
    say(client, world.interview_api, world.lead, f"{NAME_QUESTION}你住在哪里？")
    work = worklist(client, world.lead)
    sentences = {s["text"]: s for s in work["sentences"]["items"]}
    assert sentences[NAME_QUESTION]["count"] == 2
    assert sentences["你住在哪里？"]["count"] == 1
    assert work["sentences"]["items"][0]["text"] == NAME_QUESTION
    link = sentences[NAME_QUESTION]["link"]
    assert link == world.interview_api.removeprefix("/api/v1")
    words = {w["text"]: w for w in work["words"]["items"]}
    assert words["名字"]["count"] == 2 and words["名字"]["cases"] == 1
    assert words["住"]["count"] == 1
    assert all(w["text"] not in ("？", "?") for w in work["words"]["items"])


def test_unknown_miao_words_in_answers_are_listed(client: TestClient, world: World) -> None:
    say(
        client,
        world.interview_api,
        world.lead,
        f"zz-0001 {world.spelling} zz-0002 zz-0001.",
        into_miao=False,
    )
    say(client, world.interview_api, world.lead, "ZZ-0001", into_miao=False)
    unknown = {
        w["text"].casefold(): w for w in worklist(client, world.lead)["unknown_words"]["items"]
    }
    assert unknown["zz-0001"]["count"] == 3
    assert unknown["zz-0002"]["count"] == 1
    assert world.spelling not in unknown  # it has a gloss (the approved term)
    assert list(unknown)[0] == "zz-0001"


def test_phrase_used_in_an_interview_ranks_first(client: TestClient, world: World, db: Any) -> None:
    phrases = memory_repo.phrasebook(db)
    used = phrases[-1]
    say(client, world.interview_api, world.lead, used.source_text)
    items = worklist(client, world.lead)["phrases"]["items"]
    assert len(items) == len(phrases)  # shipped drafts: no Miao side, no recording
    assert items[0]["entry_id"] == used.id and items[0]["used"] == 1
    assert items[0]["missing_text"] and items[0]["missing_recording"]
    assert all(p["used"] == 0 for p in items[1:])


def test_outsider_sees_counts_but_no_sentence_from_a_case_not_theirs(
    client: TestClient, app: FastAPI, world: World, make_user: Any, admin: Account
) -> None:
    other_lead = make_user("yang", "prosecutor")
    other_api = second_case(client, other_lead)
    secret = "龙某某昨天去了吉首。"
    say(client, world.interview_api, world.lead, secret)
    say(client, world.interview_api, world.lead, NAME_QUESTION)
    say(client, other_api, other_lead, NAME_QUESTION)

    outsider = make_user("peng", "prosecutor")
    seen = worklist(client, outsider)
    assert seen["sentences"]["items"] == []
    assert seen["hidden_sentences"] == 2
    words = {w["text"]: w for w in seen["words"]["items"]}
    assert words["名字"]["count"] == 2 and words["名字"]["cases"] == 2  # in two cases: shown
    assert "龙" not in words and "吉首" not in words  # one case only: withheld
    assert seen["hidden_words"] >= 2
    page = client.get("/api/v1/coverage/worklist", headers=bearer(outsider)).text
    assert "吉首" not in page and secret not in page

    # The other case's lead sees the shared question from their own case, not the secret.
    theirs = worklist(client, other_lead)
    texts = [s["text"] for s in theirs["sentences"]["items"]]
    assert texts == [NAME_QUESTION]
    assert theirs["sentences"]["items"][0]["count"] == 2
    assert theirs["sentences"]["items"][0]["link"] == other_api.removeprefix("/api/v1")

    # Members of the case and admins see everything.
    assert secret in [s["text"] for s in worklist(client, world.lead)["sentences"]["items"]]
    everything = worklist(client, admin)
    assert {secret, NAME_QUESTION} <= {s["text"] for s in everything["sentences"]["items"]}
    assert everything["hidden_sentences"] == 0 and everything["hidden_words"] == 0


def test_variety_filter_and_validation(client: TestClient, world: World) -> None:
    say(client, world.interview_api, world.lead, NAME_QUESTION)
    assert worklist(client, world.lead, variety="吉首")["sentences"]["items"] == []
    assert worklist(client, world.lead, variety="")["sentences"]["total"] == 1
    bad = client.get(
        "/api/v1/coverage/worklist", params={"language": "Miao"}, headers=bearer(world.lead)
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/coverage/worklist").status_code == 401
