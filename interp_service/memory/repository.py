"""All SQL of the translation memory."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from interp_service.memory.orm import MemoryEntry, MemoryState, MemorySubmission
from interp_service.users.orm import User


def state_version(session: Session) -> int:
    """The memory's change counter (0 before any change)."""
    return session.scalar(select(MemoryState.version).where(MemoryState.id == 1)) or 0


def bump_state(session: Session) -> None:
    """Raise the change counter in the caller's transaction (cached indexes go stale)."""
    done = session.execute(
        update(MemoryState)
        .where(MemoryState.id == 1)
        .values(version=MemoryState.version + 1)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        session.add(MemoryState(id=1, version=1))
        session.flush()


def approved_rows(session: Session) -> Sequence[Any]:
    """Rows in `lookup.IndexedEntry` field order: approved entries with a target."""
    e = MemoryEntry
    return session.execute(
        select(
            e.id,
            e.source_language,
            e.target_language,
            e.target_variety,
            e.source_key,
            e.source_text,
            e.target_text,
            e.origin,
            e.approved_by,
            func.coalesce(User.display_name, ""),
            e.approved_at,
            e.is_phrase,
        )
        .outerjoin(User, User.id == e.approved_by)
        .where(e.status == "approved", e.target_text != "")
    ).all()


def same_source(
    session: Session,
    source_language: str,
    target_language: str,
    source_key: str,
    target_variety: str,
    *,
    status: str | None = None,
) -> Sequence[MemoryEntry]:
    """Entries of the pair with this match key and target variety, oldest first."""
    stmt = select(MemoryEntry).where(
        MemoryEntry.source_language == source_language,
        MemoryEntry.target_language == target_language,
        MemoryEntry.source_key == source_key,
        MemoryEntry.target_variety == target_variety,
    )
    if status is not None:
        stmt = stmt.where(MemoryEntry.status == status)
    return session.scalars(stmt.order_by(MemoryEntry.id)).all()


def list_entries(
    session: Session,
    *,
    q: str = "",
    source_language: str | None = None,
    target_language: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[MemoryEntry], int]:
    stmt = select(MemoryEntry)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(MemoryEntry.source_text.ilike(like), MemoryEntry.target_text.ilike(like))
        )
    if source_language:
        stmt = stmt.where(MemoryEntry.source_language == source_language)
    if target_language:
        stmt = stmt.where(MemoryEntry.target_language == target_language)
    if status:
        stmt = stmt.where(MemoryEntry.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(MemoryEntry.id.desc()).offset(offset).limit(limit)).all()
    return rows, total


def phrasebook(session: Session) -> Sequence[MemoryEntry]:
    """Phrase entries that are not retired, by category and code."""
    return session.scalars(
        select(MemoryEntry)
        .where(MemoryEntry.is_phrase.is_(True), MemoryEntry.status != "retired")
        .order_by(MemoryEntry.phrase_category, MemoryEntry.phrase_code, MemoryEntry.id)
    ).all()


def entry_by_code(session: Session, code: str) -> MemoryEntry | None:
    return session.scalar(select(MemoryEntry).where(MemoryEntry.phrase_code == code))


def entries_by_id(session: Session, ids: list[int]) -> dict[int, MemoryEntry]:
    if not ids:
        return {}
    rows = session.scalars(select(MemoryEntry).where(MemoryEntry.id.in_(set(ids)))).all()
    return {e.id: e for e in rows}


def submissions(
    session: Session,
    *,
    status: str | None,
    submitted_by: int | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[MemorySubmission], int]:
    stmt = select(MemorySubmission)
    if status:
        stmt = stmt.where(MemorySubmission.status == status)
    if submitted_by is not None:
        stmt = stmt.where(MemorySubmission.submitted_by == submitted_by)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    order = MemorySubmission.id.asc() if status == "pending" else MemorySubmission.id.desc()
    rows = session.scalars(stmt.order_by(order).offset(offset).limit(limit)).all()
    return rows, total


def display_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(set(ids)))).all()
    return {row[0]: row[1] for row in rows}
