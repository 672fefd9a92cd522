"""Live microphone over a WebSocket: real Mandarin streamed as PCM16 or as WebM/Opus gives
partial results and a final per utterance; silence gives no text; speech that is not
Mandarin (espeak-ng reading English, a stand-in) gives a final with no text; callers are
checked like any case route before any audio is taken."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from interp_service.audit.orm import AuditEntry
from interp_service.config import Settings
from interp_service.engine.speech.types import Recognition, SpeechSpan
from interp_service.speech.live.audio import AudioError, CompressedSource, PcmSource
from interp_service.speech.live.recognition import Recogniser
from interp_service.speech.live.utterances import Segmenter, Utterance
from interp_service.speech.scoring import character_error_rate, normalise
from tests.conftest import Account, bearer, browser_session, new_case
from tests.speech.conftest import clip, encode_as, english_standin, noise, references, silence

LONG_CLIP = "aishell1_BAC009S0764W0143.wav"  # 7.1 s
ORIGIN = {"origin": "http://testserver"}
CHUNK_BYTES = 3200  # 100 ms of 16 kHz PCM16


@dataclass
class Live:
    lead: Account
    outsider: Account
    case_id: int
    interview_id: int

    @property
    def url(self) -> str:
        return f"/api/v1/cases/{self.case_id}/interviews/{self.interview_id}/live"


@pytest.fixture
def live(speech_app: FastAPI, client: TestClient, make_user: Any) -> Live:
    lead = make_user("wu", "prosecutor")
    outsider = make_user("zhao", "prosecutor")
    case = new_case(client, lead)
    party = client.post(
        f"/api/v1/cases/{case['id']}/parties",
        headers=bearer(lead),
        json={"name": "龙某某", "role": "suspect", "language": "mmr", "needs_interpreter": True},
    )
    assert party.status_code == 201, party.text
    interview = client.post(
        f"/api/v1/cases/{case['id']}/interviews",
        headers=bearer(lead),
        json={"party_id": party.json()["id"], "scheduled_at": "2026-11-20T02:00:00Z"},
    )
    assert interview.status_code == 201, interview.text
    return Live(lead, outsider, case["id"], interview.json()["id"])


def pcm16(samples: np.ndarray) -> bytes:
    return bytes((np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes())


def receive(ws: Any) -> dict[str, Any]:
    message: dict[str, Any] = json.loads(ws.receive_text())
    assert message["type"] != "error", message
    return message


def until(ws: Any, kind: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Messages up to and including the first of type `kind` (that one, the ones before)."""
    seen: list[dict[str, Any]] = []
    while (message := receive(ws))["type"] != kind:
        seen.append(message)
    return message, seen


def stream(ws: Any, data: bytes, chunk: int = CHUNK_BYTES, pace_s: float = 0.0) -> None:
    for i in range(0, len(data), chunk):
        ws.send_bytes(data[i : i + chunk])
        if pace_s:
            time.sleep(pace_s)  # faster than real time, slow enough for partials


def stop(ws: Any) -> list[dict[str, Any]]:
    """Send stop; every message until the end (which is checked)."""
    ws.send_text(json.dumps({"type": "stop"}))
    end, seen = until(ws, "end")
    assert end["utterances"] >= max([m["utterance"] for m in seen if m["type"] == "final"] or [0])
    return seen


def test_mandarin_pcm_gives_partials_then_a_final(client: TestClient, live: Live) -> None:
    reference = references()[LONG_CLIP]
    with client.websocket_connect(live.url, headers=bearer(live.lead)) as ws:
        ws.send_text(json.dumps({"format": "pcm16", "sample_rate": 16000}))
        assert receive(ws) == {"type": "ready"}
        stream(
            ws, pcm16(np.concatenate([silence(0.5), clip(LONG_CLIP), silence(1.0)])), pace_s=0.03
        )
        # The final comes from the trailing silence, before the client stops.
        final, before = until(ws, "final")
        rest = stop(ws)
    partials = [m for m in before if m["type"] == "partial"]
    assert partials, before
    assert all(m["utterance"] == 1 and re.search(r"[\u4e00-\u9fff]", m["text"]) for m in partials)
    assert final["utterance"] == 1 and final["kind"] == "mandarin"
    assert final["language_unconfirmed"] is False and final["detected_language"] == "zh"
    assert character_error_rate(final["text"], reference) <= 0.5, final["text"]
    # Speech starts about 0.5 s into the clip (after 0.5 s of added silence), ends with it.
    assert 0.5 <= final["start_s"] <= 1.1 and 7.0 <= final["end_s"] <= 8.2
    assert not [m for m in rest if m["type"] == "final" and m["text"]]


