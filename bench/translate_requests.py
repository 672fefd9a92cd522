"""Translation requests through the real app: a batch of texts against one text holding the
same sentences (a promoted model), and the gloss path (no model) under concurrent clients.

    .venv/bin/python -m bench.translate_requests [--rounds 3] [--clients 16,300]
                                                 [--requests 600] [--workdir DIR]

The app runs in this process (`create_app`, its lifespan entered, requests through
httpx's ASGITransport on the app's own event loop), on a migrated SQLite database with the
shipped criminal-procedure glossary imported and 5,000 approved placeholder memory pairs
(Chinese sources, zz-NNNNNN targets, never Miao), so every sentence goes through term
recognition and a fuzzy memory lookup that misses.

Model part: the tests' tiny placeholder model (engine.testing, trained once into --workdir,
about 10 s) is promoted. One `POST /api/v1/translate` of 64 one-sentence texts against one
text of the same 64 sentences; for reference, the same 64 texts as 64 calls of the pipeline
(`translation.service.run`) awaited one after another on the same engine, which is what the
route did per text before texts were sent together. Median of --rounds, in ms.

Gloss part: a second app without a model. --clients lists the numbers of concurrent
clients; each sends requests of one two-sentence text back to back until --requests have
been answered (at least two per client). Requests/s, latency p50/p95 (ms), and the event
loop's worst stall: a task sleeping 5 ms in a loop beside the clients, its largest overshoot.
A benchmark, not a test: the figures are as noisy as the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session

from interp_service.app import create_app
from interp_service.audit.chain import Actor
from interp_service.config import Settings
from interp_service.db.migrate import initialise
from interp_service.engine.cards import read_card
from interp_service.engine.service import promote
from interp_service.engine.testing import NOUNS, train_tiny_model
from interp_service.glossary.exchange.importing import import_glossary
from interp_service.memory import repository as memory_repo
from interp_service.memory.orm import MemoryEntry
from interp_service.services import AppServices
from interp_service.translation.normalise import match_key
from interp_service.translation.pipeline import Request
from interp_service.translation.service import context_for, run
from interp_service.users.orm import User
from interp_service.users.schemas import TokenCreate, UserCreate
from interp_service.users.service import create_api_token, create_user

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "glossaries" / "criminal-procedure.tsv"
TEXTS = 64
MEMORY_PAIRS = 5_000
PLACES = ("家里", "村里", "镇上", "集市", "河边", "山上", "派出所门口", "公路边")
WORDS = (
    "我们",
    "他们",
    "那天",
    "后来",
    "已经",
    "一起",
    "东西",
    "事情",
    "钱包",
    "手机",
    "摩托车",
    "房子",
    "亲戚",
    "邻居",
    "老板",
)


def model_sentences() -> list[str]:
    """64 sentences the tiny model was trained on (请说明<noun>的情况)."""
    return [f"请说明{NOUNS[i % len(NOUNS)][0]}的情况。" for i in range(TEXTS)]


def gloss_text(rng: random.Random, terms: list[str]) -> str:
    """Two interview sentences holding a glossary term each."""
    first = f"{rng.choice(terms)}以后，你{rng.randint(1, 28)}号在{rng.choice(PLACES)}做什么？"
    second = f"请说明{rng.choice(terms)}的时候{rng.choice(WORDS)}在哪里。"
    return first + second


def _bench_user(session: Session, name: str, role: str) -> User:
    """An active account named `name` with the one role `role`."""
    return create_user(
        session,
        Actor(None, "bench"),
        UserCreate(
            username=name, display_name=name, password="correct-horse-battery", roles=[role]
        ),
    )


class Stand:
    """A migrated SQLite database with the glossary, the memory pairs and a prosecutor's
    API token; the tiny model promoted when `tiny` is given."""

    def __init__(self, folder: Path, tiny: Path | None) -> None:
        self.settings = Settings(data_dir=folder, admin_username="admin", admin_password="x" * 20)
        initialise(self.settings)
        if tiny is not None:
            target = self.settings.trained_models_dir / "mt" / tiny.name
            shutil.copytree(tiny, target)
            promote(self.settings.trained_models_dir, read_card(target))
        self.app: FastAPI = create_app(self.settings)
        self.services: AppServices = self.app.state.services
        self.terms = self._fill()

    def _fill(self) -> list[str]:
        """Users, glossary, memory; returns the glossary's Chinese terms of 2-8 characters."""
        with self.services.session_factory() as session:
            admin = _bench_user(session, "bench-admin", "admin")
            user = _bench_user(session, "wu", "prosecutor")
            _, self.token = create_api_token(session, user, TokenCreate(name="bench"))
            outcome = import_glossary(session, admin, GLOSSARY.read_bytes(), "tsv", dry_run=False)
            assert not outcome.parsed.problems
            rng = random.Random(7)
            now = datetime.now(UTC)
            seen: set[str] = set()
            while len(seen) < MEMORY_PAIRS:
                source = "".join(rng.choices([*WORDS, *PLACES], k=rng.randint(4, 12))) + "。"
                if source in seen:
                    continue
                seen.add(source)
                session.add(
                    MemoryEntry(
                        source_language="cmn",
                        source_text=source,
                        source_key=match_key(source, "cmn"),
                        target_language="mmr",
                        target_text=f"zz-{len(seen):06d}",
                        origin="import",
                        status="approved",
                        approved_by=admin.id,
                        approved_at=now,
                    )
                )
            memory_repo.bump_state(session)
            session.commit()
        terms: list[str] = []
        for line in GLOSSARY.read_text(encoding="utf-8").splitlines()[1:]:
            cells = line.split("\t")
            if len(cells) > 4 and cells[2] == "cmn" and 2 <= len(cells[4]) <= 8:
                terms.append(cells[4])
        return terms

    @asynccontextmanager
    async def client(self) -> AsyncIterator[httpx.AsyncClient]:
        """An HTTP client on the running app (lifespan entered: engine refreshed)."""
        async with self.app.router.lifespan_context(self.app):
            transport = httpx.ASGITransport(app=self.app)
            headers = {"Authorization": f"Bearer {self.token}"}
            async with httpx.AsyncClient(
                transport=transport, base_url="http://bench", headers=headers, timeout=600
            ) as http:
                yield http

    def close(self) -> None:
        self.services.job_runner.shutdown()
        self.services.database.dispose()


