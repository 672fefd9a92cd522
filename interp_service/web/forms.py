"""Turn submitted forms into schema objects, and errors into messages beside each field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData

from interp_service.api.messages import message as chinese_message
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
            loc = [str(part) for part in err["loc"]]
            # Nested models (a proposal's term) report the inner field name.
            field = (
                loc[1]
                if len(loc) > 1 and loc[0] in ("term", "concept")
                else (loc[0] if loc else "_form")
            )
            errors.setdefault(field, chinese_message(err))
        return None, errors


def error_of(exc: AppError) -> FormErrors:
    return {exc.field or "_form": exc.detail}


def form_values(form: FormData) -> dict[str, Any]:
    """The submitted form as a dict of strings (the CSRF token removed)."""
    return {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"}