def test_webm_opus_as_mediarecorder_sends_it(
    speech_app: FastAPI, client: TestClient, live: Live
) -> None:
    name = "aishell1_BAC009S0764W0121.wav"
    audio = np.concatenate([clip(name), silence(1.2), clip("funasr_asr_example.wav"), silence(1.2)])
    data = encode_as(audio, "webm", "libopus")
    assert data[:4] == b"\x1a\x45\xdf\xa3"
    with client.websocket_connect(live.url, headers=bearer(live.lead)) as ws:
        ws.send_text(json.dumps({"format": "webm"}))
        assert receive(ws) == {"type": "ready"}
        stream(ws, data, chunk=2000)
        first, _ = until(ws, "final")  # decoded as it arrives: no need to stop first
        rest = stop(ws)
    finals = [first, *[m for m in rest if m["type"] == "final"]]
    texts = [m["text"] for m in finals if m["text"]]
    assert len(texts) == 2, finals
    assert character_error_rate(texts[0], references()[name]) <= 0.5, texts[0]
    assert character_error_rate(texts[1], references()["funasr_asr_example.wav"]) <= 0.5, texts[1]
    with speech_app.state.services.session_factory() as db:
        entry = db.scalar(select(AuditEntry).where(AuditEntry.action == "speech.live.session"))
    assert entry is not None and entry.case_id == live.case_id
    assert entry.details["format"] == "webm" and entry.details["mandarin"] == 2
    assert entry.details["ended"] == "stop" and entry.details["audio_s"] > 10
    assert not any(t in json.dumps(entry.details, ensure_ascii=False) for t in texts)


def test_silence_and_noise_give_no_text(client: TestClient, live: Live) -> None:
    with client.websocket_connect(live.url, headers=bearer(live.lead)) as ws:
        ws.send_text(json.dumps({"format": "pcm16", "sample_rate": 16000}))
        assert receive(ws) == {"type": "ready"}
        stream(ws, pcm16(np.concatenate([silence(2.0), noise(2.0, 0.01), silence(1.0)])))
        rest = stop(ws)
    assert not [m for m in rest if m.get("text")]


def test_speech_that_is_not_mandarin_gets_no_text(client: TestClient, live: Live) -> None:
    """espeak-ng reading English stands in for any speech the gate must not transcribe."""
    audio = np.concatenate([english_standin(), silence(1.0)])
    with client.websocket_connect(live.url, headers=bearer(live.lead)) as ws:
        ws.send_text(json.dumps({"format": "pcm16", "sample_rate": 16000}))
        assert receive(ws) == {"type": "ready"}
        stream(ws, pcm16(audio), pace_s=0.01)
        rest = stop(ws)
    finals = [m for m in rest if m["type"] == "final"]
    assert finals and all(m["text"] is None for m in finals), finals
    assert not [m for m in rest if m["type"] == "partial"]
    assert any(m["language_unconfirmed"] and m["detected_language"] != "zh" for m in finals)


def closed_with(client: TestClient, url: str, headers: dict[str, str]) -> int:
    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(url, headers=headers) as ws,
    ):
        ws.send_text(json.dumps({"format": "pcm16"}))
        ws.receive_text()
    return closed.value.code


