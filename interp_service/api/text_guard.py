"""Refuse text no column can store, at the edge, the same way on every database.

A NUL character (U+0000) cannot be stored in PostgreSQL text and a lone surrogate
(U+D800–U+DFFF, reachable only through a JSON `\\uD800` escape) cannot be encoded as
UTF-8; reaching the database or the encoder either one answered 500. This middleware
answers 422 problem+json before the application sees the request when the path, the
query string (percent-decoded), a JSON body (every string and key), an urlencoded form
or a text part of a multipart form (its content and its part headers) contains one.

JSON and urlencoded bodies are read whole (at most `max_body` bytes, the limit the body
size middleware outside this one already enforces for them) and replayed to the app.
Multipart bodies may be uploads of any size: they are checked as they stream to the
app, without being held; file contents pass untouched, and a bad text part stops the
parsing with a 422 HTTPException (as the body size limit does with its 413).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interp_service.errors import PayloadTooLarge, ValidationFailed

NUL_MESSAGE = "输入含有空字符（U+0000），请删除后重试"
SURROGATE_MESSAGE = "输入含有无效的字符（不成对的 UTF-16 代理码位），请删除后重试"

FORBIDDEN = re.compile("[\x00\ud800-\udfff]")
_ESCAPE_OR_NUL = re.compile(rb"\\u|\x00")

# Methods whose bodies nothing here reads.
_NO_BODY = frozenset({"GET", "HEAD", "OPTIONS"})


def refusal(text: str) -> str | None:
    """The message for text that contains a forbidden character, else None."""
    found = FORBIDDEN.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def _in_pairs(pairs: list[tuple[str, str]], where: str) -> tuple[str, str] | None:
    for key, value in pairs:
        if (message := refusal(key)) is not None:
            return where, message
        if (message := refusal(value)) is not None:
            return key, message
    return None


def check_query(query: bytes) -> tuple[str, str] | None:
    """(field, message) for a query string or urlencoded body with a NUL, else None."""
    if b"%00" not in query and b"\x00" not in query:
        return None
    # As Starlette reads it: bytes as Latin-1, then percent-decoding as UTF-8.
    return _in_pairs(parse_qsl(query.decode("latin-1"), keep_blank_values=True), "query") or (
        "query",
        NUL_MESSAGE,
    )


def check_json(body: bytes) -> tuple[str, str] | None:
    """(field, message) for a JSON body with a forbidden string or key, else None.

    Malformed JSON passes: the application answers it in its own way."""
    if _ESCAPE_OR_NUL.search(body) is None:
        return None  # no escape sequence: no NUL or lone surrogate can come out of it
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    stack: list[tuple[Any, str]] = [(data, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, str):
            if (message := refusal(value)) is not None:
                return where or "body", message
        elif isinstance(value, dict):
            for key, item in value.items():
                if (message := refusal(key)) is not None:
                    return where or "body", message
                stack.append((item, f"{where}.{key}" if where else key))
        elif isinstance(value, list):
            stack.extend(
                (item, f"{where}.{i}" if where else str(i)) for i, item in enumerate(value)
            )
    return None


class _MultipartCheck:
    """Feeds a multipart body through a parser as it streams; raises 422 on a bad text part."""

    def __init__(self, boundary: bytes) -> None:
        self.failed: tuple[str, str] | None = None
        self.headers: list[bytes] = []
        self.is_file = False
        self.field = "body"
        self.broken = False
        self.parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_header_value": self._header_value,
                "on_headers_finished": self._headers_finished,
                "on_part_data": self._data,
            },
        )

    def _begin(self) -> None:
        self.headers = []
        self.is_file = False
        self.field = "body"

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self.headers.append(data[start:end])

    def _headers_finished(self) -> None:
        if any(b"\x00" in value for value in self.headers):
            self.failed = (self.field, NUL_MESSAGE)
            return
        for value in self.headers:
            _, options = parse_options_header(value)
            if b"name" in options:
                self.field = options[b"name"].decode("utf-8", "replace")
            if b"filename" in options or b"filename*" in options:
                self.is_file = True
            if any(b"\x00" in v for v in options.values()):
                self.failed = (self.field, NUL_MESSAGE)

    def _data(self, data: bytes, start: int, end: int) -> None:
        # A NUL is a single byte: it cannot straddle two chunks.
        if not self.is_file and data.find(b"\x00", start, end) != -1:
            self.failed = (self.field, NUL_MESSAGE)

    def feed(self, chunk: bytes) -> None:
        if self.broken or self.failed is not None or not chunk:
            return
        try:
            self.parser.write(chunk)
        except Exception:  # noqa: BLE001 - malformed: Starlette's own parser answers it
            self.broken = True
            return
        if self.failed is not None:
            raise HTTPException(422, self.failed[1])


def _body_kind(headers: dict[bytes, bytes]) -> str | None:
    content_type = headers.get(b"content-type")
    if content_type is None:
        # FastAPI reads a body without a content type as JSON.
        has_body = headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
        return "json" if has_body else None
    media, _ = parse_options_header(content_type)
    media = media.lower()
    if media == b"application/json" or (
        media.startswith(b"application/") and media.endswith(b"+json")
    ):
        return "json"
    if media == b"application/x-www-form-urlencoded":
        return "form"
    if media == b"multipart/form-data":
        return "multipart"
    return None


async def _send_problem(
    send: Send, status: int, problem: dict[str, Any], *, close: bool = False
) -> None:
    body = json.dumps(problem, ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/problem+json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if close:  # the rest of the body was never read
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _refuse(send: Send, scope: Scope, field: str, message: str) -> None:
    problem = ValidationFailed(message, field=field).to_problem(scope["path"].replace("\x00", ""))
    await _send_problem(send, 422, problem)


class TextGuardMiddleware:
    """422 for a NUL or a lone surrogate anywhere in the request's text (see the module)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"]:
            await _refuse(send, scope, "path", NUL_MESSAGE)
            return
        if (found := check_query(scope.get("query_string", b""))) is not None:
            await _refuse(send, scope, *found)
            return
        if scope["method"] in _NO_BODY:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        kind = _body_kind(headers)
        if kind == "multipart":
            await self._stream_checked(scope, receive, send, headers[b"content-type"])
        elif kind is not None:
            await self._buffer_checked(scope, receive, send, kind, headers)
        else:
            await self.app(scope, receive, send)

    async def _stream_checked(
        self, scope: Scope, receive: Receive, send: Send, content_type: bytes
    ) -> None:
        boundary = parse_options_header(content_type)[1].get(b"boundary")
        if not boundary:
            await self.app(scope, receive, send)
            return
        check = _MultipartCheck(boundary)

        async def checked_receive() -> Message:
            message = await receive()
            if message["type"] == "http.request":
                check.feed(message.get("body", b""))
            return message

        await self.app(scope, checked_receive, send)

    async def _buffer_checked(
        self, scope: Scope, receive: Receive, send: Send, kind: str, headers: dict[bytes, bytes]
    ) -> None:
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_body:
            # Only an upload path admits this much; none of them reads JSON or a plain form.
            await self.app(scope, receive, send)
            return
        held: list[Message] = []
        body = bytearray()
        complete = False
        while len(body) <= self.max_body:
            try:
                message = await receive()
            except HTTPException as exc:  # the body size limit, raised from its receive
                await self._answer_http_exception(scope, send, exc)
                return
            held.append(message)
            if message["type"] != "http.request":
                break  # the client went away: the app learns it from the replay
            body += message.get("body", b"")
            if not message.get("more_body", False):
                complete = True
                break
        if complete:
            data = bytes(body)
            found = check_json(data) if kind == "json" else check_query(data)
            if found is not None:
                await _refuse(send, scope, *found)
                return

        async def replay() -> Message:
            return held.pop(0) if held else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _answer_http_exception(scope: Scope, send: Send, exc: HTTPException) -> None:
        detail = str(exc.detail)
        if exc.status_code == 413:
            problem = PayloadTooLarge(detail).to_problem(scope["path"])
        else:
            problem = ValidationFailed(detail).to_problem(scope["path"])
            problem["status"] = exc.status_code
        await _send_problem(send, exc.status_code, problem, close=True)
