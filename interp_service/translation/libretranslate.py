"""The LibreTranslate API shape (`POST /translate`, `GET /languages`, `POST /detect`), so
existing LibreTranslate clients work unchanged.

Only exact approved-memory hits and promoted-model output come back as plain translations.
Anything else (fuzzy memory, the word-by-word gloss) is visibly labelled at the start of the
text, and every answer carries the receipts in an extra `receipts` field.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.formparsers import MultiPartException

from interp_service.api.access import API_KEY_IN_BODY, require
from interp_service.api.deps import DbSession, get_services
from interp_service.db.session import release_connection
from interp_service.errors import AppError
from interp_service.translation import langid
from interp_service.translation.pipeline import Request as PipelineRequest
from interp_service.translation.receipts import SentenceResult, TranslationResult
from interp_service.translation.service import check_request, context_for, run_all
from interp_service.users.service import resolve_api_token

router = APIRouter(tags=["libretranslate"])

# LibreTranslate speaks ISO 639-1 where one exists; Miao varieties have none.
TO_ISO3 = {"zh": "cmn", "zh-Hans": "cmn", "zh-CN": "cmn", "zh-cn": "cmn", "en": "eng"}
FROM_ISO3 = {"cmn": "zh", "eng": "en", "mmr": "mmr", "muq": "muq"}
LANGUAGES = [
    {"code": "zh", "name": "Chinese", "targets": ["mmr", "muq"]},
    {"code": "mmr", "name": "Western Xiangxi Miao", "targets": ["zh"]},
    {"code": "muq", "name": "Eastern Xiangxi Miao", "targets": ["zh"]},
]
PLAIN_PATHS = {"memory-exact", "model"}
MAX_TEXTS = 64  # as many as one /api/v1/translate batch


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _body(request: Request) -> dict[str, Any] | None:
    """The JSON or form body as a dict; None when it cannot be read."""
    try:
        if request.headers.get("content-type", "").startswith("application/json"):
            data = await request.json()
            return data if isinstance(data, dict) else {}
        form = await request.form(max_files=0, max_fields=20)
    except (ValueError, UnicodeDecodeError, MultiPartException):
        return None
    return {k: v for k, v in form.items() if isinstance(v, str)}


UNREADABLE = "Invalid request: the body is not valid JSON or form data (UTF-8)"


def _key_holder(db: Session, key: Any) -> bool:
    if not isinstance(key, str) or not key:
        return False
    found = resolve_api_token(db, key)
    if found is None or not found[0].is_active:
        return False
    db.commit()  # frees the connection while the texts are translated; keeps last_used_at
    return True


def labelled(sentence: SentenceResult) -> str:
    """The sentence as a plain LibreTranslate text: labelled unless reliable."""
    receipt = sentence.receipt
    if receipt.path in PLAIN_PATHS and "enforcement-failed" not in receipt.flags:
        return sentence.output
    if receipt.path == "memory-fuzzy" and receipt.memory is not None:
        return f"[近似记忆 {receipt.memory.score:.0f}%，需译员] {sentence.output}"
    if receipt.path == "model":
        return f"[术语未能强制，需译员] {sentence.output}"
    return f"[逐词对照，需译员] {sentence.output}"


def plain_text(result: TranslationResult) -> str:
    joiner = "" if result.target_language == "cmn" else " "
    return joiner.join(labelled(s) for s in result.sentences)


@router.get("/languages")
def languages(_: None = require(API_KEY_IN_BODY)) -> list[dict[str, Any]]:
    return LANGUAGES


@router.post("/translate", response_model=None)
async def translate(
    request: Request,
    db: DbSession,
    _: None = require(API_KEY_IN_BODY),
) -> JSONResponse | dict[str, Any]:
    body = await _body(request)
    if body is None:
        return _error(400, UNREADABLE)
    if not await run_in_threadpool(_key_holder, db, body.get("api_key")):
        return _error(403, "Invalid API key")
    q = body.get("q")
    raw = q if isinstance(q, list) else [q]
    texts = [t for t in raw if isinstance(t, str) and t]
    if not texts or len(texts) != len(raw):
        return _error(400, "Invalid request: missing q parameter")
    if len(texts) > MAX_TEXTS:
        return _error(400, f"Invalid request: at most {MAX_TEXTS} texts per request")
    limit = get_services(request).settings.translate_max_chars
    if any(len(t) > limit for t in texts):
        return _error(400, f"Invalid request: a text is longer than {limit} characters")
    source = str(body.get("source", ""))
    target = str(body.get("target", ""))
    detected: dict[str, Any] | None = None
    if source == "auto":
        guess = langid.identify(texts[0])
        source = guess.language
        detected = {"confidence": round(guess.confidence * 100, 1), "language": source}
    src, tgt = TO_ISO3.get(source, source), TO_ISO3.get(target, target)
    try:
        asks = [PipelineRequest(t, src, tgt) for t in texts]
        for ask in asks:
            check_request(ask, get_services(request).settings)
        ctx = await run_in_threadpool(context_for, get_services(request), db)
        await run_in_threadpool(release_connection, db)
        results = await run_all(ctx, asks)
    except AppError as exc:
        headers = (
            {"Retry-After": str(exc.extra["retry_after"])} if "retry_after" in exc.extra else None
        )
        return JSONResponse({"error": exc.detail}, status_code=exc.status, headers=headers)
    outputs = [plain_text(r) for r in results]
    answer: dict[str, Any] = {
        "translatedText": outputs if isinstance(q, list) else outputs[0],
        "receipts": [[s.receipt.model_dump(mode="json") for s in r.sentences] for r in results],
    }
    if detected is not None:
        answer["detectedLanguage"] = detected
    return answer


@router.post("/detect", response_model=None)
async def detect(
    request: Request,
    db: DbSession,
    _: None = require(API_KEY_IN_BODY),
) -> JSONResponse | list[dict[str, Any]]:
    body = await _body(request)
    if body is None:
        return _error(400, UNREADABLE)
    if not await run_in_threadpool(_key_holder, db, body.get("api_key")):
        return _error(403, "Invalid API key")
    q = body.get("q")
    if not isinstance(q, str) or not q:
        return _error(400, "Invalid request: missing q parameter")
    guess = langid.identify(q)
    return [
        {
            "confidence": round(guess.confidence * 100, 1),
            "language": FROM_ISO3.get(guess.language, guess.language),
        }
    ]
