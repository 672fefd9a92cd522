"""The shipped phrasebook: Chinese drafts only, seeded idempotently, never a lookup hit
until an admin competent in Miao approves the Miao side; legal bases exist in the statute."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interp_service.memory.orm import MemoryEntry
from interp_service.memory.phrasebook import seed_phrasebook, shipped_phrases
from tests.conftest import Account, bearer
from tests.glossary.test_shipped_glossary import articles
from tests.memory.conftest import approve, lookup, pair, submit

# A word each phrase's cited articles must contain, so a wrong article number fails here.
SUPPORT = {
    "notice-rights-01": "翻译",
    "notice-rights-02": "回避",
    "notice-rights-03": "委托辩护人",
    "notice-rights-04": "法律援助",
    "notice-duties-01": "如实回答",
    "notice-duties-02": "笔录",
    "notice-duties-03": "证言",
    "question-04": "翻译",
    "question-05": "语言",
}


@pytest.fixture
def seeded(app: FastAPI) -> list[Any]:
    with app.state.services.session_factory() as session:
        seed_phrasebook(session)
        session.commit()
    return shipped_phrases()


def test_shipped_phrases_are_chinese_drafts_with_real_citations() -> None:
    phrases = shipped_phrases()
    assert 8 <= len(phrases) <= 14
    assert len({p.code for p in phrases}) == len(phrases)
    law = articles("刑事诉讼法")
    categories = {p.category for p in phrases}
    assert categories == {"rights_notice", "duties_notice", "standard_question"}
    for phrase in phrases:
        assert phrase.text and phrase.title
        assert all(not ("a" <= c.lower() <= "z") for c in phrase.text)  # no Latin: no Miao
        for label in phrase.articles:
            assert label in law, (phrase.code, label)
            assert label in phrase.legal_basis or "至" in phrase.legal_basis
        if phrase.code in SUPPORT:
            assert any(SUPPORT[phrase.code] in law[a] for a in phrase.articles), phrase.code


def test_seed_is_idempotent_and_keeps_approved_miao(
    app: FastAPI, seeded: list[Any], client: TestClient, miao_admin: Account
) -> None:
    with app.state.services.session_factory() as session:
        count = session.scalar(select(func.count()).select_from(MemoryEntry))
        assert count == len(seeded)
        assert seed_phrasebook(session) == 0
        entry = session.scalar(select(MemoryEntry).where(MemoryEntry.phrase_code == "question-01"))
        assert entry is not None and entry.status == "draft" and entry.target_text == ""
        entry_id, version = entry.id, entry.version
    r = client.patch(
        f"/api/v1/memory/entries/{entry_id}",
        json={"version": version, "target_text": "zz-0001"},
        headers=bearer(miao_admin),
    )
    assert r.status_code == 200 and r.json()["status"] == "approved"
    with app.state.services.session_factory() as session:
        entry = session.get(MemoryEntry, entry_id)
        assert entry is not None
        entry.source_text = "旧的草稿文本"  # as if the shipped wording had changed since
        session.commit()
        assert seed_phrasebook(session) == 0
        session.commit()
        kept = session.get(MemoryEntry, entry_id)
        assert kept is not None and kept.target_text == "zz-0001" and kept.status == "approved"
        draft = session.scalar(select(MemoryEntry).where(MemoryEntry.phrase_code == "question-02"))
        assert draft is not None
        draft.source_text = "旧的草稿文本"
        session.commit()
        assert seed_phrasebook(session) == 1  # an untouched draft follows the shipped text
        session.commit()


def test_drafts_never_hit_until_approved(
    client: TestClient, seeded: list[Any], prosecutor: Account, miao_admin: Account, admin: Account
) -> None:
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(prosecutor)).json()
    assert len(book) == len(seeded) and all(p["draft"] for p in book)
    assert all(p["target_text"] == "" and not p["has_recording"] for p in book)
    question = next(p for p in book if p["phrase_code"] == "question-04")
    assert lookup(client, prosecutor, question["source_text"]) == {
        "exact": None,
        "fuzzy": [],
        "threshold": 75.0,
    }
    near = question["source_text"].replace("听得懂", "听得清")
    assert lookup(client, prosecutor, near, threshold=0)["fuzzy"] == []
    # filling in the Miao side through the review queue fills the draft itself
    sid = submit(client, prosecutor, pair(question["source_text"], "zz-0004"))["id"]
    no_skill = client.post(
        f"/api/v1/memory/submissions/{sid}/approve", json={}, headers=bearer(admin)
    )
    assert no_skill.status_code == 403
    done = approve(client, miao_admin, sid)
    assert done["entry_id"] == question["id"]
    hit = lookup(client, prosecutor, question["source_text"])["exact"]
    assert hit["entry_id"] == question["id"] and hit["is_phrase"] is True
    assert hit["target_text"] == "zz-0004" and hit["origin"] == "phrasebook"
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(prosecutor)).json()
    filled = next(p for p in book if p["phrase_code"] == "question-04")
    assert filled["draft"] is False and filled["approved_by"] == miao_admin.id


def test_correcting_an_approved_phrase_keeps_its_code(
    client: TestClient, seeded: list[Any], prosecutor: Account, miao_admin: Account
) -> None:
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(prosecutor)).json()
    phrase = next(p for p in book if p["phrase_code"] == "notice-rights-01")
    first = approve(
        client, miao_admin, submit(client, prosecutor, pair(phrase["source_text"], "zz-0001"))["id"]
    )
    assert first["entry_id"] == phrase["id"]
    fix = submit(
        client,
        prosecutor,
        pair(phrase["source_text"], "zz-0002", replaces_entry_id=phrase["id"]),
    )
    done = approve(client, miao_admin, fix["id"])
    book = client.get("/api/v1/memory/phrasebook", headers=bearer(prosecutor)).json()
    now = next(p for p in book if p["phrase_code"] == "notice-rights-01")
    assert now["id"] == done["entry_id"] != phrase["id"]
    assert now["target_text"] == "zz-0002" and now["legal_basis"] == phrase["legal_basis"]
    assert len(book) == len(seeded)
