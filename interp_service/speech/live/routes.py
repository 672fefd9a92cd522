"""Live microphone: a WebSocket that turns streamed audio into partial and final Mandarin
text while the prosecutor speaks.

Protocol (JSON text frames, audio in binary frames):

1. The client connects to `/api/v1/cases/{case_id}/interviews/{interview_id}/live` with
   its session cookie (the `Origin` must be this site) or `Authorization: Bearer`. The
   server accepts the handshake and checks the caller like any CASE_READ route; a caller
   who fails is closed at once with 4401 (not signed in), 4403 (cross-site origin) or
   4404 (no such case or interview, or not assigned to the case), before any audio.
2. The client sends `{"format": "pcm16", "sample_rate": 16000}` (little-endian 16-bit
   mono PCM; other rates from 8 to 48 kHz are resampled) or `{"format": "webm"}`
   (`"ogg"` too: Opus as MediaRecorder records it, sent in pieces as it arrives).
3. The server answers `{"type": "ready"}` once the models are loaded; audio sent before
   that is still used. Then binary frames of audio.
4. While speech goes on the server sends `{"type": "partial", "utterance": n, "text"}`
   about every second of new speech, only for text the language gate let through; a
   partial is skipped (never queued) while a recognition is still running.
5. After ~0.5 s of silence, or when an utterance reaches `live_max_utterance_s`, it sends
   `{"type": "final", "utterance": n, "text": str | null, "kind", "start_s", "end_s",
   "language_unconfirmed", "detected_language"}`; `kind` is mandarin, unconfirmed (not
   confidently Mandarin: no text) or no_speech. Times count from the first audio.
6. `{"type": "stop"}` ends the audio: what is left becomes a final, every final still
   being recognised is sent, then `{"type": "end", "utterances": n}` and close 1000.
   Errors come as `{"type": "error", "message"}` (then a close when fatal).

Nothing is stored but one audit entry per session with counts (never text or audio)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import Counter
from collections.abc import Callable
from typing import Any

import numpy as np
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session, sessionmaker

from interp_service.api.access import CASE_READ
from interp_service.api.deps import get_services
from interp_service.api.ids import Id
from interp_service.audit.chain import record
from interp_service.engine.errors import ModelLoadError
from interp_service.errors import AppError
from interp_service.media.audio import SAMPLE_RATE
from interp_service.speech.live.access import Admitted, admit_in_session
from interp_service.speech.live.audio import AudioError, Source, parse_config
from interp_service.speech.live.recognition import Recogniser
from interp_service.speech.live.utterances import Segmenter, Utterance
from interp_service.speech.models import SpeechModels
from interp_service.users.service import actor_of

router = APIRouter(prefix="/api/v1", tags=["speech"])
logger = logging.getLogger(__name__)

CONFIG_TIMEOUT_S = 15.0
IDLE_TIMEOUT_S = 60.0
MAX_FRAME_BYTES = 1 << 20
"""Largest audio frame (PCM16 at 16 kHz: 32 s); browsers send about 100 ms at a time."""
CLOSE_CODES = {401: 4401, 403: 4403, 404: 4404}


# --- the route ------------------------------------------------------------------------------


def _load(models: SpeechModels) -> Callable[[np.ndarray], float]:
    models.whisper()
    return models.new_stream_vad().speech_probability


def _audit(
    factory: sessionmaker[Session],
    who: Admitted,
    case_id: int,
    interview_id: int,
    details: dict[str, Any],
) -> None:
    from interp_service.users.repository import get_user

    with factory() as db:
        user = get_user(db, who.user_id)
        if user is None:
            return
        record(
            db,
            actor_of(user),
            "speech.live.session",
            "interview",
            interview_id,
            case_id=case_id,
            details=details,
        )
        db.commit()  # a WebSocket has no request session: this short one is its own


class _Channel:
    """Sends JSON to the client one message at a time; quiet once the client is gone."""

    def __init__(self, websocket: WebSocket) -> None:
        self._ws = websocket
        self._lock = asyncio.Lock()
        self.open = True

    async def send(self, message: dict[str, Any]) -> None:
        async with self._lock:
            if not self.open:
                return
            try:
                await self._ws.send_text(json.dumps(message, ensure_ascii=False))
            except (WebSocketDisconnect, RuntimeError, OSError):
                self.open = False

    async def close(self, code: int, reason: str = "") -> None:
        async with self._lock:
            if self.open:
                self.open = False
                with contextlib.suppress(WebSocketDisconnect, RuntimeError, OSError):
                    await self._ws.close(code, reason)


@router.websocket("/cases/{case_id}/interviews/{interview_id}/live")
async def live_speech(websocket: WebSocket, case_id: Id, interview_id: Id) -> None:
    """Live Mandarin recognition of the microphone (see the module's docstring)."""
    services = get_services(websocket)
    factory = services.session_factory
    await websocket.accept()
    channel = _Channel(websocket)
    try:
        who = await run_in_threadpool(
            admit_in_session,
            factory,
            websocket,
            case_id,
            interview_id,
            services.speech_models.settings.asr_prompt_terms,
        )
    except AppError as exc:
        reason = exc.detail.encode()[:120].decode(errors="ignore")  # a close reason's limit
        await channel.close(CLOSE_CODES.get(exc.status, 4400), reason)
        return
    counts: Counter[str] = Counter()
    details: dict[str, Any] = {"format": None, "ended": "disconnect"}
    source: Source | None = None
    recogniser: Recogniser | None = None
    segmenter: Segmenter | None = None
    try:
        try:
            first = await asyncio.wait_for(websocket.receive(), CONFIG_TIMEOUT_S)
        except TimeoutError:
            await channel.send({"type": "error", "message": "未收到格式说明"})
            await channel.close(1008)
            details["ended"] = "timeout"
            return
        if first["type"] == "websocket.disconnect":
            return
        try:
            source = parse_config(first.get("text") or "")
        except AudioError as exc:
            await channel.send({"type": "error", "message": str(exc)})
            await channel.close(1003)
            details["ended"] = "bad-config"
            return
        details["format"] = source.name
        models = services.speech_models
        try:
            probability = await run_in_threadpool(_load, models)
        except ModelLoadError:
            await channel.send({"type": "error", "message": "语音识别模型无法加载，请联系管理员"})
            await channel.close(1011)
            details["ended"] = "model-error"
            return
        segmenter = Segmenter(probability, max_utterance_s=models.settings.live_max_utterance_s)
        recogniser = Recogniser(models, who.prompt, channel.send)
        await channel.send({"type": "ready"})
        details["ended"] = await _stream(websocket, channel, source, segmenter, recogniser, models)
        if details["ended"] == "stop":
            await recogniser.drain()
            await channel.send({"type": "end", "utterances": segmenter.finals})
            await channel.close(1000)
    finally:
        if source is not None:
            source.close()
        if recogniser is not None:
            if not recogniser.task.done():
                recogniser.cancel()
            counts.update(recogniser.counts)
        audio_s = segmenter.position / SAMPLE_RATE if segmenter is not None else 0.0
        details.update(
            audio_s=round(audio_s, 1),
            utterances=counts["finals"],
            mandarin=counts["mandarin"],
            unconfirmed=counts["unconfirmed"],
            no_speech=counts["no_speech"],
            partials=counts["partials"],
        )
        await run_in_threadpool(_audit, factory, who, case_id, interview_id, details)


async def _stream(
    websocket: WebSocket,
    channel: _Channel,
    source: Source,
    segmenter: Segmenter,
    recogniser: Recogniser,
    models: SpeechModels,
) -> str:
    """Receive audio until stop, disconnect or an error; returns how the stream ended."""
    limit = models.settings.max_audio_seconds * SAMPLE_RATE

    def feed(data: bytes) -> list[Utterance]:
        return segmenter.feed(source.feed(data))

    def finish() -> list[Utterance]:
        return [*segmenter.feed(source.finish()), *segmenter.flush()]

    while True:
        try:
            message = await asyncio.wait_for(websocket.receive(), IDLE_TIMEOUT_S)
        except TimeoutError:
            await channel.send({"type": "error", "message": "长时间未收到音频，连接已关闭"})
            await channel.close(1001)
            return "timeout"
        if message["type"] == "websocket.disconnect":
            return "disconnect"
        data = message.get("bytes")
        if data is not None and len(data) > MAX_FRAME_BYTES:
            await channel.send({"type": "error", "message": "音频帧过大，请分段发送"})
            await channel.close(1009)
            return "bad-audio"
        stopping = False
        try:
            if data is not None:
                due = await run_in_threadpool(feed, data)
            else:
                stopping = _is_stop(message.get("text") or "")
                if not stopping:
                    await channel.send({"type": "error", "message": "无法识别的控制消息"})
                    continue
                due = await run_in_threadpool(finish)
        except AudioError as exc:
            await channel.send({"type": "error", "message": str(exc)})
            await channel.close(1007)
            return "bad-audio"
        for utterance in due:
            recogniser.offer(utterance)
        if stopping:
            return "stop"
        if segmenter.position > limit:
            await channel.send({"type": "error", "message": "已达到单次实时识别的最长时长"})
            for utterance in await run_in_threadpool(segmenter.flush):
                recogniser.offer(utterance)
            return "stop"


def _is_stop(text: str) -> bool:
    try:
        message = json.loads(text)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("type") == "stop"


live_speech.access_policy = CASE_READ  # type: ignore[attr-defined]
"""Declared for tests/test_access_policies.py; `admit` enforces it (a WebSocket cannot use
the HTTP dependency `require`)."""
