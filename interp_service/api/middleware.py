"""ASGI middleware: refuse oversized bodies before reading them, set security headers."""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interp_service.errors import PayloadTooLarge

UPLOAD_PATHS = re.compile(
    r"^(/api/v1)?/(cases/[^/]+/evidence|cases/[^/]+/documents/translate"
    r"|glossary/terms/[^/]+/recordings|glossary/import"
    r"|memory/(entries|phrasebook)/[^/]+/recording"
    r"|cases/[^/]+/interviews/[^/]+/(recordings|transcripts))/?$"
    r"|^/v1/audio/transcriptions/?$"
)

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class BodyLimitMiddleware:
    """413 as soon as Content-Length or the bytes received pass the limit for the path."""

    def __init__(self, app: ASGIApp, max_body: int, max_upload: int) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        # The large upload limit applies only to requests that carry credentials at all;
        # they are checked before the body is read (see api/access.py).
        has_credentials = b"authorization" in headers or b"interp_session=" in headers.get(
            b"cookie", b""
        )
        is_upload = UPLOAD_PATHS.match(scope["path"]) and has_credentials
        limit = self.max_upload if is_upload else self.max_body
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send_413(send, limit, scope["path"])
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # FastAPI re-raises an HTTPException from receive; it becomes a 413.
                    raise HTTPException(413, f"请求内容超过上限 {limit} 字节")
            return message

        await self.app(scope, limited_receive, send)


async def _send_413(send: Send, limit: int, path: str) -> None:
    problem = PayloadTooLarge(f"请求内容超过上限 {limit} 字节").to_problem(path)
    body = json.dumps(problem, ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                *SECURITY_HEADERS,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra: list[Any] = [(k, v) for k, v in SECURITY_HEADERS if k not in existing]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, add_headers)
