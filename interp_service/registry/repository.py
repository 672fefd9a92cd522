"""All SQL of the model registry."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from interp_service.registry.orm import ModelVersion
from interp_service.users.orm import User


def by_folder(session: Session) -> dict[str, ModelVersion]:
    """Every registered version by folder name."""
    return {row.folder: row for row in session.scalars(select(ModelVersion)).all()}


def get(session: Session, version_id: int) -> ModelVersion | None:
    return session.get(ModelVersion, version_id)


def find(session: Session, name: str, version: str) -> ModelVersion | None:
    """The version called `name` `version`: the one that is not refused when there is one
    (at most one is), else the most recently registered refused folder of that name."""
    refused_last = case((ModelVersion.status == "refused", 1), else_=0)
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.name == name, ModelVersion.version == version)
        .order_by(refused_last, ModelVersion.id.desc())
        .limit(1)
    )


def holder_of(session: Session, name: str, version: str, except_folder: str) -> ModelVersion | None:
    """A version of another folder that already holds this name and version (not refused)."""
    return session.scalar(
        select(ModelVersion).where(
            ModelVersion.name == name,
            ModelVersion.version == version,
            ModelVersion.status != "refused",
            ModelVersion.folder != except_folder,
        )
    )


def promoted_for(session: Session, pair: str) -> ModelVersion | None:
    """The version serving `pair` (the newest promotion if, unexpectedly, several are)."""
    return session.scalar(
        select(ModelVersion)
        .where(ModelVersion.pair == pair, ModelVersion.status == "promoted")
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
        .limit(1)
    )


def promoted_rows(session: Session) -> Sequence[ModelVersion]:
    return session.scalars(
        select(ModelVersion).where(ModelVersion.status == "promoted").order_by(ModelVersion.id)
    ).all()


def list_versions(
    session: Session,
    *,
    pair: str | None = None,
    status: str | None = None,
    offset: int = 0,
    limit: int = 50,
) -> tuple[Sequence[ModelVersion], int]:
    """Versions by pair, newest first within a pair."""
    stmt = select(ModelVersion)
    if pair:
        stmt = stmt.where(ModelVersion.pair == pair)
    if status:
        stmt = stmt.where(ModelVersion.status == status)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(ModelVersion.pair, ModelVersion.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


def move(session: Session, version_id: int, from_status: str, to_status: str) -> bool:
    """Change a version's status only if it still has `from_status` (one conditional UPDATE,
    so of two admins acting at once the second finds the state changed)."""
    done = session.execute(
        update(ModelVersion)
        .where(ModelVersion.id == version_id, ModelVersion.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def display_names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name).where(User.id.in_(set(ids)))).all()
    return {row[0]: row[1] for row in rows}