def test_callers_are_checked_before_any_audio(
    app: FastAPI, client: TestClient, live: Live, make_user: Any
) -> None:
    assert closed_with(client, live.url, {}) == 4401
    assert closed_with(client, live.url, {"authorization": "Bearer isk_wrong"}) == 4401
    # Signed in but not assigned: as if the case did not exist.
    assert closed_with(client, live.url, bearer(live.outsider)) == 4404
    missing = f"/api/v1/cases/{live.case_id}/interviews/987654/live"
    assert closed_with(client, missing, bearer(live.lead)) == 4404
    assert closed_with(client, "/api/v1/cases/987654/interviews/1/live", bearer(live.lead)) == 4404
    cookies, _ = browser_session(app, live.lead)
    cookie = {"cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())}
    # A cookie from another site's page (cross-site WebSocket hijacking), or no Origin.
    assert closed_with(client, live.url, {**cookie, "origin": "http://evil.example"}) == 4403
    assert closed_with(client, live.url, cookie) == 4403
    with client.websocket_connect(live.url, headers={**cookie, **ORIGIN}) as ws:
        ws.send_text(json.dumps({"format": "pcm16", "sample_rate": 16000}))
        assert receive(ws) == {"type": "ready"}
        assert stop(ws) == []


def test_bad_config_is_refused(client: TestClient, live: Live) -> None:
    with client.websocket_connect(live.url, headers=bearer(live.lead)) as ws:
        ws.send_text(json.dumps({"format": "flac"}))
        assert json.loads(ws.receive_text())["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_text()
    assert closed.value.code == 1003


def test_segmenter_partials_finals_and_cut() -> None:
    """A stand-in detector: loud chunks are speech."""
    seg = Segmenter(lambda chunk: float(np.abs(chunk).max() > 0.1), max_utterance_s=3.0)
    speech = np.full(16000 * 2, 0.5, dtype=np.float32)
    out = seg.feed(np.concatenate([silence(1.0), speech]))
    # One partial at most per feed: the latest.
    assert [(u.number, u.final) for u in out] == [(1, False)]
    out = seg.feed(silence(1.0))
    assert [(u.number, u.final) for u in out] == [(1, True)]
    final = out[0]
    assert final.start_s == pytest.approx(0.7, abs=0.05)  # 0.3 s of audio before speech
    assert final.end_s == pytest.approx(3.2, abs=0.05)  # 0.2 s of the silence after it
    # A long utterance is cut at the maximum and goes on as the next one.
    out = seg.feed(np.full(16000 * 4, 0.5, dtype=np.float32))
    assert [(u.number, u.final) for u in out if u.final] == [(2, True)]
    assert out[0].samples.size == pytest.approx(3.0 * 16000, abs=1024)
    out = seg.flush()
    assert [(u.number, u.final) for u in out] == [(3, True)]
    # A click shorter than the minimum speech is dropped.
    assert seg.feed(np.concatenate([np.full(1024, 0.5, np.float32), silence(1.0)])) == []


def test_sources_resample_and_decode_in_pieces() -> None:
    tone = (0.3 * np.sin(np.arange(48000) * 2 * np.pi * 440 / 48000)).astype(np.float32)
    source = PcmSource(48000)
    raw = pcm16(tone)
    got = np.concatenate([source.feed(raw[:1001]), source.feed(raw[1001:]), source.finish()])
    assert abs(got.size - 16000) < 100
    data = encode_as(clip(LONG_CLIP), "webm", "libopus")
    webm = CompressedSource("webm")
    pieces = [webm.feed(data[i : i + 1500]) for i in range(0, len(data), 1500)]
    decoded = sum(p.size for p in pieces)
    assert decoded > 0.9 * clip(LONG_CLIP).size  # decoded as it came, not at the end
    assert abs(decoded + webm.finish().size - clip(LONG_CLIP).size) < 1600
    bad = CompressedSource("webm")
    with pytest.raises(AudioError, match="无法解码"):
        bad.feed(b"not a webm stream at all" * 100)


def test_partials_are_skipped_while_recognising_but_finals_all_run() -> None:
    """A stand-in recogniser that takes 0.2 s: partials offered meanwhile are dropped, never
    queued; finals wait their turn and come out in order."""

    def slow(samples: np.ndarray, **_: Any) -> Recognition:
        time.sleep(0.2)
        return Recognition("zh", 0.99, 0.99, 0.01, f"第{samples.size}句")

    models: Any = SimpleNamespace(
        whisper=lambda: SimpleNamespace(recognise=slow),
        gate=None,
        settings=Settings(),
    )
    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def scenario() -> Recogniser:
        recogniser = Recogniser(models, "", send)
        recogniser.offer(Utterance(1, silence(1.0), 0.0, False))
        recogniser.offer(Utterance(1, silence(2.0), 0.0, False))  # busy: skipped
        recogniser.offer(Utterance(1, silence(2.5), 0.0, True))
        recogniser.offer(Utterance(2, silence(1.0), 3.0, False))  # a final waits: skipped
        recogniser.offer(Utterance(2, silence(1.5), 3.0, True))
        await recogniser.drain()
        return recogniser

    recogniser = asyncio.run(scenario())
    assert [(m["type"], m["utterance"]) for m in sent] == [
        ("partial", 1),
        ("final", 1),
        ("final", 2),
    ]
    assert sent[1]["text"] == "第40000句" and sent[2]["start_s"] == 3.0
    assert recogniser.counts["partials_skipped"] == 2


def test_a_partial_is_one_greedy_pass_and_a_final_decodes_as_recordings_do(
    shared_speech_models: Any,
) -> None:
    """The first 1.5 s of this clip leave Whisper unsure: a partial (replaced by its final
    anyway) must not spend beam and temperature retries on it, which held the final back."""
    from interp_service.speech import pipeline
    from interp_service.speech.live.recognition import recognise

    name = "aishell1_BAC009S0764W0122.wav"
    start = clip(name)[: int(1.5 * 16_000)]
    partial = recognise(shared_speech_models, start, "", final=False)
    assert partial.passes == 1
    retried = shared_speech_models.whisper().recognise(start)
    assert retried.passes > 1  # the engine's own default does retry this span
    whole = clip(name)
    final = recognise(shared_speech_models, whole, "", final=True)
    span = SpeechSpan(0.0, whole.size / 16_000)
    as_recorded = pipeline.recognise_span(shared_speech_models, whole, span, "")
    assert final.text == as_recorded.recognition.text
    assert final.passes == as_recorded.recognition.passes
    assert final.text is not None
    assert character_error_rate(final.text, references()[name]) < 0.3


def test_a_final_is_conditioned_on_the_streams_earlier_finals(shared_speech_models: Any) -> None:
    """As spans of a recording are: Whisper's own text of the finals before, never the text
    of a partial."""
    whisper = shared_speech_models.whisper()
    seen: list[str] = []
    real = whisper.recognise

    def spy(samples: np.ndarray, **kwargs: Any) -> Recognition:
        seen.append(kwargs.get("previous", ""))
        return real(samples, **kwargs)

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    first, second = clip("aishell1_BAC009S0764W0121.wav"), clip("aishell1_BAC009S0764W0122.wav")

    async def scenario() -> None:
        recogniser = Recogniser(shared_speech_models, "", send)
        recogniser.offer(Utterance(1, first, 0.0, True))
        await recogniser.drain()
        recogniser = Recogniser(shared_speech_models, "", send)
        recogniser.offer(Utterance(1, first, 0.0, True))
        recogniser.offer(Utterance(2, second[:16_000], 5.0, False))
        recogniser.offer(Utterance(2, second, 5.0, True))
        await recogniser.drain()

    whisper.recognise = spy
    try:
        asyncio.run(scenario())
    finally:
        whisper.recognise = real
    finals = [m for m in sent if m["type"] == "final"]
    assert finals[0]["text"] and seen[0] == "" and seen[1] == ""  # each stream starts afresh
    assert seen[-1] and normalise(seen[-1]) == normalise(finals[1]["text"])
