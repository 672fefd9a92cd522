"""All SQL for accounts, sessions and tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from interp_service.users.orm import ApiToken, LoginSession, User, UserRole


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def get_user_by_username(session: Session, username: str) -> User | None:
    return session.scalar(select(User).where(User.username == username))


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_users(
    session: Session,
    *,
    q: str = "",
    role: str | None = None,
    active: bool | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[User], int]:
    stmt = select(User)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like)))
    if role:
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(User.username).offset(offset).limit(limit)).all()
    return rows, total


def find_session(session: Session, token_hash: str) -> LoginSession | None:
    return session.scalar(select(LoginSession).where(LoginSession.token_hash == token_hash))


def find_token(session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash))


def list_tokens(session: Session, user_id: int) -> Sequence[ApiToken]:
    return session.scalars(
        select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.created_at.desc())
    ).all()


def revoke_all_for_user(
    session: Session, user_id: int, now: datetime, *, except_session: int | None = None
) -> None:
    sessions = update(LoginSession).where(
        LoginSession.user_id == user_id, LoginSession.revoked_at.is_(None)
    )
    if except_session is not None:
        sessions = sessions.where(LoginSession.id != except_session)
    session.execute(sessions.values(revoked_at=now))
    session.execute(
        update(ApiToken)
        .where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def count_login_attempt(session: Session, user_id: int, delta: int = 1) -> int:
    """Add `delta` to the user's failed-login counter atomically; returns the new value.

    The UPDATE locks the row until commit, so concurrent attempts queue one behind another.
    """
    value = session.execute(
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=User.failed_logins + delta)
        .returning(User.failed_logins)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(value)
