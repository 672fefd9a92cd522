"""The text check reads JSON bodies whole: the body size limit still bounds what it reads."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interp_service.config import Settings
from tests.conftest import _settings


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return _settings(tmp_path / "data", db_url, max_body_bytes=2048)


def test_body_limit_still_applies_to_bodies_read_for_the_check(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit counts as it reads
        yield b'{"username": "'
        for _ in range(10):
            yield b"x" * 512
        yield b'", "password": "p"}'

    r = client.post(
        "/api/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert r.headers["content-type"] == "application/problem+json"
    assert "2048" in r.json()["detail"]
    # Under the limit, the body read for the check still reaches the route.
    ok = client.post("/api/v1/auth/login", json={"username": "admin", "password": "wrong-one"})
    assert ok.status_code == 401
