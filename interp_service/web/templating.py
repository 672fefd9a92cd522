"""Jinja2 set-up for the server-rendered pages (Simplified Chinese)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from interp_service.web import labels

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.globals["L"] = labels
templates.env.autoescape = True
BEIJING = timezone(timedelta(hours=8))  # China has one zone and no daylight saving


def _beijing(value: datetime) -> str:
    return value.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


templates.env.filters["beijing"] = _beijing


def _changes(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[str]:
    """Readable field changes of a revision, in Chinese labels, e.g. `使用状态：可用 → 不推荐`."""
    before, after = before or {}, after or {}
    out = []

    def shown(key: str, value: Any) -> str:
        if value in (None, "", []):
            return "—"
        if isinstance(value, list):
            return "；".join(str(v) for v in value)[:60]
        return labels.field_value(key, str(value))[:60]

    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new and key != "concept_id":
            name = labels.FIELDS.get(key, key)
            out.append(f"{name}：{shown(key, old)} → {shown(key, new)}")
    return out


templates.env.filters["changes"] = _changes


def render(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    principal = getattr(request.state, "principal", None)
    context.setdefault("me", principal.view if principal else None)
    context.setdefault("csrf_token", principal.csrf_token if principal else "")
    context.setdefault("errors", {})
    context.setdefault("values", {})
    return templates.TemplateResponse(request, name, context, status_code=status)


def render_error(request: Request, status: int, title: str, detail: str) -> HTMLResponse:
    return render(request, "error.html", status=status, title=title, detail=detail)
