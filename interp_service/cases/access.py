"""Who may see a case: the one query every domain asks. A user sees a case they hold an
active assignment on; admins see every case. A case the caller may not see is reported as
missing (404), so that case numbers and titles do not leak."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Assignment, Case
from interp_service.errors import NotFound
from interp_service.users.orm import User


def case_roles_of(session: Session, case_id: int, user_id: int) -> set[str]:
    """Active roles a user holds on a case (empty when not assigned)."""
    rows = session.scalars(
        select(Assignment.role_on_case).where(
            Assignment.case_id == case_id,
            Assignment.user_id == user_id,
            Assignment.state == "active",
        )
    ).all()
    return set(rows)


def visible_case_ids(session: Session, user: User) -> set[int] | None:
    """Cases the user holds an active assignment on; None for admins, who see all."""
    if user.has_role("admin"):
        return None
    rows = session.scalars(
        select(Assignment.case_id).where(
            Assignment.user_id == user.id, Assignment.state == "active"
        )
    ).all()
    return set(rows)


def may_see_case(session: Session, user: User, case_id: int) -> bool:
    """Whether the case exists and the user may see it."""
    if session.get(Case, case_id) is None:
        return False
    return user.has_role("admin") or bool(case_roles_of(session, case_id, user.id))


def require_visible_case(
    session: Session, user: User, case_id: int, field: str | None = None
) -> frozenset[str]:
    """The user's roles on the case; NotFound when it is missing or not theirs to see
    (`field` names the request field that carried the id, for the problem document)."""
    if session.get(Case, case_id) is None:
        raise NotFound("案件不存在", field=field)
    held = frozenset(case_roles_of(session, case_id, user.id))
    if not held and not user.has_role("admin"):
        raise NotFound("案件不存在", field=field)
    return held
