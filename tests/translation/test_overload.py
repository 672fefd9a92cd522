"""Overload and deadlines against a running server: every accepted request gets exactly one
answer (a translation, 503 with Retry-After when the queue is full, or 504 past its
deadline), counted over a few hundred concurrent requests."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from interp_service.app import create_app
from interp_service.config import Settings
from interp_service.engine.cards import ModelCard
from interp_service.engine.fake import FakeTranslator, fake_translation
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine
from interp_service.engine.testing import NOUNS
from tests.conftest import Account, bearer
from tests.translation.conftest import serve
from tests.translation.test_model_path import install

REQUESTS = 300
BODY = {"source_language": "cmn", "target_language": "mmr", "use_memory": False}


QUEUE = 16
REPLICAS = 2
BATCH = 8


@dataclass
class GatedServer:
    url: str
    gate: threading.Event


@pytest.fixture
def gated_server(settings: Settings, tiny_model: ModelCard) -> Iterator[GatedServer]:
    """A running server whose promoted model answers only once `gate` is opened (a fake
    translator stands in for it), with a queue of 16 sentences."""
    install(settings, tiny_model)
    gate = threading.Event()
    engine = Engine(
        [settings.trained_models_dir],
        BatchingOptions(replicas=REPLICAS, queue_size=QUEUE, max_batch_size=BATCH),
        translator_factory=lambda card: FakeTranslator(gate=gate),
    )
    # A deadline longer than the burst takes, so held requests wait for the gate.
    patient = settings.model_copy(update={"translate_timeout_s": 300.0})
    app = create_app(patient, translation_engine=engine)
    with serve(app) as url:
        yield GatedServer(url, gate)
        gate.set()
    app.state.services.database.dispose()


async def _burst(server: GatedServer, token: str) -> list[httpx.Response]:
    """Send REQUESTS at once; open the gate once every request that cannot be held (queue
    plus one batch per replica) has been answered."""
    limits = httpx.Limits(max_connections=REQUESTS, max_keepalive_connections=0)
    held = QUEUE + REPLICAS * BATCH
    async with httpx.AsyncClient(base_url=server.url, limits=limits, timeout=300) as http:

        async def one(i: int) -> httpx.Response:
            noun = NOUNS[i % len(NOUNS)][0]
            return await http.post(
                "/api/v1/translate",
                headers={"Authorization": f"Bearer {token}"},
                json={**BODY, "texts": [f"请说明{noun}的情况"]},
            )

        tasks = [asyncio.ensure_future(one(i)) for i in range(REQUESTS)]
        while sum(t.done() for t in tasks) < REQUESTS - held:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED, timeout=5)
        server.gate.set()
        return list(await asyncio.gather(*tasks))


def test_burst_gets_one_answer_each(gated_server: GatedServer, make_user: Any) -> None:
    user = make_user("burst", "prosecutor")
    responses = asyncio.run(_burst(gated_server, user.token))
    statuses = Counter(r.status_code for r in responses)
    assert sum(statuses.values()) == REQUESTS
    # 504 would still be one answer (a held request past its deadline); with the long
    # deadline above the held ones are translated once the gate opens.
    assert set(statuses) <= {200, 503, 504} and statuses[200] > 0, statuses
    assert statuses[503] >= REQUESTS - (QUEUE + REPLICAS * BATCH)
    for r in responses:
        if r.status_code == 503:
            assert int(r.headers["Retry-After"]) >= 1
            assert r.json()["type"].endswith("/overloaded")
        elif r.status_code == 200:
            [sentence] = r.json()["results"][0]["sentences"]
            assert sentence["receipt"]["path"] == "model"
            assert sentence["output"] == fake_translation(sentence["source"])


def test_request_past_its_deadline_gets_504(
    settings: Settings,
    tiny_model: ModelCard,
    make_user: Any,
) -> None:
    hurried = settings.model_copy(update={"translate_timeout_s": 1e-6})
    install(hurried, tiny_model)
    app = create_app(hurried)
    user: Account = make_user("hurried", "prosecutor")
    with TestClient(app) as client:
        r = client.post(
            "/api/v1/translate", headers=bearer(user), json={**BODY, "texts": ["请说明证人的情况"]}
        )
    app.state.services.database.dispose()
    assert r.status_code == 504
    assert r.headers["content-type"].startswith("application/problem+json")
