"""The session cookie: HttpOnly, SameSite=Strict, Secure whenever HTTPS is in use."""

from __future__ import annotations

from fastapi import Request, Response

from interp_service.config import Settings

SESSION_COOKIE = "interp_session"


def is_https(request: Request, settings: Settings) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "")
    return settings.force_secure_cookies or request.url.scheme == "https" or forwarded == "https"


def set_session_cookie(response: Response, request: Request, settings: Settings, raw: str) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        raw,
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=is_https(request, settings),
        path="/",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
