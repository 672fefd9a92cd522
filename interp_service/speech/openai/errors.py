"""OpenAI's error shape, `{"error": {"message", "type", "param", "code"}}`, for the
OpenAI-style routes, so their clients raise their usual exceptions (401 →
AuthenticationError, 400 → BadRequestError)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from interp_service.errors import AppError

log = logging.getLogger("interp_service")
# Statuses the project uses for unusable input (415, 422) are 400 in OpenAI's API.
OPENAI_STATUS = {415: 400, 422: 400}


class OpenAIError(Exception):
    """An error this route answers in OpenAI's shape."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        kind: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.code = code
        self.kind = kind
        self.headers = headers

    def response(self) -> JSONResponse:
        body = {
            "error": {
                "message": self.message,
                "type": self.kind,
                "param": self.param,
                "code": self.code,
            }
        }
        return JSONResponse(body, status_code=self.status, headers=self.headers)


def from_app_error(exc: AppError) -> OpenAIError:
    """The project's error (problem+json elsewhere) as an OpenAI error; its message kept."""
    status = OPENAI_STATUS.get(exc.status, exc.status)
    headers: dict[str, str] = {}
    if "retry_after" in exc.extra:
        headers["Retry-After"] = str(exc.extra["retry_after"])
    code = exc.kind.replace("-", "_")
    message = exc.detail
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
        code = "invalid_api_key"
        message = "API 令牌缺失或无效 (missing or invalid API key: Authorization: Bearer <token>)"
    return OpenAIError(
        status,
        message,
        param=exc.field,
        code=code,
        kind="invalid_request_error" if status < 500 else "server_error",
        headers=headers or None,
    )


class OpenAIErrorRoute(APIRoute):
    """Answers every error of its routes in OpenAI's shape, those of the dependencies
    (authentication, CSRF, form parsing) included."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except OpenAIError as exc:
                return exc.response()
            except AppError as exc:
                return from_app_error(exc).response()
            except RequestValidationError as exc:
                message = "; ".join(str(e.get("msg", "invalid")) for e in exc.errors())
                return OpenAIError(400, message or "Invalid request").response()
            except HTTPException as exc:
                status = exc.status_code
                return OpenAIError(
                    status,
                    str(exc.detail),
                    kind="invalid_request_error" if status < 500 else "server_error",
                ).response()
            except Exception:
                log.exception("unhandled error on %s %s", request.method, request.url.path)
                return OpenAIError(
                    500, "处理请求时出错，已记录。 (internal error, logged)", kind="server_error"
                ).response()

        return handle
