"""The OpenAPI document, with every status an operation can answer.

FastAPI documents the success status and a 422 shaped like its own validation error. The
service answers more, and in another shape (problem+json, see errors.py and
error_handlers.py), so the document is rebuilt here, once per app:

* from the route itself: 401 and 403 from its access policy (api/access.py), 404 when the
  path has ids or the policy is case-scoped, 413 for a body (api/middleware.py), 400 for
  a body that cannot be decoded, 422 whenever there is input to validate;
* from the code the route runs: every `raise SomeAppError(...)` reachable from the
  endpoint and its dependencies through plain function calls inside `interp_service`
  (read from the source, so a new `raise Conflict` documents its 409 by itself);
* from `EXTRA`, for what neither shows (a method call the walk cannot follow, a status
  answered by a library); `FOREIGN` for routes answering errors in another API's shape,
  `SUCCESS_MEDIA` for successful answers that are files or streams, not JSON.
"""

from __future__ import annotations

import ast
import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

from fastapi import FastAPI, routing
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from interp_service.api.access import AccessPolicy, policy_of
from interp_service.api.deps import get_db
from interp_service.errors import AppError

PROBLEM_MEDIA = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists the fields at fault.",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
    "additionalProperties": True,
}
# The LibreTranslate-compatible routes answer errors in LibreTranslate's own shape.
LIBRETRANSLATE_ERROR_SCHEMA: dict[str, Any] = {
    "title": "LibreTranslateError",
    "type": "object",
    "required": ["error"],
    "properties": {"error": {"type": "string"}},
}

LIBRETRANSLATE_ERROR_REF = {"$ref": "#/components/schemas/LibreTranslateError"}

