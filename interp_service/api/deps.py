"""Request-scoped dependencies: settings, database session, the authenticated principal."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from interp_service.config import Settings
from interp_service.users import service as users
from interp_service.users.orm import LoginSession, User

SESSION_COOKIE = "interp_session"


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_db(request: Request) -> Iterator[Session]:
    """A session per request; routes commit explicitly, anything uncommitted rolls back."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    session = factory()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


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
        db.commit()  # keep last_used_at
        return Principal(found[0], "token")
    raw = request.cookies.get(SESSION_COOKIE)
    if raw:
        resolved = users.resolve_session(db, raw)
        if resolved is not None:
            return Principal(resolved[0], "session", resolved[1])
    return None
