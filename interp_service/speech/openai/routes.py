"""The OpenAI audio API shape (`POST /v1/audio/transcriptions`), so existing OpenAI
clients transcribe Mandarin with the service's own Whisper unchanged.

The route runs the same pipeline as interview recordings: voice activity detection, then
every span through Whisper's language gate. Only spans the gate confirms as Mandarin come
back with text; anything else (silence, Miao, any other language) comes back with none.
Errors answer in OpenAI's shape, `{"error": {"message", "type", "param", "code"}}`, so the
clients raise their usual exceptions (401 → AuthenticationError, 400 → BadRequestError).
The audio is not stored; an audit entry records its SHA-256, duration and segment counts.
"""

from __future__ import annotations

import hashlib
import logging

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from interp_service.api.access import SIGNED_IN, require
from interp_service.api.deps import DbSession, Principal, Services
from interp_service.audit.chain import Actor, record
from interp_service.db.session import release_connection
from interp_service.engine.errors import ModelLoadError
from interp_service.evidence.service import read_whole
from interp_service.evidence.uploads import posted_form
from interp_service.media import audio
from interp_service.speech import pipeline
from interp_service.speech.openai.errors import OpenAIError, OpenAIErrorRoute
from interp_service.speech.openai.formats import render
from interp_service.speech.orm import SEGMENT_KINDS
from interp_service.speech.prompt import initial_prompt
from interp_service.users.service import actor_of

log = logging.getLogger("interp_service")

MODELS = ("whisper-1", "whisper-base")
"""Both names mean the service's Whisper base behind the Mandarin gate."""
RESPONSE_FORMATS = ("json", "text", "srt", "vtt", "verbose_json")
GRANULARITIES = ("word", "segment")

UPLOAD_SCHEMA = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "model"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "model": {"type": "string", "enum": list(MODELS)},
                        "language": {"type": "string"},
                        "prompt": {"type": "string", "description": "ignored"},
                        "response_format": {
                            "type": "string",
                            "enum": list(RESPONSE_FORMATS),
                            "default": "json",
                        },
                        "temperature": {"type": "number", "description": "ignored"},
                        "timestamp_granularities[]": {
                            "type": "array",
                            "items": {"type": "string", "enum": list(GRANULARITIES)},
                        },
                    },
                }
            }
        },
    }
}


router = APIRouter(prefix="/v1", tags=["openai-compatible"], route_class=OpenAIErrorRoute)


def _one(form: FormData, name: str) -> str | None:
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OpenAIError(400, f"'{name}' must be a text field, not a file", param=name)
    return value.strip()


def _granularities(form: FormData) -> set[str]:
    values: list[str] = []
    for name in ("timestamp_granularities[]", "timestamp_granularities"):
        values.extend(v.strip() for v in form.getlist(name) if isinstance(v, str))
    unknown = sorted(set(values) - set(GRANULARITIES))
    if unknown:
        raise OpenAIError(
            400,
            f"Invalid timestamp granularity {unknown[0]!r}; use 'word' or 'segment'",
            param="timestamp_granularities",
            code="invalid_value",
        )
    return set(values) or {"segment"}


def _parameters(form: FormData) -> tuple[str, str, set[str], UploadFile]:
    model = _one(form, "model")
    if not model:
        raise OpenAIError(400, "You must provide a model parameter", param="model")
    if model not in MODELS:
        raise OpenAIError(
            400,
            f"Invalid model {model!r}: this service transcribes with "
            + " or ".join(repr(m) for m in MODELS),
            param="model",
            code="model_not_found",
        )
    response_format = _one(form, "response_format") or "json"
    if response_format not in RESPONSE_FORMATS:
        raise OpenAIError(
            400,
            f"Invalid response_format {response_format!r}: use one of "
            + ", ".join(RESPONSE_FORMATS),
            param="response_format",
            code="invalid_value",
        )
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise OpenAIError(400, "You must provide a file (multipart field 'file')", param="file")
    # `language`, `prompt` and `temperature` are accepted and ignored (see the route).
    return model, response_format, _granularities(form), upload


def _audit(
    db: Session,
    actor: Actor,
    sha256: str,
    duration_s: float,
    results: list[pipeline.SegmentResult],
    model: str,
    response_format: str,
) -> None:
    counts = {kind: sum(r.kind == kind for r in results) for kind in SEGMENT_KINDS}
    record(
        db,
        actor,
        "speech.transcribe.openai",
        "audio",
        sha256,
        details={
            "sha256": sha256,
            "duration_s": round(duration_s, 3),
            "segments": len(results),
            **counts,
            "model": model,
            "response_format": response_format,
        },
    )


def _prompt(db: Session, max_terms: int) -> str:
    prompt = initial_prompt(db, max_terms=max_terms)
    release_connection(db)  # no pooled connection held through the long recognition
    return prompt


@router.post("/audio/transcriptions", response_model=None, openapi_extra=UPLOAD_SCHEMA)
async def create_transcription(
    services: Services,
    db: DbSession,
    me: Principal = require(SIGNED_IN),
    posted: FormData = Depends(posted_form),
) -> Response:
    """Transcribe an uploaded recording, OpenAI style (`Authorization: Bearer <API token>`).

    Form fields: `file` (wav, mp3, ogg/opus, webm, m4a, flac), `model` (`whisper-1` or
    `whisper-base`, both the service's Whisper base), `response_format` (`json`, `text`,
    `srt`, `vtt`, `verbose_json`) and `timestamp_granularities[]` (`word`, `segment`;
    for `verbose_json`).

    Only Mandarin is ever transcribed. `language` is accepted for compatibility but does
    not steer anything: "zh", "cmn", another language or none, every span still goes
    through the Mandarin gate, and spans it does not confirm as Mandarin (Miao, any other
    language, silence) come back without text; `verbose_json` lists them with `kind` and
    `language_unconfirmed: true`. The client's `prompt` is ignored: Whisper's initial
    prompt is built from the glossary alone. `temperature` is ignored (greedy decoding).

    The audio is not stored; the audit trail gets its SHA-256, duration and the number
    of segments of each kind, never text."""
    settings = services.settings
    models = services.speech_models
    model, response_format, granularities, upload = _parameters(posted)
    actor = actor_of(me.user)
    data = await run_in_threadpool(read_whole, upload.file, settings.max_upload_bytes)
    decoded = await run_in_threadpool(audio.decode, data, max_duration_s=settings.max_audio_seconds)
    sha256 = await run_in_threadpool(lambda: hashlib.sha256(data).hexdigest())
    prompt = await run_in_threadpool(_prompt, db, models.settings.asr_prompt_terms)
    try:
        results = await run_in_threadpool(pipeline.transcribe, models, decoded.samples, prompt)
    except ModelLoadError as exc:
        log.error("speech model unavailable: %s", exc)
        raise OpenAIError(
            503, "语音识别模型不可用 (the speech model is unavailable)", kind="server_error"
        ) from exc
    await run_in_threadpool(
        _audit, db, actor, sha256, decoded.duration_s, results, model, response_format
    )
    return render(response_format, granularities, results, decoded.duration_s)
