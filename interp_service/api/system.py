"""Health, readiness and the API documentation (served from local files, no CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from interp_service.api.access import PUBLIC, require
from interp_service.api.deps import Services
from interp_service.db.session import ping

router = APIRouter(tags=["system"])

DOCS_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>接口文档 · 苗语翻译辅助服务</title>
<link rel="stylesheet" href="/static/swagger/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/static/swagger/swagger-ui-bundle.js"></script>
<script src="/static/docs-init.js"></script></body></html>"""


@router.get("/healthz", include_in_schema=False)
def healthz(_: Any = require(PUBLIC)) -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz(services: Services, _: Any = require(PUBLIC)) -> JSONResponse:
    """The database answers; each loaded component reports its state."""
    components: dict[str, dict[str, Any]] = {"database": ping(services.database)}
    for name, probe in services.readiness_probes.items():
        components[name] = probe()
    ready = all(c.get("ready") for c in components.values())
    return JSONResponse(
        {"ready": ready, "components": components}, status_code=200 if ready else 503
    )


@router.get("/docs", include_in_schema=False)
def docs(_: Any = require(PUBLIC)) -> HTMLResponse:
    return HTMLResponse(DOCS_PAGE)


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _: Any = require(PUBLIC)) -> JSONResponse:
    return JSONResponse(request.app.openapi())
