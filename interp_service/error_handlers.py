"""Render errors: problem+json for the API, a readable page for the browser; no stack traces."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.orm.exc import StaleDataError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from interp_service.api.messages import message as chinese_message
from interp_service.errors import PROBLEM_BASE, AppError, Conflict, NotAuthenticated

log = logging.getLogger("interp_service")
PROBLEM = "application/problem+json"


# Paths of the LibreTranslate-compatible API, answered as an API, not as pages.
LIBRETRANSLATE_PATHS = ("/translate", "/languages", "/detect", "/frontend/settings")


FRAMEWORK_DETAILS = {
    400: "请求内容无法解析，请检查编码（UTF-8）与格式",
    405: "此地址不支持该请求方法",
}


def wants_page(request: Request) -> bool:
    path = request.url.path
    return not (
        path.startswith("/api/")
        or path.startswith("/v1/")
        or path in ("/healthz", "/readyz", "/openapi.json")
        or path in LIBRETRANSLATE_PATHS
    )


def _problem(
    body: dict[str, object], status: int, headers: dict[str, str] | None = None
) -> Response:
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def _page(request: Request, status: int, title: str, detail: str) -> Response:
    from interp_service.web.templating import render_error

    return render_error(request, status, title, detail)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if wants_page(request):
            if isinstance(exc, NotAuthenticated):
                target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
            return _page(request, exc.status, exc.title, exc.detail)
        headers = {}
        if "retry_after" in exc.extra:
            headers["Retry-After"] = str(exc.extra["retry_after"])
        if isinstance(exc, NotAuthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        return _problem(exc.to_problem(request.url.path), exc.status, headers)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"field": _field(err), "message": chinese_message(err)} for err in exc.errors()]
        detail = "；".join(
            e["message"] if e["field"] == "body" else f"{e['field']}：{e['message']}"
            for e in errors
        )
        if wants_page(request):
            return _page(request, 422, "输入有误", detail)
        return _problem(
            {
                "type": PROBLEM_BASE + "validation",
                "title": "输入有误",
                "status": 422,
                "detail": detail,
                "instance": request.url.path,
                "errors": errors,
            },
            422,
        )

    @app.exception_handler(PydanticValidationError)
    async def model_error(request: Request, exc: PydanticValidationError) -> Response:
        return await validation_error(request, RequestValidationError(exc.errors()))

    @app.exception_handler(StaleDataError)
    async def stale(request: Request, exc: StaleDataError) -> Response:
        return await app_error(request, Conflict("数据已被他人修改，请刷新后重试"))

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        titles = {404: "未找到", 405: "不允许的请求方法", 413: "内容过大", 422: "输入有误"}
        title = titles.get(exc.status_code, "请求无效")
        detail = str(exc.detail) if exc.detail else title
        if detail.isascii():
            # The framework's own messages are English ("There was an error parsing the
            # body"); the service's are Chinese. Users read Chinese.
            detail = FRAMEWORK_DETAILS.get(exc.status_code, title)
        if exc.status_code == 404:
            detail = "页面或资源不存在"
        if wants_page(request):
            return _page(request, exc.status_code, title, detail)
        kind = {
            404: "not-found",
            405: "method-not-allowed",
            413: "payload-too-large",
            422: "validation",
        }.get(exc.status_code, "http-error")
        return _problem(
            {
                "type": PROBLEM_BASE + kind,
                "title": title,
                "status": exc.status_code,
                "detail": detail,
                "instance": request.url.path,
            },
            exc.status_code,
        )

    # The last resort, for an error in the outer middleware: Starlette's
    # ServerErrorMiddleware sends this and then re-raises, and the server closes the
    # connection. Errors in routes never get here: UnhandledErrorMiddleware answers them.
    app.add_exception_handler(Exception, unexpected)


async def unexpected(request: Request, exc: Exception) -> Response:
    """The 500 for an unhandled error: logged with its traceback, no internals shown."""
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if wants_page(request):
        return _page(request, 500, "服务器内部错误", "处理请求时出错，已记录。请稍后再试。")
    return _problem(
        {
            "type": PROBLEM_BASE + "internal",
            "title": "服务器内部错误",
            "status": 500,
            "detail": "处理请求时出错，已记录。",
            "instance": request.url.path,
        },
        500,
    )


class UnhandledErrorMiddleware:
    """Answer an error no handler took with the 500 of `unexpected`, and do not re-raise.

    Starlette's ServerErrorMiddleware sends its 500 and then re-raises so that the server
    can log the error; uvicorn, seeing an application raise after its response started,
    closes the transport (uvicorn/protocols/http/h11_impl.py and httptools_impl.py,
    `run_asgi`), and the next request on that keep-alive connection meets a reset. Here
    the error is logged, answered and ends, and the connection stays usable. An error
    after the response started is re-raised: that response is cut short, and only
    closing the connection tells the client so.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        completed = False

        async def watch(message: Message) -> None:
            nonlocal started, completed
            if message["type"] == "http.response.start":
                started = True
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                completed = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            if completed:  # e.g. a background task: the client has its whole answer
                log.error(
                    "unhandled error after the response to %s %s",
                    scope.get("method"),
                    scope.get("path"),
                    exc_info=exc,
                )
                return
            if started:
                raise
            response = await unexpected(Request(scope, receive), exc)
            await response(scope, receive, send)


def _field(err: Mapping[str, Any]) -> str:
    """The dotted name of the field an error is about; ``body`` for the whole request."""
    if err.get("type") == "json_invalid":
        return "body"  # its location is a character position, not a field
    where = ("body", "query", "path", "header", "cookie")
    loc = [str(p) for p in err.get("loc", ()) if p not in where]
    return ".".join(loc) or "body"
