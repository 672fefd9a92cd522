"""Declarative base with a naming convention, so migrations name constraints predictably."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def import_all_models() -> None:
    """Import every domain's tables so that `Base.metadata` is complete."""
    from interp_service.audit import orm as _audit  # noqa: F401
    from interp_service.cases import orm as _cases  # noqa: F401
    from interp_service.evidence import orm as _evidence  # noqa: F401
    from interp_service.glossary import orm as _glossary  # noqa: F401
    from interp_service.interviews import orm as _interviews  # noqa: F401
    from interp_service.jobs import orm as _jobs  # noqa: F401
    from interp_service.memory import orm as _memory  # noqa: F401
    from interp_service.registry import orm as _registry  # noqa: F401
    from interp_service.speech import orm as _speech  # noqa: F401
    from interp_service.transcripts import orm as _transcripts  # noqa: F401
    from interp_service.users import orm as _users  # noqa: F401
