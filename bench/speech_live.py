"""Live microphone latency: how long after the prosecutor stops speaking the final text
arrives, against the recogniser's own time on the same utterance, measured in the same run.

    .venv/bin/python -m bench.speech_live [--clips 9] [--gap 1.5] [--streams 1]
                                          [--model-dir DIR] [--threads 2]

The service runs as `interp-service serve` in a subprocess with a temporary data folder; the
bench creates a prosecutor with an API token, a case, a party and an interview, then streams
the real Mandarin clips of ../shared/data/speech-zh (each followed by --gap seconds of
silence) over the WebSocket as 16 kHz PCM16 in 100 ms frames at real-time pace, from
--streams clients at once (same audio, one interview).

Latency of an utterance: from the moment the frame holding its last speech sample was sent
(speech ends found by silero-vad run offline on each clip without padding: when the
trailing silence starts) to the moment its final arrived. It includes, by design, the
~0.5 s of silence the service waits for before it calls an utterance finished, and any
partial recognition still running at that moment. Baseline: the recogniser alone
(interp_service.speech.live.recognition.recognise, the call the service makes for a final,
same prompt, same beam, without the earlier finals as context) on exactly the samples of that
final, called directly in this process after streaming ended, one at a time, after a warm-up.
"first partial": from the first speech sample sent to the first partial text of that
utterance. CER by interp_service.speech.scoring.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench.speech import DATA, load_clips
from interp_service.media.audio import SAMPLE_RATE
from interp_service.speech.scoring import character_errors

FRAME = SAMPLE_RATE // 10  # 100 ms
END_SILENCE_S = 0.6


@dataclass
class Clip:
    name: str
    reference: str
    offset: int  # first sample in the stream
    speech_start: int  # absolute sample indices of the clip's speech (offline VAD)
    speech_end: int


@dataclass
class Run:
    sent: list[float] = field(default_factory=list)  # wall time each frame was sent
    received: list[tuple[float, dict[str, Any]]] = field(default_factory=list)

    def sent_at(self, sample: int) -> float:
        return self.sent[min(sample // FRAME, len(self.sent) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_stream(
    clips: list[tuple[str, np.ndarray, str]], gap_s: float
) -> tuple[np.ndarray, list[Clip]]:
    from interp_service.engine.speech.vad import VoiceActivityDetector

    vad = VoiceActivityDetector(speech_pad_ms=0)  # where speech really ends
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    pieces = [np.zeros(SAMPLE_RATE // 2, dtype=np.float32)]
    placed: list[Clip] = []
    position = pieces[0].size
    for name, samples, reference in clips:
        spans = vad.spans(samples)
        if spans:
            start, end = int(spans[0].start_s * SAMPLE_RATE), int(spans[-1].end_s * SAMPLE_RATE)
            placed.append(Clip(name, reference, position, position + start, position + end))
        pieces += [samples, gap]
        position += samples.size + gap.size
    audio = np.concatenate(pieces)
    # What the service receives: 16-bit samples.
    pcm = (np.clip(audio, -1, 1) * 32767).astype("<i2")
    return pcm.astype(np.float32) / 32768.0, placed


def start_service(
    data_dir: Path, model_dir: Path, threads: int
) -> tuple[subprocess.Popen[bytes], str, dict[str, str]]:
    port = free_port()
    env = {
        **os.environ,
        "INTERP_DATA_DIR": str(data_dir),
        "INTERP_PORT": str(port),
        "INTERP_ADMIN_USERNAME": "admin",
        "INTERP_ADMIN_PASSWORD": "bench-admin-password",
        "INTERP_ASR_MODEL_DIR": str(model_dir),
        "INTERP_ASR_THREADS": str(threads),
    }
    env.pop("INTERP_DATABASE_URL", None)
    log = (data_dir / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "interp_service.cli", "serve"], env=env, stdout=log, stderr=log
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                return proc, url, env
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError((data_dir / "server.log").read_text())
        time.sleep(0.2)


def make_interview(env: dict[str, str], url: str) -> tuple[str, str]:
    """A prosecutor with an API token, a case, a party and an interview; (token, ws path)."""
    from interp_service.audit.chain import Actor
    from interp_service.config import Settings
    from interp_service.db.session import make_engine, make_session_factory
    from interp_service.users.schemas import TokenCreate, UserCreate
    from interp_service.users.service import create_api_token, create_user

    settings = Settings(data_dir=Path(env["INTERP_DATA_DIR"]))
    engine = make_engine(settings)
    with make_session_factory(engine)() as session:
        user = create_user(
            session,
            Actor(None, "bench"),
            UserCreate(
                username="benchpro",
                display_name="Bench",
                password="bench-password-123",
                roles=["prosecutor"],
            ),
        )
        _, token = create_api_token(session, user, TokenCreate(name="bench"))
        session.commit()
    engine.dispose()
    h = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=url, headers=h, timeout=30) as api:
        case = api.post(
            "/api/v1/cases",
            json={
                "case_number": "基准〔2026〕1号",
                "title": "实时语音基准",
                "case_type": "盗窃",
                "stage": "审查起诉",
                "opened_on": "2026-11-02",
            },
        )
        case.raise_for_status()
        cid = case.json()["id"]
        party = api.post(
            f"/api/v1/cases/{cid}/parties",
            json={"name": "龙某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
        )
        party.raise_for_status()
        interview = api.post(
            f"/api/v1/cases/{cid}/interviews",
            json={"party_id": party.json()["id"], "scheduled_at": "2026-11-20T02:00:00Z"},
        )
        interview.raise_for_status()
    return token, f"/api/v1/cases/{cid}/interviews/{interview.json()['id']}/live"


async def stream_once(ws_url: str, token: str, pcm: bytes) -> Run:
    from websockets.asyncio.client import connect

    run = Run()
    async with connect(
        ws_url, additional_headers={"Authorization": f"Bearer {token}"}, max_size=None
    ) as ws:
        await ws.send(json.dumps({"format": "pcm16", "sample_rate": SAMPLE_RATE}))
        ready = json.loads(await ws.recv())
        assert ready == {"type": "ready"}, ready

        async def receive() -> None:
            async for raw in ws:
                message = json.loads(raw)
                run.received.append((time.monotonic(), message))
                if message["type"] == "end":
                    return

        receiver = asyncio.create_task(receive())
        step = FRAME * 2
        start = time.monotonic()
        for k, i in enumerate(range(0, len(pcm), step)):
            delay = start + k * 0.1 - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            await ws.send(pcm[i : i + step])
            run.sent.append(time.monotonic())
        await ws.send(json.dumps({"type": "stop"}))
        await receiver
    return run


def q(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clips", type=int, default=9)
    parser.add_argument("--gap", type=float, default=1.5, help="silence after each clip (s)")
    parser.add_argument("--streams", type=int, default=1, help="clients streaming at once")
    parser.add_argument("--threads", type=int, default=2, help="INTERP_ASR_THREADS")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument(
        "--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "interp-bench-whisper"
    )
    args = parser.parse_args()

    clips = load_clips(args.data)[: args.clips]
    audio, placed = build_stream(clips, args.gap)
    pcm = (np.round(audio * 32768.0)).clip(-32768, 32767).astype("<i2").tobytes()
    print(
        f"audio: {len(clips)} clips of {args.data.name}, {args.gap} s of silence after each, "
        f"{audio.size / SAMPLE_RATE:.1f} s streamed as PCM16 in 100 ms frames at real-time "
        f"pace by {args.streams} client(s); cores: {os.cpu_count()}, asr threads {args.threads}"
    )
    data_dir = Path(tempfile.mkdtemp(prefix="interp-bench-live-"))
    proc, url, env = start_service(data_dir, args.model_dir, args.threads)
    try:
        token, path = make_interview(env, url)
        ws_url = url.replace("http://", "ws://") + path

        async def all_streams() -> list[Run]:
            return list(
                await asyncio.gather(
                    *[stream_once(ws_url, token, pcm) for _ in range(args.streams)]
                )
            )

        # One short warm-up stream loads the models in the service (seconds, not measured).
        asyncio.run(stream_once(ws_url, token, pcm[: 2 * SAMPLE_RATE]))
        runs = asyncio.run(all_streams())
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    # Baseline: the recogniser alone on the very samples of each final, in this process.
    from interp_service.config import Settings
    from interp_service.db.session import make_engine, make_session_factory
    from interp_service.speech.live.recognition import recognise
    from interp_service.speech.models import SpeechModels
    from interp_service.speech.prompt import initial_prompt

    settings = Settings(data_dir=data_dir, asr_model_dir=args.model_dir, asr_threads=args.threads)
    engine = make_engine(settings)
    with make_session_factory(engine)() as db:
        prompt = initial_prompt(db)  # the service's prompt for this interview
    engine.dispose()
    models = SpeechModels(settings)
    recognise(models, audio[:SAMPLE_RATE], prompt, final=True)  # warm-up

    latencies: list[float] = []
    alone: list[float] = []
    first_partials: list[float] = []
    total_errors = total_chars = missed = 0
    print(
        f"\n{'stream':>6} {'clip':<32} {'speech end':>10} {'latency':>8} {'alone':>6} "
        f"{'1st partial':>11} {'CER':>6}  final text"
    )
    for n, run in enumerate(runs, 1):
        finals = [(t, m) for t, m in run.received if m["type"] == "final"]
        for clip in placed:
            end_s = clip.speech_end / SAMPLE_RATE
            match = next(
                ((t, m) for t, m in finals if m["start_s"] <= end_s <= m["end_s"] + 0.3), None
            )
            if match is None:
                missed += 1
                print(f"{n:>6} {clip.name:<32} {end_s:10.2f}  no final")
                continue
            arrived, final = match
            latency = arrived - run.sent_at(clip.speech_end)
            first_sample = round(final["start_s"] * SAMPLE_RATE)
            samples = audio[first_sample : round(final["end_s"] * SAMPLE_RATE)]
            began = time.perf_counter()
            direct = recognise(models, samples, prompt, final=True)
            seconds = time.perf_counter() - began
            partials = [
                t
                for t, m in run.received
                if m["type"] == "partial" and m["utterance"] == final["utterance"]
            ]
            first = min(partials) - run.sent_at(clip.speech_start) if partials else None
            wrong, chars = character_errors(final["text"] or "", clip.reference)
            total_errors += wrong
            total_chars += chars
            latencies.append(latency)
            alone.append(seconds)
            if first is not None:
                first_partials.append(first)
            same = "" if direct.text == final["text"] else f"  (alone: {direct.text})"
            first_text = f"{first:11.2f}" if first is not None else f"{'-':>11}"
            print(
                f"{n:>6} {clip.name:<32} {end_s:10.2f} {latency:8.2f} {seconds:6.2f} "
                f"{first_text} {wrong / chars:6.1%}  {final['text']}{same}"
            )

    print(f"\nutterances: {len(latencies)} measured, {missed} without a final")
    print(f"{'':<44} {'median':>7} {'p90':>7}")
    rows = [
        ("end of speech -> final (live service)", latencies),
        ("recogniser alone, same samples (baseline)", alone),
        (
            "difference (of which ~0.5 s silence wait)",
            [a - b for a, b in zip(latencies, alone, strict=True)],
        ),
        ("first speech sample -> first partial", first_partials),
    ]
    for label, values in rows:
        if values:
            print(f"{label:<44} {statistics.median(values):7.2f} {q(values, 0.9):7.2f}")
    print(f"CER of the live finals: {total_errors / max(total_chars, 1):.1%}")
    print(f"service log: {data_dir / 'server.log'}")


if __name__ == "__main__":
    main()
