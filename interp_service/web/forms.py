"""Turn submitted forms into schema objects, and errors into messages beside each field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from interp_service.errors import AppError

M = TypeVar("M", bound=BaseModel)
FormErrors = dict[str, str]


def blank_to_none(values: dict[str, Any], *names: str) -> dict[str, Any]:
    out = dict(values)
    for name in names:
        if out.get(name) in ("", None):
            out.pop(name, None)
    return out


def parse(model: type[M], data: dict[str, Any]) -> tuple[M | None, FormErrors]:
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: FormErrors = {}
        for err in exc.errors():
            field = str(err["loc"][0]) if err["loc"] else "_form"
            message = str(err["msg"]).removeprefix("Value error, ")
            if err["type"] == "missing":
                message = "必填"
            errors.setdefault(field, message)
        return None, errors


def error_of(exc: AppError) -> FormErrors:
    return {exc.field or "_form": exc.detail}


async def form_values(request: Any) -> dict[str, Any]:
    """The submitted form as a dict of strings (the CSRF token removed)."""
    form = await request.form()
    values = {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
    return values