DESCRIPTIONS = {
    400: "请求无效",
    401: "需要登录（未提供或无效的令牌）",
    403: "无权操作",
    404: "未找到",
    409: "与现有数据冲突",
    413: "内容过大",
    415: "不支持的文件类型",
    422: "输入有误",
    423: "账户已锁定",
    429: "尝试次数过多",
    500: "数据完整性校验失败",
    503: "服务繁忙或模型不可用",
    504: "处理超时",
    507: "存储空间不足",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# Statuses the route and the source walk cannot show, keyed "METHOD /path".
EXTRA: dict[str, set[int]] = {}

# Routes answering their errors in another API's shape: the LibreTranslate-compatible ones
# ({"error": "..."}) and OpenAI's transcription route ({"error": {"message", ...}}, with
# 415 and 422 as 400). Their AppErrors, found by the source walk, come in that shape too;
# 413 still comes from the body-limit middleware as problem+json.
LIBRETRANSLATE_ERROR_REF = {"$ref": "#/components/schemas/LibreTranslateError"}
OPENAI_ERROR_REF = {"$ref": "#/components/schemas/OpenAIError"}
OPENAI_ERROR_SCHEMA: dict[str, Any] = {
    "title": "OpenAIError",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}
FOREIGN: dict[str, tuple[dict[str, str], set[int]]] = {
    "GET /languages": (LIBRETRANSLATE_ERROR_REF, set()),
    "POST /translate": (LIBRETRANSLATE_ERROR_REF, {400, 403}),
    "POST /detect": (LIBRETRANSLATE_ERROR_REF, {400, 403}),
    "POST /v1/audio/transcriptions": (OPENAI_ERROR_REF, {400, 401, 403, 404, 500, 503}),
}
FOREIGN_STATUS = {"POST /v1/audio/transcriptions": {415: 400, 422: 400}}

# Successful answers that are not JSON, by the media types the route sends.
BINARY = {"type": "string", "format": "binary"}
AUDIO = ["audio/wav", "audio/mpeg", "audio/ogg", "audio/webm", "audio/mp4", "audio/flac"]
SUCCESS_MEDIA: dict[str, list[str]] = {
    # Evidence is whatever file was uploaded to the case.
    "GET /api/v1/cases/{case_id}/evidence/{evidence_id}/content": ["*/*"],
    "GET /api/v1/glossary/recordings/{recording_id}/content": AUDIO,
    "GET /api/v1/memory/entries/{entry_id}/recording": AUDIO,
    "GET /api/v1/cases/{case_id}/recordings/{recording_id}/audio": ["audio/wav"],
    "GET /api/v1/speech/segments/{segment_id}/audio": ["audio/wav"],
    "POST /api/v1/speech/readback": ["audio/wav"],
    "GET /api/v1/coverage/speech-data.zip": ["application/zip"],
    "GET /api/v1/glossary/export": [
        "application/x-tbx+xml",
        "text/tab-separated-values",
        "text/csv",
    ],
    "GET /api/v1/cases/{case_id}/interviews/{interview_id}/export.{fmt}": [
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/pdf",
    ],
    "POST /api/v1/translate/stream": ["application/x-ndjson"],
    "GET /api/v1/jobs/{job_id}/events": ["text/event-stream"],
    "POST /v1/audio/transcriptions": ["application/json", "text/plain", "text/vtt"],
}


def install(app: FastAPI) -> None:
    """Make `app.openapi()` build the document described above (cached on the app)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def build(app: FastAPI) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = PROBLEM_SCHEMA
    components["LibreTranslateError"] = LIBRETRANSLATE_ERROR_SCHEMA
    components["OpenAIError"] = OPENAI_ERROR_SCHEMA
    for context in routing.iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        path = context.path_format or route.path_format
        dependant: Dependant = context.dependant
        has_body = context.body_field is not None
        for method in sorted(context.methods or ()):
            operation = schema["paths"].get(path, {}).get(method.lower())
            if operation is None:
                continue
            key = f"{method} {path}"
            responses: dict[str, Any] = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's shape; ours is problem+json
            _document_success_media(key, responses)
            if key in FOREIGN:
                ref, own = FOREIGN[key]
                found = own.union(*map(raised_by, _calls(dependant)))
                mapped = {FOREIGN_STATUS.get(key, {}).get(code, code) for code in found}
                for status in sorted(mapped - {413}):
                    responses[str(status)] = _response(status, ref)
                responses["413"] = _response(413, PROBLEM_REF, PROBLEM_MEDIA)
                continue
            for status in sorted(statuses_of(dependant, has_body, method) | EXTRA.get(key, set())):
                responses[str(status)] = _response(status, PROBLEM_REF, PROBLEM_MEDIA)
    for unused in ("HTTPValidationError", "ValidationError"):
        if unused in components and f'"#/components/schemas/{unused}"' not in str(schema):
            del components[unused]
    return schema


def _document_success_media(key: str, responses: dict[str, Any]) -> None:
    media = SUCCESS_MEDIA.get(key)
    if media is None:
        return
    for status, response in responses.items():
        if status.startswith("2"):
            json_schema = response.get("content", {}).get("application/json", {}).get("schema")
            response["content"] = {m: {"schema": _success_schema(m, json_schema)} for m in media}


# One server-sent event: its fields as the stream carries them (`data` holds JSON text).
SSE_EVENT = {
    "type": "object",
    "properties": {
        "data": {"type": "string"},
        "event": {"type": "string"},
        "id": {"type": "string"},
        "retry": {"type": "integer"},
    },
}


def _success_schema(media: str, json_schema: Any) -> Any:
    if media == "application/json" and json_schema:
        return json_schema
    return SSE_EVENT if media == "text/event-stream" else BINARY


def _response(status: int, body: dict[str, Any], media: str = "application/json") -> Any:
    return {"description": DESCRIPTIONS.get(status, "错误"), "content": {media: {"schema": body}}}


def statuses_of(dependant: Dependant, has_body: bool, method: str) -> set[int]:
    """Every error status a route (its dependency tree, whether it takes a body) can answer
    to `method`."""
    statuses: set[int] = set()
    policy = _policy(dependant)
    if policy is not None and not policy.public:
        statuses.add(401)
        restricted = bool(policy.roles or policy.case_roles or policy.session_only)
        # A browser session's unsafe request without the CSRF token gets 403 too.
        if restricted or method in UNSAFE:
            statuses.add(403)
        if policy.case_scoped:
            statuses.add(404)
    if dependant.path_params:
        statuses.add(404)
    if has_body or _has_params(dependant):
        statuses.add(422)
    if has_body or method in UNSAFE:
        statuses.add(413)  # the body-limit middleware answers before the route runs
    if has_body:
        statuses.add(400)  # a body that cannot be decoded at all (FastAPI's own answer)
    if method in UNSAFE:
        statuses.add(409)  # the request's commit can meet a row another request just saved
    for call in _calls(dependant):
        statuses |= raised_by(call)
    return statuses


def _policy(dependant: Dependant) -> AccessPolicy | None:
    for dep in _dependants(dependant):
        if dep.call is not None and (found := policy_of(dep.call)) is not None:
            return found
    return None


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _dependants(sub)


def _has_params(dependant: Dependant) -> bool:
    return any(
        d.query_params or d.header_params or d.cookie_params or d.path_params or d.body_params
        for d in _dependants(dependant)
    )


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    """The endpoint and its dependencies, except the access check (documented above)."""
    for dep in _dependants(dependant):
        # The request session's commit-time 409 is documented by method (see above).
        if dep.call is not None and policy_of(dep.call) is None and dep.call is not get_db:
            yield dep.call


_RAISED: dict[Callable[..., Any], frozenset[int]] = {}


def raised_by(func: Callable[..., Any]) -> frozenset[int]:
    """Statuses of the AppErrors `func` can raise, following plain calls into the package."""
    if func in _RAISED:
        return _RAISED[func]
    found: set[int] = set()
    _walk(func, found, set())
    _RAISED[func] = frozenset(found)
    return _RAISED[func]


def _walk(func: Any, found: set[int], seen: set[Any]) -> None:
    if not inspect.isfunction(func):
        return
    func = inspect.unwrap(func)
    if func in seen:
        return
    seen.add(func)
    statuses, callees = _edges(func)
    found |= statuses
    for callee in callees:
        _walk(callee, found, seen)


_EDGES: dict[Any, tuple[frozenset[int], tuple[Any, ...]]] = {}


def _edges(func: Any) -> tuple[frozenset[int], tuple[Any, ...]]:
    """What `func`'s own body raises, and the package functions it calls or hands on."""
    if func in _EDGES:
        return _EDGES[func]
    statuses: set[int] = set()
    callees: list[Any] = []
    _EDGES[func] = (frozenset(), ())
    if not (func.__module__ or "").startswith("interp_service"):
        return _EDGES[func]
    definition = _definitions(func.__module__).get(func.__code__.co_firstlineno)
    if definition is None:
        return _EDGES[func]
    scope = {**func.__globals__, **_closure(func)}
    # The body only: defaults such as `require(POLICY)` are dependencies, handled apart.
    body = definition.body
    for node in (n for statement in body for n in ast.walk(statement)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            error = _resolve(target, scope)
            if isinstance(error, type) and issubclass(error, AppError):
                statuses.add(error.status)
        elif isinstance(node, ast.Call):
            callees.append(_resolve(node.func, scope))
            # Functions handed on to run_in_threadpool, to_thread and the like.
            callees.extend(
                _resolve(arg, scope)
                for arg in node.args
                if isinstance(arg, ast.Name | ast.Attribute)
            )
    _EDGES[func] = (frozenset(statuses), tuple(c for c in callees if inspect.isfunction(c)))
    return _EDGES[func]


@functools.cache
def _definitions(module_name: str) -> dict[int, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The function definitions of a module (parsed once), by their code's first line."""
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module)) if module is not None else None
    except (OSError, TypeError, SyntaxError):
        tree = None
    found: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] = {}
    for node in ast.walk(tree) if tree is not None else ():
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            found[first] = node
    return found


def _closure(func: Any) -> dict[str, Any]:
    try:
        return dict(inspect.getclosurevars(func).nonlocals)
    except (TypeError, ValueError):
        return {}


def _resolve(node: ast.expr, scope: dict[str, Any]) -> Any:
    if isinstance(node, ast.Name):
        return scope.get(node.id)
    if isinstance(node, ast.Attribute):
        owner = _resolve(node.value, scope)
        if isinstance(owner, ModuleType | type):
            return getattr(owner, node.attr, None)
    return None
