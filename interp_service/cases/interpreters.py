"""Who may be named as the interpreter of an exchange: the case's interpreters, users with an
interpreter assignment or external interpreters engaged for the case, each with a declaration
of no conflict on file.

An interpreter is referred to as ``user:<id>`` or ``external:<id>`` in forms and the API, so
that one field names either kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from interp_service.cases.orm import Assignment, ExternalInterpreter
from interp_service.errors import ValidationFailed
from interp_service.users.orm import User

InterpreterKind = Literal["user", "external"]


@dataclass(frozen=True)
class InterpreterRef:
    """One interpreter of a case as the record names them."""

    kind: InterpreterKind
    id: int
    name: str
    declared: bool  # a declaration of no conflict is on file
    active: bool

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.id}"

    @property
    def label(self) -> str:
        return self.name + ("（外聘，无账户）" if self.kind == "external" else "")

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "user" else None

    @property
    def external_id(self) -> int | None:
        return self.id if self.kind == "external" else None


def display_name(user: User) -> str:
    return user.display_name or user.username


def case_interpreters(session: Session, case_id: int) -> list[InterpreterRef]:
    """Every interpreter the case has had (any state), users first, in assignment order."""
    refs: list[InterpreterRef] = []
    seen: set[int] = set()
    rows = session.execute(
        select(Assignment, User)
        .join(User, User.id == Assignment.user_id)
        .where(Assignment.case_id == case_id, Assignment.role_on_case == "interpreter")
        .order_by(Assignment.id)
    ).all()
    for assignment, user in rows:
        if user.id in seen:
            continue
        seen.add(user.id)
        refs.append(
            InterpreterRef(
                "user",
                user.id,
                display_name(user),
                declared=assignment.conflict_declared is False,
                active=assignment.state == "active",
            )
        )
    externals = session.scalars(
        select(ExternalInterpreter)
        .where(ExternalInterpreter.case_id == case_id)
        .order_by(ExternalInterpreter.id)
    ).all()
    for external in externals:
        refs.append(
            InterpreterRef(
                "external",
                external.id,
                external.name,
                declared=external.conflict_declared is False,
                active=external.state == "active",
            )
        )
    return refs


def eligible_interpreters(session: Session, case_id: int) -> list[InterpreterRef]:
    """The interpreters who may interpret now: active, with no conflict declared."""
    return [r for r in case_interpreters(session, case_id) if r.active and r.declared]


def resolve(session: Session, case_id: int, ref: str | None, *, field: str) -> InterpreterRef:
    """The eligible interpreter named by `ref`; a clear refusal otherwise."""
    if not ref:
        raise ValidationFailed("请选择在场口译的译员", field=field)
    for candidate in case_interpreters(session, case_id):
        if candidate.ref == ref:
            if not candidate.active:
                raise ValidationFailed(f"{candidate.name} 已不再担任本案译员", field=field)
            if not candidate.declared:
                raise ValidationFailed(
                    f"{candidate.name} 尚未提交无利害关系的申报，不能担任本次口译", field=field
                )
            return candidate
    raise ValidationFailed("所选译员不是本案的译员", field=field)


def name_of(
    session: Session, user_id: int | None, external_id: int | None
) -> tuple[str, InterpreterKind] | None:
    """The printed name of an interpreter stored as a user id or an external id."""
    if user_id is not None:
        user = session.get(User, user_id)
        return (display_name(user), "user") if user is not None else None
    if external_id is not None:
        external = session.get(ExternalInterpreter, external_id)
        return (external.name, "external") if external is not None else None
    return None
