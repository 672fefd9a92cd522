"""Request-scoped dependencies, as `Annotated` aliases a handler names in its signature:
`Services`, `AppSettings`, `DbSession`, `Evidence`, `Jobs`; and the authenticated principal.

`DbSession` is one session per request that commits when the handler returns and rolls
back when it raises, before the response is sent: a handler never answers success for
work that was not saved. Handlers call `db.commit()` themselves only when they must commit
before doing something else (say why in a comment there).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from interp_service.config import Settings
from interp_service.errors import Conflict
from interp_service.evidence.store import EvidenceStore
from interp_service.jobs.base import JobRunner
from interp_service.services import AppServices
from interp_service.users import service as users
from interp_service.users.cookies import SESSION_COOKIE
from interp_service.users.orm import LoginSession, User


def get_services(connection: HTTPConnection) -> AppServices:
    """The application's services, for a request or a WebSocket."""
    services: AppServices = connection.app.state.services
    return services


def get_settings(request: Request) -> Settings:
    return get_services(request).settings


def get_evidence_store(request: Request) -> EvidenceStore:
    return get_services(request).evidence_store


def get_job_runner(request: Request) -> JobRunner:
    return get_services(request).job_runner


def get_db(request: Request) -> Iterator[Session]:
    """A session per request: committed when the handler returns, rolled back when it
    raises (the exception then becomes the error response)."""
    session = get_services(request).session_factory()
    try:
        yield session
        try:
            session.commit()
        except IntegrityError:
            # Another request saved a conflicting row since this one read: a 409 that
            # asks to reload, not a server error.
            session.rollback()
            raise Conflict("数据与现有记录冲突，请刷新后重试") from None
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Services = Annotated[AppServices, Depends(get_services)]
AppSettings = Annotated[Settings, Depends(get_settings)]
# scope="function": the commit runs when the handler returns, before the response is sent,
# so a failed commit answers an error instead of a success already on its way.
DbSession = Annotated[Session, Depends(get_db, scope="function")]
Evidence = Annotated[EvidenceStore, Depends(get_evidence_store)]
Jobs = Annotated[JobRunner, Depends(get_job_runner)]


@dataclass(frozen=True)
class UserView:
    """A detached snapshot of the caller for pages, valid after the session closed."""

    id: int
    username: str
    display_name: str
    roles: tuple[str, ...]

    def has_role(self, *roles: str) -> bool:
        return bool(set(self.roles).intersection(roles))


@dataclass
class Principal:
    """The authenticated caller and how they authenticated ("session" or "token")."""

    user: User
    via: str
    login_session: LoginSession | None = None
    csrf_token: str = ""
    case_roles: frozenset[str] = frozenset()
    view: UserView = field(init=False)

    def __post_init__(self) -> None:
        self.view = UserView(
            self.user.id,
            self.user.username,
            self.user.display_name,
            tuple(sorted(self.user.role_names)),
        )
        if self.login_session is not None:
            self.csrf_token = self.login_session.csrf_token

    @property
    def is_admin(self) -> bool:
        return "admin" in self.view.roles


def resolve_principal(request: Request, db: Session) -> Principal | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        found = users.resolve_api_token(db, header[7:].strip())
        if found is None:
            return None
        # Ends the read transaction so that the connection goes back to the pool while
        # the handler awaits (a translation can take seconds), and keeps a moved
        # last_used_at even if the handler fails later. Without a write it costs no sync.
        db.commit()
        return Principal(found[0], "token")
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        resolved = users.resolve_session(db, raw)
        if resolved is not None:
            return Principal(resolved[0], "session", resolved[1])
    return None
