"""The texts of one request are translated together: a 64-text request reaches the engine in
a few batches rather than one per text, results keep the texts' order, one failing text
still fails the request with the service's error (503 with Retry-After), and the CPU work of
the memory and gloss paths runs in a worker thread, not on the event loop."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient

from interp_service.app import create_app
from interp_service.config import Settings
from interp_service.engine.fake import FakeTranslator, fake_translation, write_fake_model
from interp_service.engine.options import BatchingOptions
from interp_service.engine.service import Engine, promote
from interp_service.services import AppServices
from interp_service.translation.pipeline import Request, translate, translate_all
from interp_service.translation.segment import Segmenter, Token
from interp_service.translation.service import context_for
from tests.conftest import Account, bearer

TEXTS = [f"请说明第{i}号证人的情况" for i in range(64)]
BODY = {"source_language": "cmn", "target_language": "mmr", "use_memory": False}


@dataclass
class Stand:
    client: TestClient
    translators: list[FakeTranslator]
    gate: threading.Event
    user: Account


def _stand(
    settings: Settings, make_user: Any, batching: BatchingOptions, gated: bool
) -> Iterator[Stand]:
    """An app whose promoted model is a recording fake translator; with `gated`, batches
    complete only once `gate` is opened (at the end at the latest)."""
    card = write_fake_model(settings.trained_models_dir)
    promote(settings.trained_models_dir, card)
    gate = threading.Event()
    if not gated:
        gate.set()
    translators: list[FakeTranslator] = []

    def factory(_card: Any) -> FakeTranslator:
        translators.append(FakeTranslator(gate=gate))
        return translators[-1]

    engine = Engine([settings.trained_models_dir], batching, translator_factory=factory)
    patient = settings.model_copy(update={"translate_timeout_s": 300.0})
    app = create_app(patient, translation_engine=engine)
    user = make_user("batcher", "prosecutor")
    try:
        with TestClient(app) as client:
            yield Stand(client, translators, gate, user)
            gate.set()
    finally:
        gate.set()
        app.state.services.database.dispose()


@pytest.fixture
def stand(settings: Settings, make_user: Any) -> Iterator[Stand]:
    # A long fill wait, so that the batches are cut by size, not by the clock.
    yield from _stand(settings, make_user, BatchingOptions(max_wait_s=0.05), gated=False)


@pytest.fixture
def small_queue(settings: Settings, make_user: Any) -> Iterator[Stand]:
    options = BatchingOptions(replicas=1, max_batch_size=8, queue_size=8)
    yield from _stand(settings, make_user, options, gated=True)


def _batch_sizes(translators: list[FakeTranslator]) -> list[int]:
    return [size for t in translators for size in t.batch_sizes]


def test_64_texts_reach_the_engine_in_a_few_batches_in_order(stand: Stand) -> None:
    r = stand.client.post(
        "/api/v1/translate", headers=bearer(stand.user), json={**BODY, "texts": TEXTS}
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [res["text"] for res in results] == TEXTS
    for text, res in zip(TEXTS, results, strict=True):
        [sentence] = res["sentences"]
        assert sentence["receipt"]["path"] == "model"
        assert sentence["output"] == fake_translation(text)
    sizes = _batch_sizes(stand.translators)
    assert sum(sizes) == len(TEXTS)
    assert len(sizes) < len(TEXTS) and max(sizes) > 1, sizes


def test_libretranslate_texts_are_batched_too(stand: Stand) -> None:
    body = {"q": TEXTS, "source": "zh", "target": "mmr", "api_key": stand.user.token}
    r = stand.client.post("/translate", json=body)
    assert r.status_code == 200, r.text
    assert r.json()["translatedText"] == [fake_translation(t) for t in TEXTS]
    sizes = _batch_sizes(stand.translators)
    assert sum(sizes) == len(TEXTS) and len(sizes) < len(TEXTS), sizes


def test_a_text_refused_by_a_full_queue_fails_the_request_with_503(small_queue: Stand) -> None:
    # 8 sentences in a batch held by the gate plus 8 queued: the other texts are refused.
    r = small_queue.client.post(
        "/api/v1/translate", headers=bearer(small_queue.user), json={**BODY, "texts": TEXTS}
    )
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["type"].endswith("/overloaded")
    assert int(r.headers["Retry-After"]) >= 1
    body = {"q": TEXTS, "source": "zh", "target": "mmr", "api_key": small_queue.user.token}
    lt = small_queue.client.post("/translate", json=body)
    assert lt.status_code == 503 and lt.json()["error"] == "翻译引擎繁忙，请稍后重试"
    assert int(lt.headers["Retry-After"]) >= 1
    # The texts cancelled with the failed requests do not wedge the engine.
    small_queue.gate.set()
    ok = small_queue.client.post(
        "/api/v1/translate", headers=bearer(small_queue.user), json={**BODY, "texts": TEXTS[:4]}
    )
    assert ok.status_code == 200, ok.text
    assert [res["output"] for res in ok.json()["results"]] == [
        fake_translation(t) for t in TEXTS[:4]
    ]


class RecordingSegmenter(Segmenter):
    """The real segmenter, noting the thread of every call."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: set[int] = set()

    def words(self, sentence: str, language: str) -> list[Token]:
        self.threads.add(threading.get_ident())
        return super().words(sentence, language)


@dataclass
class RecordingMemory:
    """The real memory index, noting the thread of every lookup."""

    index: Any
    threads: set[int] = field(default_factory=set)

    def exact(self, *args: Any, **kwargs: Any) -> Any:
        self.threads.add(threading.get_ident())
        return self.index.exact(*args, **kwargs)

    def fuzzy(self, *args: Any, **kwargs: Any) -> list[Any]:
        self.threads.add(threading.get_ident())
        return list(self.index.fuzzy(*args, **kwargs))


def test_gloss_path_work_runs_off_the_event_loop(app: Any, client: TestClient) -> None:
    services: AppServices = app.state.services
    with services.session_factory() as session:
        base = context_for(services, session)
    segmenter, memory = RecordingSegmenter(), RecordingMemory(base.memory)
    ctx = dataclasses.replace(base, segmenter=segmenter, memory=memory, models=None)
    texts = ["请坐。你叫什么名字？", "你住在哪里？"]

    async def both() -> tuple[int, list[Any]]:
        loop_thread = threading.get_ident()
        many = await translate_all(ctx, [Request(t, "cmn", "mmr") for t in texts])
        one = await translate(ctx, Request(texts[0], "cmn", "mmr"))
        return loop_thread, [*many, one]

    loop_thread, results = asyncio.run(both())
    paths = {s.receipt.path for r in results for s in r.sentences}
    assert paths == {"gloss"}
    assert [r.text for r in results] == [*texts, texts[0]]
    assert segmenter.threads and loop_thread not in segmenter.threads
    assert memory.threads and loop_thread not in memory.threads
