"""Who may open the live microphone: the same checks as a CASE_READ route, plus an
Origin check for cookie sessions (a WebSocket carries no CSRF header)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from fastapi import Request, WebSocket
from sqlalchemy.orm import Session, sessionmaker

from interp_service.api.deps import Principal, resolve_principal
from interp_service.cases.access import require_visible_case
from interp_service.errors import Forbidden, NotAuthenticated
from interp_service.interviews.service import get_interview
from interp_service.speech.prompt import initial_prompt


@dataclass(frozen=True)
class Admitted:
    user_id: int
    username: str
    prompt: str


def same_origin(websocket: WebSocket) -> bool:
    """The browser's Origin names this site (the Host it connected to, or the host a
    reverse proxy says it forwarded; a browser cannot set either on a WebSocket)."""
    origin = websocket.headers.get("origin")
    if not origin:
        return False
    origin_host = urlsplit(origin).netloc.lower()
    hosts = {
        websocket.headers.get("host", "").lower(),
        websocket.headers.get("x-forwarded-host", "").split(",")[0].strip().lower(),
    }
    return bool(origin_host) and origin_host in hosts - {""}


def admit(
    websocket: WebSocket, db: Session, case_id: int, interview_id: int, max_terms: int = 0
) -> Admitted:
    """The same checks as a CASE_READ route (plus the Origin check that replaces CSRF for a
    cookie), raising the service's usual errors."""
    # resolve_principal reads only headers and cookies, which a WebSocket has as well.
    principal: Principal | None = resolve_principal(cast(Request, websocket), db)
    if principal is None:
        raise NotAuthenticated("请先登录")
    if principal.via == "session" and not same_origin(websocket):
        raise Forbidden("连接来源与本站不符")
    require_visible_case(db, principal.user, case_id)
    get_interview(db, case_id, interview_id)
    return Admitted(
        principal.user.id, principal.user.username, initial_prompt(db, case_id, max_terms)
    )


def admit_in_session(
    factory: sessionmaker[Session],
    websocket: WebSocket,
    case_id: int,
    interview_id: int,
    max_terms: int = 0,
) -> Admitted:
    with factory() as db:
        return admit(websocket, db, case_id, interview_id, max_terms)
