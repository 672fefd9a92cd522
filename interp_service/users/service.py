"""Rules for accounts: creation, changes, login with back-off and lock-out, sessions, tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from interp_service.audit.chain import Actor, record
from interp_service.config import Settings
from interp_service.db.base import utcnow
from interp_service.errors import (
    AccountLocked,
    Conflict,
    NotAuthenticated,
    NotFound,
    TooManyAttempts,
    ValidationFailed,
)
from interp_service.users import repository as repo
from interp_service.users.orm import ApiToken, LanguageCompetence, LoginSession, User, UserRole
from interp_service.users.schemas import (
    CompetenceIn,
    PasswordChange,
    TokenCreate,
    UserCreate,
    UserUpdate,
)
from interp_service.users.security import (
    digest,
    hash_password,
    needs_rehash,
    new_secret,
    random_password,
    verify_password,
)

LOGIN_FAILED = "用户名或密码错误"


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username)


def _set_competences(user: User, competences: list[CompetenceIn]) -> None:
    seen: set[tuple[str, str]] = set()
    user.competences.clear()
    for c in competences:
        key = (c.language, c.variety)
        if key in seen:
            raise ValidationFailed(f"语言能力重复：{c.language} {c.variety}", field="competences")
        seen.add(key)
        user.competences.append(
            LanguageCompetence(language=c.language, variety=c.variety, level=c.level)
        )


def create_user(session: Session, actor: Actor, data: UserCreate) -> User:
    if repo.get_user_by_username(session, data.username):
        raise Conflict(f"用户名 {data.username} 已存在", field="username")
    user = User(
        username=data.username,
        display_name=data.display_name,
        password_hash=hash_password(data.password),
        is_active=True,
    )
    user.roles = [UserRole(role=r) for r in sorted(set(data.roles))]
    _set_competences(user, data.competences)
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        "user",
        user.id,
        details={"username": user.username, "roles": sorted(user.role_names)},
    )
    return user


def get_user_or_404(session: Session, user_id: int) -> User:
    user = repo.get_user(session, user_id)
    if user is None:
        raise NotFound("用户不存在")
    return user


def update_user(session: Session, actor: Actor, user_id: int, data: UserUpdate) -> User:
    user = get_user_or_404(session, user_id)
    changed: list[str] = []
    if data.display_name is not None and data.display_name != user.display_name:
        user.display_name = data.display_name
        changed.append("display_name")
    if data.roles is not None and set(data.roles) != user.role_names:
        if actor.id == user.id and "admin" not in data.roles:
            raise ValidationFailed("不能移除自己的管理员角色", field="roles")
        user.roles.clear()
        session.flush()
        user.roles.extend(UserRole(role=r) for r in sorted(set(data.roles)))
        changed.append("roles")
    if data.competences is not None:
        user.competences.clear()
        session.flush()
        _set_competences(user, data.competences)
        changed.append("competences")
    if data.password is not None:
        user.password_hash = hash_password(data.password)
        repo.revoke_all_for_user(session, user.id, utcnow())
        changed.append("password")
    if data.is_active is not None and data.is_active != user.is_active:
        if actor.id == user.id and not data.is_active:
            raise ValidationFailed("不能停用自己的账户", field="is_active")
        user.is_active = data.is_active
        if not data.is_active:
            repo.revoke_all_for_user(session, user.id, utcnow())
        changed.append("is_active")
    if data.unlock:
        user.failed_logins = 0
        user.locked_until = None
        changed.append("unlock")
    session.flush()
    if changed:
        record(
            session,
            actor,
            "user.update",
            "user",
            user.id,
            details={
                "fields": changed,
                "roles": sorted(user.role_names),
                "is_active": user.is_active,
            },
        )
    return user


def change_own_password(
    session: Session, user: User, data: PasswordChange, keep_session_id: int | None
) -> None:
    """A user changes their own password; every other session and all tokens end."""
    if not verify_password(user.password_hash, data.current_password):
        raise ValidationFailed("当前密码不正确", field="current_password")
    if data.new_password == data.current_password:
        raise ValidationFailed("新密码不能与当前密码相同", field="new_password")
    user.password_hash = hash_password(data.new_password)
    now = utcnow()
    repo.revoke_all_for_user(session, user.id, now, except_session=keep_session_id)
    session.flush()
    record(session, actor_of(user), "user.password", "user", user.id)


@dataclass
class LoginOutcome:
    user: User
    session_token: str
    login_session: LoginSession


def _check_throttle(user: User, prior_failures: int, settings: Settings, now: datetime) -> None:
    if user.locked_until and user.locked_until > now:
        raise AccountLocked(
            "登录失败次数过多，账户已暂时锁定，请稍后再试或联系管理员",
            retry_after=int((user.locked_until - now).total_seconds()) + 1,
        )
    excess = prior_failures - settings.login_backoff_after
    if excess >= 0 and user.last_failed_login_at is not None:
        wait = settings.login_backoff_base_s * (2**excess)
        ready_at = user.last_failed_login_at + timedelta(seconds=wait)
        if ready_at > now:
            raise TooManyAttempts(
                "登录尝试过于频繁，请稍后再试",
                retry_after=int((ready_at - now).total_seconds()) + 1,
            )


def authenticate(session: Session, settings: Settings, username: str, password: str) -> User:
    """Check a password. Failures count towards back-off and lock-out; the caller commits.

    The attempt is counted before the password is checked, in one atomic UPDATE, so that
    parallel guesses queue on the row lock and each one counts.
    """
    user = repo.get_user_by_username(session, username)
    if user is None:
        verify_password(None, password)
        raise NotAuthenticated(LOGIN_FAILED)
    failures = repo.count_login_attempt(session, user.id)
    session.refresh(user)
    now = utcnow()  # read after the row lock: earlier attempts have finished by now
    try:
        _check_throttle(user, failures - 1, settings, now)
    except (AccountLocked, TooManyAttempts):
        repo.count_login_attempt(session, user.id, -1)  # a refused attempt is not a guess
        session.refresh(user)
        raise
    if not verify_password(user.password_hash, password) or not user.is_active:
        user.last_failed_login_at = now
        details: dict[str, object] = {"failed_logins": failures}
        if failures >= settings.login_lock_after:
            user.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
            details["locked_until"] = user.locked_until.isoformat()
        record(
            session,
            Actor(None, "anonymous"),
            "auth.login_failed",
            "user",
            user.id,
            details=details,
        )
        raise NotAuthenticated(LOGIN_FAILED)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_failed_login_at = None
    user.locked_until = None
    return user


def open_session(session: Session, settings: Settings, user: User) -> LoginOutcome:
    raw = new_secret()
    login = LoginSession(
        token_hash=digest(raw),
        csrf_token=new_secret(24),
        user_id=user.id,
        expires_at=utcnow() + timedelta(hours=settings.session_hours),
    )
    session.add(login)
    session.flush()
    record(session, actor_of(user), "auth.login", "session", login.id)
    return LoginOutcome(user, raw, login)


def close_session(session: Session, login: LoginSession) -> None:
    login.revoked_at = utcnow()
    record(session, Actor(login.user_id, "session"), "auth.logout", "session", login.id)


def resolve_session(session: Session, raw: str) -> tuple[User, LoginSession] | None:
    """The active user behind a session cookie, or None if expired, revoked or disabled."""
    login = repo.find_session(session, digest(raw))
    now = utcnow()
    if login is None or login.revoked_at is not None or login.expires_at <= now:
        return None
    user = repo.get_user(session, login.user_id)
    if user is None or not user.is_active:
        return None
    return user, login


TOKEN_USE_RECORDED_EVERY = timedelta(minutes=1)


def resolve_api_token(session: Session, raw: str) -> tuple[User, ApiToken] | None:
    """The active user and token behind a raw API key, or None.

    `last_used_at` is moved forward at most once a minute: writing it on every
    request cost a commit per call, and a minute is as precise as anyone reads it.
    The caller commits; without a change that commit writes nothing.
    """
    token = repo.find_token(session, digest(raw))
    now = utcnow()
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    user = repo.get_user(session, token.user_id)
    if user is None or not user.is_active:
        return None
    last = token.last_used_at
    if last is None or now - last >= TOKEN_USE_RECORDED_EVERY:
        token.last_used_at = now
    return user, token


def create_api_token(session: Session, user: User, data: TokenCreate) -> tuple[ApiToken, str]:
    raw = "isk_" + new_secret()
    token = ApiToken(
        user_id=user.id,
        name=data.name,
        prefix=raw[:10],
        token_hash=digest(raw),
        expires_at=utcnow() + timedelta(days=data.expires_in_days),
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor_of(user),
        "token.create",
        "api_token",
        token.id,
        details={"prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
    )
    return token, raw


def revoke_api_token(session: Session, user: User, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or (token.user_id != user.id and not user.has_role("admin")):
        raise NotFound("令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        record(session, actor_of(user), "token.revoke", "api_token", token.id)
    return token


def ensure_first_admin(session: Session, settings: Settings) -> str | None:
    """Create the first admin if no user exists. Returns a generated password to print once."""
    if repo.count_users(session) > 0:
        return None
    username = settings.admin_username or "admin"
    generated = None
    password = settings.admin_password
    if not password:
        password = generated = random_password()
    create_user(
        session,
        Actor(None, "system"),
        UserCreate(username=username, display_name="管理员", password=password, roles=["admin"]),
    )
    return generated