async def translate(http: httpx.AsyncClient, texts: list[str], **extra: Any) -> dict[str, Any]:
    body = {"texts": texts, "source_language": "cmn", "target_language": "mmr", **extra}
    r = await http.post("/api/v1/translate", json=body)
    assert r.status_code == 200, r.text
    out: dict[str, Any] = r.json()
    return out


async def timed_ms(coro: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = await coro
    return (time.perf_counter() - start) * 1000, value


async def model_part(stand: Stand, rounds: int) -> None:
    sentences = model_sentences()
    one_text = "".join(sentences)
    async with stand.client() as http:
        await translate(http, sentences[:16])  # loads the model, warms the replicas
        with stand.services.session_factory() as session:
            ctx = await asyncio.to_thread(context_for, stand.services, session)

        async def sequential() -> list[Any]:
            return [await run(ctx, Request(s, "cmn", "mmr")) for s in sentences]

        rows: dict[str, list[float]] = {"batch": [], "one": [], "seq": []}
        for _ in range(rounds):
            ms, batch = await timed_ms(translate(http, sentences))
            rows["batch"].append(ms)
            ms, single = await timed_ms(translate(http, [one_text]))
            rows["one"].append(ms)
            ms, seq = await timed_ms(sequential())
            rows["seq"].append(ms)
        paths = {s["receipt"]["path"] for r in batch["results"] for s in r["sentences"]}
        assert paths == {"model"}, paths
        assert (
            [r["output"] for r in batch["results"]]
            == [s["output"] for s in single["results"][0]["sentences"]]
            == [r.output for r in seq]
        )
    one = statistics.median(rows["one"])
    print(
        f"\nModel path (tiny model, beam {stand.settings.mt_beam_size}), 64 sentences, "
        f"median of {rounds} (ms):"
    )
    print(f"{'how':<62} {'ms':>8} {'x one text':>10}")
    for label, key in (
        ("one text of 64 sentences, one request", "one"),
        ("64 one-sentence texts, one request", "batch"),
        ("64 pipeline calls awaited one after another (old route)", "seq"),
    ):
        value = statistics.median(rows[key])
        print(f"{label:<62} {value:>8.0f} {value / one:>10.2f}")


async def _stall_probe(stop: asyncio.Event, worst: list[float]) -> None:
    """Largest overshoot (ms) of a 5 ms sleep while the clients run."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(0.005)
        worst[0] = max(worst[0], (time.perf_counter() - start - 0.005) * 1000)


async def load(
    http: httpx.AsyncClient, texts: list[str], clients: int, total: int
) -> tuple[float, list[float], float]:
    """(requests/s, latencies in ms, worst loop stall in ms)."""
    latencies: list[float] = []
    counter = iter(range(total))

    async def client() -> None:
        for i in counter:
            ms, out = await timed_ms(translate(http, [texts[i % len(texts)]], use_model=False))
            assert out["results"][0]["sentences"][0]["receipt"]["path"] == "gloss"
            latencies.append(ms)

    stop, worst = asyncio.Event(), [0.0]
    probe = asyncio.create_task(_stall_probe(stop, worst))
    start = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    wall = time.perf_counter() - start
    stop.set()
    await probe
    return total / wall, latencies, worst[0]


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


async def gloss_part(stand: Stand, levels: list[int], requests: int) -> None:
    rng = random.Random(3)
    texts = [gloss_text(rng, stand.terms) for _ in range(400)]
    print(
        f"\nGloss path (no model), one text of two sentences per request, {requests}+ "
        "requests per level:"
    )
    print(
        f"{'clients':>7} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'worst loop stall ms':>20}"
    )
    async with stand.client() as http:
        await load(http, texts, 4, 40)  # jieba dictionary, indexes, connections
        for clients in levels:
            total = max(requests, 2 * clients)
            rate, latencies, stall = await load(http, texts, clients, total)
            print(
                f"{clients:>7} {total:>8} {rate:>8.1f} {statistics.median(latencies):>8.0f} "
                f"{p95(latencies):>8.0f} {stall:>20.0f}"
            )


def tiny_model(workdir: Path) -> Path:
    folder = workdir / "tiny-cmn-mmr"
    if not (folder / "card.toml").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        start = time.perf_counter()
        train_tiny_model(folder)
        print(f"tiny model trained in {time.perf_counter() - start:.1f} s")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--clients", default="16,300")
    parser.add_argument("--requests", type=int, default=600)
    default_workdir = Path(tempfile.gettempdir()) / "interp-bench-translate-requests"
    parser.add_argument("--workdir", type=Path, default=default_workdir)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    levels = [int(c) for c in args.clients.split(",") if c]
    print(f"CPUs: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    tiny = tiny_model(args.workdir)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        stand = Stand(Path(folder) / "model", tiny)
        try:
            asyncio.run(model_part(stand, args.rounds))
        finally:
            stand.close()
        stand = Stand(Path(folder) / "gloss", None)
        try:
            asyncio.run(gloss_part(stand, levels, args.requests))
        finally:
            stand.close()
    print(f"\nload average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
