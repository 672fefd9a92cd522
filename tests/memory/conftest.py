"""Fixtures of the translation-memory tests. Miao text is always a zz-0001 placeholder."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Account, bearer


@pytest.fixture
def miao_admin(make_user: Any) -> Account:
    """An admin competent in Western Xiangxi Miao (any variety)."""
    account: Account = make_user("miaoadmin", "admin", competences=("mmr",))
    return account


@pytest.fixture
def prosecutor(make_user: Any) -> Account:
    account: Account = make_user("wu", "prosecutor")
    return account


def pair(source: str, target: str, **extra: Any) -> dict[str, Any]:
    """A Chinese → Miao submission body."""
    return {
        "source_language": "cmn",
        "source_text": source,
        "target_language": "mmr",
        "target_text": target,
        **extra,
    }


def submit(client: TestClient, who: Account, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post("/api/v1/memory/submissions", json=body, headers=bearer(who))
    assert r.status_code == 201, r.text
    data: dict[str, Any] = r.json()
    return data


def approve(client: TestClient, who: Account, submission_id: int, **body: Any) -> dict[str, Any]:
    r = client.post(
        f"/api/v1/memory/submissions/{submission_id}/approve", json=body, headers=bearer(who)
    )
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data


def approved_pair(
    client: TestClient,
    submitter: Account,
    approver: Account,
    source: str,
    target: str,
    **extra: Any,
) -> dict[str, Any]:
    """Submit and approve; returns the approved submission (its `entry_id` is the entry)."""
    return approve(client, approver, submit(client, submitter, pair(source, target, **extra))["id"])


def lookup(client: TestClient, who: Account, text: str, **extra: Any) -> dict[str, Any]:
    body = {"text": text, "source_language": "cmn", "target_language": "mmr", **extra}
    r = client.post("/api/v1/memory/lookup", json=body, headers=bearer(who))
    assert r.status_code == 200, r.text
    data: dict[str, Any] = r.json()
    return data
