"""All SQL for the case register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Assignment, Case, Deadline, DeadlineRule, Party
from interp_service.interviews.orm import Interview
from interp_service.users.orm import User


def get_case_by_number(session: Session, number: str) -> Case | None:
    return session.scalar(select(Case).where(Case.case_number == number))


def case_id_by_number(session: Session, number: str) -> int | None:
    return session.scalar(select(Case.id).where(Case.case_number == number))


def search_cases(
    session: Session,
    *,
    visible_to: int | None,
    q: str = "",
    status: str | None = None,
    stage: str | None = None,
    language: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[Sequence[Case], int]:
    """Cases matching the filters; `visible_to` limits to cases with an active assignment."""
    stmt = select(Case)
    if visible_to is not None:
        stmt = stmt.where(
            exists().where(
                Assignment.case_id == Case.id,
                Assignment.user_id == visible_to,
                Assignment.state == "active",
            )
        )
    if q:
        like = f"%{q}%"
        stmt = stmt.where(
            or_(
                Case.case_number.ilike(like),
                Case.title.ilike(like),
                exists().where(Party.case_id == Case.id, Party.name.ilike(like)),
            )
        )
    if status:
        stmt = stmt.where(Case.status == status)
    if stage:
        stmt = stmt.where(Case.stage == stage)
    if language:
        stmt = stmt.where(exists().where(Party.case_id == Case.id, Party.language == language))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Case.opened_on.desc(), Case.id.desc()).offset(offset).limit(limit)
    ).all()
    return rows, total


def parties_of(session: Session, case_id: int) -> Sequence[Party]:
    return session.scalars(select(Party).where(Party.case_id == case_id).order_by(Party.id)).all()


def assignments_of(session: Session, case_id: int) -> Sequence[tuple[Assignment, User]]:
    rows = session.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.case_id == case_id)
        .order_by(Assignment.id)
    ).all()
    return [(a, u) for a, u in rows]


def find_assignment(session: Session, case_id: int, user_id: int, role: str) -> Assignment | None:
    return session.scalar(
        select(Assignment).where(
            Assignment.case_id == case_id,
            Assignment.user_id == user_id,
            Assignment.role_on_case == role,
        )
    )


def is_recused(session: Session, case_id: int, user_id: int) -> bool:
    return (
        session.scalar(
            select(Assignment.id).where(
                Assignment.case_id == case_id,
                Assignment.user_id == user_id,
                Assignment.state == "recused",
            )
        )
        is not None
    )


def active_assignments_of_user(
    session: Session, case_id: int, user_id: int
) -> Sequence[Assignment]:
    return session.scalars(
        select(Assignment).where(
            Assignment.case_id == case_id,
            Assignment.user_id == user_id,
            Assignment.state == "active",
        )
    ).all()


def interviews_of(session: Session, case_id: int) -> Sequence[Interview]:
    return session.scalars(
        select(Interview).where(Interview.case_id == case_id).order_by(Interview.scheduled_at)
    ).all()


def deadlines_of(session: Session, case_id: int) -> Sequence[Deadline]:
    return session.scalars(
        select(Deadline).where(Deadline.case_id == case_id).order_by(Deadline.due_on)
    ).all()


def due_soon(session: Session, user_id: int, until: date) -> Sequence[tuple[Deadline, Case]]:
    rows = session.execute(
        select(Deadline, Case)
        .join(Case, Case.id == Deadline.case_id)
        .where(
            Deadline.done.is_(False),
            Deadline.due_on <= until,
            Case.status != "closed",
            exists().where(
                Assignment.case_id == Case.id,
                Assignment.user_id == user_id,
                Assignment.state == "active",
            ),
        )
        .order_by(Deadline.due_on, Deadline.id)
    ).all()
    return [(d, c) for d, c in rows]


def rules(session: Session) -> Sequence[DeadlineRule]:
    return session.scalars(
        select(DeadlineRule).order_by(DeadlineRule.stage, DeadlineRule.code)
    ).all()


def rule_by_code(session: Session, code: str) -> DeadlineRule | None:
    return session.scalar(select(DeadlineRule).where(DeadlineRule.code == code))
